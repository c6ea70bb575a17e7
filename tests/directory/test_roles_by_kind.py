"""An organisation gives its staff only the roles of its kinds (D2, S2)."""

import pytest

from domovoy.core.errors import ApplicationError
from domovoy.directory import services
from domovoy.directory.models import Employee
from tests import factories as f

pytestmark = [pytest.mark.req("D2"), pytest.mark.req("S2")]


@pytest.mark.django_db
def test_a_management_company_cannot_make_its_employee_an_operator(uo):
    with pytest.raises(ApplicationError) as exc:
        services.employee_create(
            organization=uo,
            full_name="Хитров Пётр Ильич",
            position="Диспетчер",
            roles=["uo_dispatcher", "functional_operator"],
        )
    assert "Функциональный оператор" in exc.value.fields["roles"][0]
    assert not Employee.objects.filter(user__last_name="Хитров").exists()


@pytest.mark.django_db
def test_an_admin_cannot_grant_a_control_role_through_the_staff_page(client, uo, uo_admin):
    emp = f.employee(uo, roles=["uo_dispatcher"])
    client.force_login(uo_admin)
    page = client.get(f"/directory/organizations/{uo.pk}/staff/").content.decode()
    assert 'value="uo_dispatcher"' in page and 'value="functional_operator"' not in page
    client.post(f"/directory/employees/{emp.pk}/roles/", {"roles": ["cc_head"]})
    assert emp.role_codes == {"uo_dispatcher"}


@pytest.mark.django_db
def test_a_call_centre_that_is_also_technical_operator_gives_both_roles(territory):
    org = f.OrganizationFactory(kinds=["call_centre", "technical_operator"])
    emp, _password = services.employee_create(
        organization=org,
        full_name="Двойнова Ольга Петровна",
        position="Оператор",
        roles=["call_operator", "technical_operator"],
    )
    assert emp.role_codes == {"call_operator", "technical_operator"}
