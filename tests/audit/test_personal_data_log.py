"""Reads of personal data are logged and the log is readable by operators (S5)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from domovoy.audit.models import PersonalDataAccess
from domovoy.audit.services import personal_data_read

pytestmark = [pytest.mark.req("S5"), pytest.mark.django_db]


@pytest.fixture
def reads(uo_dispatcher, uo_admin):
    personal_data_read(user=uo_dispatcher, subject="account:000123", purpose="карточка дома 12")
    personal_data_read(user=uo_admin, subject="building:12", purpose="список жителей")


def test_a_staff_read_is_logged_and_an_anonymous_one_is_not(uo_dispatcher):
    from django.contrib.auth.models import AnonymousUser

    personal_data_read(user=uo_dispatcher, subject="account:1", purpose="страница")
    personal_data_read(user=AnonymousUser(), subject="account:1", purpose="страница")
    assert PersonalDataAccess.objects.count() == 1


def test_an_operator_sees_who_read_whose_data(client, functional_operator, reads, uo_dispatcher):
    client.force_login(functional_operator)
    response = client.get(reverse("audit:personal_data"))
    body = response.content.decode()
    assert response.status_code == 200
    # Whose data in words (issue 12): the stored codes "account:000123", "building:12".
    account, building = "лицевой счёт № 000123", "собственники дома № 12"
    assert account in body and building in body and "building:12" not in body
    assert uo_dispatcher.username in body
    filtered = client.get(reverse("audit:personal_data") + "?subject=account").content.decode()
    assert account in filtered and building not in filtered
    by_user = client.get(
        reverse("audit:personal_data") + f"?user_name={uo_dispatcher.last_name}"
    ).content.decode()
    assert account in by_user and building not in by_user


@pytest.mark.req("S2")
@pytest.mark.parametrize("who", ["uo_dispatcher", "controller"])
def test_others_cannot_read_the_personal_data_log(client, request, who, reads):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("audit:personal_data")).status_code == 403
    api = APIClient()
    api.force_authenticate(request.getfixturevalue(who))
    assert api.get("/api/v1/audit/personal-data/").status_code == 403


def test_the_api_lists_and_filters_the_reads(functional_operator, reads, uo_admin):
    api = APIClient()
    api.force_authenticate(functional_operator)
    body = api.get("/api/v1/audit/personal-data/", {"user": uo_admin.pk}).json()
    assert body["count"] == 1
    row = body["results"][0]
    assert (row["subject"], row["purpose"], row["username"]) == (
        "building:12",
        "список жителей",
        uo_admin.username,
    )
    assert api.post("/api/v1/audit/personal-data/", {}).status_code == 405
