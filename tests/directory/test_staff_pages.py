"""The staff page (D2): departments and employees with roles; the own administrator adds,
changes roles, closes access; contacts are personal data (S5); forbidden paths (S2)."""

import pytest
from django.core import mail
from django.urls import reverse

from domovoy.audit.models import PersonalDataAccess
from domovoy.directory.models import Department, Employee, User
from tests import factories as f
from tests.fixtures import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def engineer(uo):
    emp = f.employee(uo, roles=["uo_engineer", "uo_dispatcher"], username="eng")
    emp.user.phone = "+74942555111"
    emp.user.save()
    return emp


@pytest.mark.req("D2")
def test_the_own_admin_adds_a_department_and_an_employee_seeing_the_password_once(
    client, uo_admin, uo, django_capture_on_commit_callbacks
):
    signed_in(client, uo_admin)
    r = client.post(reverse("directory:department_add", args=[uo.pk]), {"name": "Диспетчерская"})
    assert r.status_code == 302
    dept = Department.objects.get(organization=uo, name="Диспетчерская")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(
            reverse("directory:employee_add", args=[uo.pk]),
            {
                "full_name": "Орлова Мария Ивановна",
                "position": "Диспетчер",
                "department": dept.pk,
                "roles": ["uo_dispatcher", "uo_engineer"],
                "email": "orlova@example.ru",
                "phone": "8 920 111-22-33",
            },
        )
    assert r.status_code == 302
    emp = Employee.objects.get(user__last_name="Орлова")
    assert emp.role_codes == {"uo_dispatcher", "uo_engineer"}
    assert emp.department == dept and emp.user.must_change_password
    assert emp.user.phone == "+79201112233"
    page = client.get(reverse("directory:staff", args=[uo.pk]))
    creds = page.context["credentials"]
    assert creds["username"] == emp.user.username
    assert emp.user.check_password(creds["password"])
    assert creds["password"] in page.content.decode()
    assert "одноразовый пароль" in page.content.decode()
    assert len(mail.outbox) == 1 and creds["password"] in mail.outbox[0].body
    again = client.get(reverse("directory:staff", args=[uo.pk]))
    assert again.context["credentials"] is None
    assert creds["password"] not in again.content.decode()


@pytest.mark.req("D2")
@pytest.mark.req("S7")
def test_a_bad_employee_is_refused_with_reasons_and_nothing_stored(client, uo_admin, uo):
    signed_in(client, uo_admin)
    users_before = User.objects.count()
    r = client.post(
        reverse("directory:employee_add", args=[uo.pk]),
        {"full_name": "Орлова", "position": "Диспетчер", "roles": ["uo_dispatcher"], "phone": "12"},
    )
    assert r.status_code == 400
    errors = r.context["employee_form"].errors
    assert "Укажите фамилию и имя полностью" in errors["full_name"]
    assert any("Телефон" in e for e in errors["phone"])
    assert User.objects.count() == users_before


@pytest.mark.req("D2")
def test_the_own_admin_changes_roles_and_closes_access(client, uo_admin, uo, engineer):
    signed_in(client, uo_admin)
    r = client.post(
        reverse("directory:employee_roles", args=[engineer.pk]), {"roles": ["uo_engineer"]}
    )
    assert r.status_code == 302
    assert engineer.role_codes == {"uo_engineer"}
    r = client.post(reverse("directory:employee_deactivate", args=[engineer.pk]))
    assert r.status_code == 302
    engineer.refresh_from_db()
    engineer.user.refresh_from_db()
    assert not engineer.is_active and not engineer.user.is_active


@pytest.mark.req("S2")
def test_another_uo_s_admin_may_not_change_my_staff(client, other_uo_admin, uo, engineer):
    signed_in(client, other_uo_admin)
    assert (
        client.post(
            reverse("directory:employee_roles", args=[engineer.pk]), {"roles": ["org_admin"]}
        ).status_code
        == 403
    )
    assert (
        client.post(reverse("directory:employee_deactivate", args=[engineer.pk])).status_code == 403
    )
    assert (
        client.post(
            reverse("directory:department_add", args=[uo.pk]), {"name": "Чужое"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("directory:employee_add", args=[uo.pk]),
            {"full_name": "Чужой Иван", "position": "x", "roles": ["org_admin"]},
        ).status_code
        == 403
    )
    engineer.refresh_from_db()
    assert engineer.is_active and "org_admin" not in engineer.role_codes
    assert not Department.objects.filter(name="Чужое").exists()
    page = client.get(reverse("directory:staff", args=[uo.pk]))
    assert page.status_code == 200 and page.context["can_change"] is False


@pytest.mark.req("S2")
def test_a_dispatcher_may_read_but_not_change_own_staff(client, uo_dispatcher, uo, engineer):
    signed_in(client, uo_dispatcher)
    page = client.get(reverse("directory:staff", args=[uo.pk]))
    assert page.status_code == 200 and not page.context["can_change"]
    assert (
        client.post(reverse("directory:employee_deactivate", args=[engineer.pk])).status_code == 403
    )


@pytest.mark.req("S5")
def test_employee_phones_are_shown_to_own_org_and_control_but_not_to_others(
    client, uo_dispatcher, other_uo_admin, controller, uo, engineer
):
    url = reverse("directory:staff", args=[uo.pk])
    own = signed_in(client, uo_dispatcher).get(url).content.decode()
    assert "+74942555111" in own and engineer.user.email in own
    assert not PersonalDataAccess.objects.exists()  # own colleagues: not a third-party read
    client.logout()
    other = signed_in(client, other_uo_admin).get(url).content.decode()
    assert engineer.user.last_name in other
    assert "+74942555111" not in other and engineer.user.email not in other
    client.logout()
    ctrl = signed_in(client, controller).get(url).content.decode()
    assert "+74942555111" in ctrl
    log = PersonalDataAccess.objects.get()
    assert log.user == controller and log.subject == f"organization:{uo.pk}:staff"
