"""The redirect form of the staff card (R5, issue 12 item 5): it offers only the organisations
that may execute on the request's building — the UO managing it by the registry, the suppliers
and contractors linked to that UO — never another UO, an operator or a call centre; the
department and employee lists follow the chosen organisation (htmx, from an endpoint that asks
the workflow's permission); and the server refuses anything else with a message naming it."""

import re

import pytest
from django.urls import reverse

from domovoy.directory.models import Department
from domovoy.servicedesk.workflow import Status
from tests import factories as f
from tests.servicedesk.helpers import hand_over

from .helpers import card_url, post_action, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(uo, contractor, other_uo):
    """Departments and people of the UO, the contractor and a neighbouring UO."""
    uo_plumbing = Department.objects.create(organization=uo, name="Сантехнический участок")
    con_roofs = Department.objects.create(organization=contractor, name="Кровельный участок")
    other_dep = Department.objects.create(organization=other_uo, name="Участок соседей")
    plumber = f.employee(uo, roles=["uo_engineer"], username="plumber", position="Слесарь")
    plumber.department = uo_plumbing
    plumber.save()
    roofer = f.employee(
        contractor, roles=["supplier_dispatcher"], username="roofer", position="Кровельщик"
    )
    roofer.department = con_roofs
    roofer.save()
    stranger = f.employee(other_uo, roles=["uo_engineer"], username="stranger")
    return {
        "uo_plumbing": uo_plumbing, "con_roofs": con_roofs, "other_dep": other_dep,
        "plumber": plumber, "roofer": roofer, "stranger": stranger,
    }  # fmt: skip


def redirect_form(html):
    match = re.search(r'<form[^>]*data-action-form="redirect".*?</form>', html, re.S)
    assert match, "the card shows the redirect form"
    return match.group(0)


def select_options(form_html, name):
    select = re.search(rf'<select[^>]*name="redirect-{name}".*?</select>', form_html, re.S)
    assert select, name
    return dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', select.group(0)))


def options_url(sr, field):
    return reverse("servicedesk:staff_redirect_options", args=[sr.number, field])


@pytest.mark.req("R5")
@pytest.mark.req("D4")
def test_the_form_offers_only_the_organisations_serving_the_building(
    client_of, sr, uo, rso, contractor, other_uo, operator_org, call_centre, control_org,
    uo_dispatcher, staff,
):  # fmt: skip
    html = client_of(uo_dispatcher).get(card_url(sr)).content.decode()
    form = redirect_form(html)
    offered = select_options(form, "organization")
    assert set(offered) == {str(uo.pk), str(rso.pk), str(contractor.pk)}
    for outsider in (other_uo, operator_org, call_centre, control_org):
        assert str(outsider.pk) not in offered
    # The executor is chosen at first: its departments and executing employees are listed.
    assert re.search(rf'<option value="{uo.pk}"[^>]*selected', form)
    assert set(select_options(form, "department")) == {str(staff["uo_plumbing"].pk)}
    employees = select_options(form, "employee")
    assert str(staff["plumber"].pk) in employees
    assert str(staff["roofer"].pk) not in employees and str(staff["stranger"].pk) not in employees
    # The lists follow the organisation through htmx attributes (no inline script: CSP).
    assert f'hx-get="{options_url(sr, "department")}"' in form
    assert 'hx-trigger="change from:#id_redirect-organization"' in form
    assert "onchange" not in form


@pytest.mark.req("R5")
@pytest.mark.req("D4")
def test_a_building_handed_to_another_uo_offers_the_new_manager_not_the_old_links(
    client_of, sr, uo, rso, contractor, other_uo, uo_dispatcher
):
    hand_over(sr.building, other_uo)
    offered = select_options(
        redirect_form(client_of(uo_dispatcher).get(card_url(sr)).content.decode()),
        "organization",
    )
    # The executor keeps its own line (a move inside it); the links were the old UO's.
    assert set(offered) == {str(uo.pk), str(other_uo.pk)}


