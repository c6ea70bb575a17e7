"""Organisation pages: the list, the card with every D1 field, the edit form with errors
per field (S7), and the forbidden paths (S2)."""

import pytest
from django.urls import reverse

from domovoy.directory.models import Organization
from tests import factories as f
from tests.fixtures import signed_in

pytestmark = pytest.mark.django_db


def edit_payload(org, **overrides):
    data = {k: getattr(org, k) for k in f.card_data().keys()}
    for key in ("registration_date", "license_date"):
        if data[key]:
            data[key] = data[key].isoformat()
    data.update(overrides)
    return data


@pytest.mark.req("S2")
def test_anonymous_is_sent_to_login_from_every_directory_page(client, uo, building):
    urls = [
        reverse("directory:organizations"),
        reverse("directory:organization", args=[uo.pk]),
        reverse("directory:organization_edit", args=[uo.pk]),
        reverse("directory:staff", args=[uo.pk]),
        reverse("directory:buildings"),
        reverse("directory:buildings_map"),
        reverse("directory:buildings_geojson"),
        reverse("directory:building", args=[building.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/"), url


@pytest.mark.req("D1")
@pytest.mark.req("S2")
def test_an_operator_lists_the_organisations_of_its_territory_with_search_and_kind(
    client, functional_operator, uo, rso, territory
):
    outside = f.OrganizationFactory(kinds=["uo"], territory=None)
    page = signed_in(client, functional_operator).get(reverse("directory:organizations"))
    assert page.status_code == 200
    body = page.content.decode()
    assert uo.short_name in body and rso.short_name in body and uo.inn in body
    assert outside.short_name not in body
    page = client.get(reverse("directory:organizations"), {"kind": "rso"})
    names = [o.pk for o in page.context["page"]]
    assert names == [rso.pk]
    page = client.get(reverse("directory:organizations"), {"q": uo.short_name})
    assert [o.pk for o in page.context["page"]] == [uo.pk]


@pytest.mark.req("D1")
def test_other_staff_see_every_organisation_s_short_info_only(client, rso_dispatcher, uo):
    outside = f.OrganizationFactory(kinds=["uo"], territory=None)
    page = signed_in(client, rso_dispatcher).get(reverse("directory:organizations"))
    body = page.content.decode()
    assert uo.short_name in body and outside.short_name in body
    assert uo.dispatcher_phone in body
    assert uo.inn not in body  # the card's requisites are not in the public short info
    card = client.get(reverse("directory:organization", args=[uo.pk]))
    assert card.status_code == 200
    assert card.context["full"] is False
    assert uo.settlement_account not in card.content.decode()


@pytest.mark.req("S2")
def test_a_resident_may_not_open_the_directory(client, resident, uo):
    signed_in(client, resident)
    assert client.get(reverse("directory:organizations")).status_code == 403
    assert client.get(reverse("directory:staff", args=[uo.pk])).status_code == 403


@pytest.mark.req("D1")
def test_the_card_shows_every_field_grouped_to_its_own_admin(client, uo_admin, uo):
    page = signed_in(client, uo_admin).get(reverse("directory:organization", args=[uo.pk]))
    body = page.content.decode()
    for heading in ("Реквизиты", "Банк", "Коды", "Контакты", "Лицензия на управление МКД"):
        assert heading in body
    for field in (
        "inn",
        "kpp",
        "ogrn",
        "bik",
        "settlement_account",
        "correspondent_account",
        "okved",
        "okpo",
        "oktmo",
        "license_number",
        "head_name",
        "working_hours",
    ):
        assert str(getattr(uo, field)) in body, field
    assert "Управляющая организация" in body
    assert reverse("directory:organization_edit", args=[uo.pk]) in body


@pytest.mark.req("D1")
def test_the_own_admin_changes_the_card(client, uo_admin, uo):
    url = reverse("directory:organization_edit", args=[uo.pk])
    assert signed_in(client, uo_admin).get(url).status_code == 200
    response = client.post(
        url,
        edit_payload(uo, dispatcher_phone="8 (4942) 31-00-00", head_name="Смирнов Олег Петрович"),
    )
    assert response.status_code == 302
    uo.refresh_from_db()
    assert uo.dispatcher_phone == "+74942310000"
    assert uo.head_name == "Смирнов Олег Петрович"


@pytest.mark.req("D1")
@pytest.mark.req("S7")
@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("inn", "7700000001", "ИНН: неверная контрольная цифра"),
        ("kpp", "12AB", "КПП: 9 знаков"),
        ("bik", "123456789", "БИК банка России начинается с 04"),
        ("settlement_account", "40702810000000000001", "не соответствует БИК"),
    ],
)
def test_a_bad_requisite_is_refused_with_the_field_and_reason_and_nothing_saved(
    client, uo_admin, uo, field, value, reason
):
    before = Organization.objects.values().get(pk=uo.pk)
    url = reverse("directory:organization_edit", args=[uo.pk])
    response = signed_in(client, uo_admin).post(
        url, edit_payload(uo, **{field: value, "short_name": "Новое имя"})
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert any(reason in e for e in form.errors[field])
    assert reason in response.content.decode()
    assert Organization.objects.values().get(pk=uo.pk) == before


@pytest.mark.req("D1")
@pytest.mark.req("S7")
def test_a_uo_cannot_drop_its_licence(client, uo_admin, uo):
    url = reverse("directory:organization_edit", args=[uo.pk])
    response = signed_in(client, uo_admin).post(url, edit_payload(uo, license_number=""))
    assert response.status_code == 400
    assert "лицензия" in " ".join(response.context["form"].errors["license_number"])
    uo.refresh_from_db()
    assert uo.license_number


@pytest.mark.req("S2")
def test_a_dispatcher_who_is_not_admin_may_not_edit_the_card(client, uo_dispatcher, uo):
    url = reverse("directory:organization_edit", args=[uo.pk])
    signed_in(client, uo_dispatcher)
    assert client.get(url).status_code == 403
    assert client.post(url, edit_payload(uo, short_name="Взлом")).status_code == 403
    uo.refresh_from_db()
    assert uo.short_name != "Взлом"


@pytest.mark.req("S2")
def test_another_uo_s_admin_may_not_edit_the_card(client, other_uo_admin, uo):
    url = reverse("directory:organization_edit", args=[uo.pk])
    response = signed_in(client, other_uo_admin).post(url, edit_payload(uo, short_name="Взлом"))
    assert response.status_code == 403
    uo.refresh_from_db()
    assert uo.short_name != "Взлом"


@pytest.mark.req("D1")
@pytest.mark.req("D2")
def test_an_operator_edits_a_card_and_its_kinds(client, technical_operator, rso):
    url = reverse("directory:organization_edit", args=[rso.pk])
    payload = edit_payload(rso, kinds=["rso", "contractor"])
    response = signed_in(client, technical_operator).post(url, payload)
    assert response.status_code == 302
    assert rso.kind_codes == {"rso", "contractor"}


@pytest.mark.req("D4")
def test_an_operator_adds_a_service_link_on_the_uo_card(client, functional_operator, uo, rso):
    url = reverse("directory:service_link_add", args=[uo.pk])
    data = {"provider": rso.pk, "resource": "cold_water", "start": "2024-01-01"}
    response = signed_in(client, functional_operator).post(url, data)
    assert response.status_code == 302
    assert uo.service_links.get().provider == rso
    again = client.post(url, {**data, "start": "2024-06-01"})
    assert again.status_code == 400
    assert "уже поставляет" in again.content.decode()
    assert uo.service_links.count() == 1


@pytest.mark.req("S2")
def test_a_uo_admin_may_not_add_service_links(client, uo_admin, uo, rso):
    url = reverse("directory:service_link_add", args=[uo.pk])
    response = signed_in(client, uo_admin).post(
        url, {"provider": rso.pk, "resource": "gas", "start": "2024-01-01"}
    )
    assert response.status_code == 403
    assert not uo.service_links.exists()


@pytest.mark.req("D2")
def test_only_operators_see_the_kinds_on_the_edit_form(client, technical_operator, uo_admin, uo):
    url = reverse("directory:organization_edit", args=[uo.pk])
    page = signed_in(client, technical_operator).get(url)
    assert page.status_code == 200 and "kinds" in page.context["form"].fields
    assert 'name="kinds" value="call_centre"' in page.content.decode()
    client.logout()
    page = signed_in(client, uo_admin).get(url)
    assert "kinds" not in page.context["form"].fields
    response = client.post(url, {**edit_payload(uo), "kinds": ["rso"]})
    assert response.status_code == 302
    assert uo.kind_codes == {"uo"}
