"""One rule and one log for the applicant's personal data (issue 10, item 1; S5): for every
role, the card (the staff card, or the call centre's) and the API show the name, phone and flat
to the same readers, and log the read alike (``servicedesk.selectors.personal_data_*``)."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from domovoy.audit.models import PersonalDataAccess
from domovoy.servicedesk import services
from domovoy.servicedesk.models import Channel
from tests import factories as f

from .roles_cast import CAST, user_of

PHONE = "+79101234567"
# Who reads the applicant's data of a request of «УК Центр» (the cast's UO is its executor).
STAFF = [who for who in CAST if ":" in who]
READERS = {"uo:uo_dispatcher", "uo:uo_engineer", "uo:org_admin", "call_centre:call_operator"}


@pytest.fixture
def request_with_flat(anna, classifier, building, links):
    premises, _account = f.premises_with_account(building, "17", owner="Сидоренко")
    return services.service_request_create(
        building=building, premises=premises, topic=classifier["entrance-door"],
        text="Сломан доводчик", channel=Channel.WEB, author=anna, actor=anna,
    )  # fmt: skip


def _card(user, sr):
    """What the card shows: None when no card of the request opens for ``user``."""
    client = Client()
    client.force_login(user)
    for url in (f"/requests/work/{sr.number}/", f"/requests/call/r/{sr.number}/"):
        response = client.get(url)
        if response.status_code == 200:
            body = response.content.decode()
            return PHONE in body and "Смирнова" in body
    return None


def _api(user, sr):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"/api/v1/requests/{sr.pk}/")
    if response.status_code in (403, 404):
        return None
    data = response.json()
    return data["phone"] == PHONE and data["premises"] is not None


def _reads(user):
    return PersonalDataAccess.objects.filter(user=user).count()


@pytest.mark.req("S5")
@pytest.mark.parametrize("who", STAFF)
def test_the_card_and_the_api_agree_on_the_applicants_data_for_every_role(
    request, who, request_with_flat
):
    sr = request_with_flat
    user = user_of(request, who)
    before = _reads(user)
    card = _card(user, sr)
    card_logged = _reads(user) - before
    api = _api(user, sr)
    api_logged = _reads(user) - before - card_logged
    assert card == api, f"{who}: card {card}, API {api}"
    sees = who in READERS
    assert bool(card) is sees
    assert user.has_perm("servicedesk.view_personal_data", sr) is sees
    # Both reads are logged for the readers, neither for the others.
    assert (card_logged, api_logged) == ((1, 1) if sees else (0, 0))


@pytest.mark.req("S5")
def test_a_resident_reads_her_own_request_unlogged_and_a_neighbour_nothing(
    request, anna, request_with_flat
):
    sr = request_with_flat
    assert _api(anna, sr) is True and _reads(anna) == 0
    neighbour = user_of(request, "resident")
    assert _card(neighbour, sr) is None and _api(neighbour, sr) is None
