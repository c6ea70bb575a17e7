"""The call screen beside the caller form (issue 11): outages on the chosen building as a
banner (a consultation, not a request), the caller's earlier requests by phone, the warning of a
likely duplicate the operator confirms (R1); the caller's SMS opt-out and the link to a
registered resident's cabinet (N2). Only call-centre operators see it."""

import datetime as dt

import pytest
from django.urls import reverse

from domovoy.audit.models import PersonalDataAccess
from domovoy.outages.models import Outage
from domovoy.servicedesk import selectors
from domovoy.servicedesk.models import Call, Channel, ServiceRequest
from tests import factories as f

from .helpers import text_of

pytestmark = pytest.mark.django_db

NEW = "servicedesk:callcentre_new"
CONTEXT = "servicedesk:callcentre_context"


def call_data(building, classifier, **extra):
    data = {
        "phone": "8 (910) 555-44-33",
        "caller_name": "Мария Ивановна",
        "building": building.pk,
        "outcome": "request_created",
        "topic": classifier["water-leak"].pk,
        "text": "Течёт стояк в ванной",
    }
    data.update(extra)
    return data


@pytest.fixture
def outage_now(frozen, publish_planned):
    """A cold-water outage on the three houses, published ahead and running for an hour."""
    outage = publish_planned(dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC))
    frozen.shift(dt.timedelta(hours=2))
    Outage.objects.filter(pk=outage.pk).update(reason="Ремонт <b>водопровода</b>")
    return outage


@pytest.mark.req("R1")
def test_the_call_screen_shows_the_outages_of_the_chosen_building(
    client, call_operator, houses, outage_now, publish_planned
):
    publish_planned(dt.datetime(2026, 12, 10, 6, 0, tzinfo=dt.UTC))
    client.force_login(call_operator)
    page = text_of(client.get(reverse(CONTEXT), {"building": houses[0].pk}))
    assert 'data-testid="outage-banner"' in page
    assert "На доме отключение: консультация, не заявка" in page
    assert "сейчас" in page and "планируется" in page
    assert "Ремонт &lt;b&gt;водопровода&lt;/b&gt;" in page and "<b>водопровода" not in page
    running, planned = selectors.building_outages(building=houses[0])
    assert [o.pk for o in running] == [outage_now.pk] and len(planned) == 1
    # The form page carries the panel that reloads when the address changes.
    assert 'id="call-context"' in text_of(client.get(reverse(NEW)))


@pytest.mark.req("R1")
def test_no_banner_on_a_building_without_outages(client, call_operator, building):
    client.force_login(call_operator)
    page = text_of(client.get(reverse(CONTEXT), {"building": building.pk}))
    assert "outage-banner" not in page


@pytest.mark.req("R1")
def test_the_call_screen_offers_the_callers_earlier_requests_by_phone(
    client, call_operator, file_request, anna
):
    sr = file_request(phone="+7 910 555-44-33")
    other = file_request(phone="+7 910 000-00-00")
    client.force_login(call_operator)
    page = text_of(client.get(reverse(CONTEXT), {"phone": "8(910)5554433"}))
    assert sr.number in page and other.number not in page
    assert "Прежние заявки звонящего" in page
    # The phones shown are personal data: the read is logged like the request card's (S5).
    read = PersonalDataAccess.objects.get(user=call_operator)
    assert read.subject == f"service_request:{sr.pk}" and "call screen" in read.purpose


@pytest.mark.req("R1")
def test_a_likely_duplicate_is_a_warning_the_operator_confirms(
    client, call_operator, building, classifier, links, file_request, frozen
):
    first = file_request("water-leak", "Течёт стояк, вода у соседей")
    client.force_login(call_operator)
    shown = text_of(
        client.get(
            reverse(CONTEXT), {"building": building.pk, "topic": classifier["water-leak"].pk}
        )
    )
    assert 'data-testid="duplicate-warning"' in shown and first.number in shown

    response = client.post(reverse(NEW), call_data(building, classifier))
    assert response.status_code == 400
    assert "Похоже на повтор" in text_of(response) and first.number in text_of(response)
    assert ServiceRequest.objects.count() == 1 and not Call.objects.exists()

    confirmed = call_data(building, classifier, confirm_duplicate="on")
    assert client.post(reverse(NEW), confirmed).status_code == 302
    assert ServiceRequest.objects.count() == 2

    # Another topic, or a day later, or a closed one: no warning.
    assert not selectors.likely_duplicates(building=building, topic=classifier["entrance-door"])
    frozen.shift(dt.timedelta(hours=25))
    assert not selectors.likely_duplicates(building=building, topic=classifier["water-leak"])


@pytest.mark.req("N2")
def test_the_operator_records_the_callers_sms_opt_out(
    client, call_operator, building, classifier, links
):
    client.force_login(call_operator)
    assert "не присылать SMS" in text_of(client.get(reverse(NEW)))
    assert (
        client.post(reverse(NEW), call_data(building, classifier, no_sms="on")).status_code == 302
    )
    sr = ServiceRequest.objects.get()
    assert sr.sms_opt_out and sr.author is None


@pytest.mark.req("N2")
def test_a_registered_residents_phone_links_the_request_to_their_cabinet(
    client, call_operator, anna, building, classifier, links
):
    client.force_login(call_operator)
    hint = text_of(client.get(reverse(CONTEXT), {"phone": "8 910 123-45-67"}))
    assert "Телефон зарегистрированного жителя" in hint
    data = call_data(building, classifier, phone="8 910 123-45-67")
    assert client.post(reverse(NEW), data).status_code == 302
    sr = ServiceRequest.objects.get()
    assert (sr.author, sr.channel) == (anna, Channel.CALL_CENTRE)
    client.force_login(anna)
    assert sr.number in text_of(client.get(reverse("servicedesk:resident_list")))


@pytest.mark.req("N2")
def test_a_phone_shared_by_two_residents_links_to_nobody(anna, db):
    f.UserFactory(username="twin", is_resident=True, phone="89101234567")
    assert selectors.resident_by_phone(phone="+79101234567") is None


@pytest.mark.req("R1")
def test_the_call_screen_is_refused_to_other_roles(
    client, resident, uo_dispatcher, control_org, building
):
    media = f.employee(control_org, roles=["media"], username="press").user
    for user in (resident, uo_dispatcher, media):
        client.force_login(user)
        assert client.get(reverse(CONTEXT), {"building": building.pk}).status_code == 403