@pytest.mark.req("R5")
def test_the_endpoint_lists_the_chosen_organisations_departments_and_employees(
    client_of, sr, contractor, uo_dispatcher, staff
):
    client = client_of(uo_dispatcher)
    deps = client.get(options_url(sr, "department"), {"redirect-organization": contractor.pk})
    assert deps.status_code == 200
    body = deps.content.decode()
    assert "Кровельный участок" in body and "Сантехнический" not in body
    people = client.get(
        options_url(sr, "employee"),
        {"redirect-organization": contractor.pk, "redirect-department": staff["con_roofs"].pk},
    )
    assert "Кровельщик" in people.content.decode()
    assert "Слесарь" not in people.content.decode()
    # A department of another organisation does not narrow (nor leak) anything.
    people = client.get(
        options_url(sr, "employee"),
        {"redirect-organization": contractor.pk, "redirect-department": staff["other_dep"].pk},
    )
    assert "Кровельщик" in people.content.decode()
    # No organisation chosen: nothing but the blank choice.
    assert client.get(options_url(sr, "department")).content.decode().count("<option") == 1


@pytest.mark.req("R5")
@pytest.mark.req("S2")
def test_the_endpoint_refuses_another_uo_a_wrong_role_and_a_non_party(
    client_of, sr, other_uo, uo_dispatcher, uo_accountant, other_uo_dispatcher, staff
):
    response = client_of(uo_dispatcher).get(
        options_url(sr, "department"), {"redirect-organization": other_uo.pk}
    )
    assert response.status_code == 400
    assert "не может исполнять заявки по дому" in response.content.decode()
    assert "Участок соседей" not in response.content.decode()
    # The executor's staff without a dispatcher or engineer role may not redirect.
    response = client_of(uo_accountant).get(options_url(sr, "department"))
    assert response.status_code == 403
    # Not a party to the request.
    response = client_of(other_uo_dispatcher).get(options_url(sr, "department"))
    assert response.status_code == 403
    assert client_of(uo_dispatcher).get(options_url(sr, "secrets")).status_code == 404


@pytest.mark.req("R5")
def test_a_redirect_to_another_uo_is_refused_with_its_reason_and_changes_nothing(
    client_of, sr, other_uo, uo_dispatcher
):
    before = state(sr)
    response = post_action(
        client_of(uo_dispatcher), sr, "redirect", reason="Соседям", organization=other_uo.pk
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert f"{other_uo.short_name} не может исполнять заявки по дому" in body
    assert state(sr) == before


@pytest.mark.req("R5")
def test_a_department_or_employee_of_another_organisation_is_refused(
    client_of, sr, uo, contractor, uo_dispatcher, staff
):
    client = client_of(uo_dispatcher)
    before = state(sr)
    response = post_action(
        client, sr, "redirect", reason="Подрядчику", organization=contractor.pk,
        department=staff["uo_plumbing"].pk,
    )  # fmt: skip
    assert response.status_code == 400
    assert "Сантехнический участок" in response.content.decode()
    assert "не относится к организации" in response.content.decode()
    response = post_action(
        client, sr, "redirect", reason="Подрядчику", organization=contractor.pk,
        employee=staff["plumber"].pk,
    )  # fmt: skip
    assert response.status_code == 400
    assert "Сотрудник не работает в организации" in response.content.decode()
    # A department of a neighbouring UO alone names that UO: refused too.
    response = post_action(
        client, sr, "redirect", reason="Соседям", organization="", department=staff["other_dep"].pk
    )
    assert response.status_code == 400
    assert "не может исполнять заявки по дому" in response.content.decode()
    assert state(sr) == before


@pytest.mark.req("R5")
def test_a_redirect_to_the_contractors_department_and_employee_goes_through(
    client_of, sr, contractor, uo_dispatcher, staff
):
    response = post_action(
        client_of(uo_dispatcher), sr, "redirect", reason="Кровля", organization=contractor.pk,
        department=staff["con_roofs"].pk, employee=staff["roofer"].pk,
    )  # fmt: skip
    assert response.status_code == 302
    sr.refresh_from_db()
    assert sr.executor_org == contractor and sr.status == Status.NEW
    assert sr.executor_department == staff["con_roofs"]
    assert sr.executor_employee == staff["roofer"]


@pytest.mark.req("R5")
def test_a_wrong_role_cannot_redirect_on_the_page(client_of, sr, contractor, uo_accountant):
    before = state(sr)
    response = post_action(
        client_of(uo_accountant), sr, "redirect", reason="Подрядчику", organization=contractor.pk
    )
    assert response.status_code == 403
    assert state(sr) == before
