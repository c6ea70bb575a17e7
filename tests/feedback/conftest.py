import pytest

from domovoy.feedback import services
from tests import factories as f


@pytest.fixture
def other_operator_org_user(db, territory):
    """A control-body specialist: a participant that is not an operator."""
    org = f.OrganizationFactory(kinds=["control"], territory=territory["city"])
    return f.employee(org, roles=["cc_specialist"], username="ccspec").user


@pytest.fixture
def vulnerability(uo_dispatcher):
    return services.feedback_item_create(
        author=uo_dispatcher,
        kind="vulnerability",
        title="Обход авторизации",
        text="Страница /x открывается без входа",
    )


@pytest.fixture
def inn_change(uo_admin, uo):
    return services.feedback_item_create(
        author=uo_admin,
        kind="data_change",
        target_type="organization",
        target_id=uo.pk,
        field="inn",
        proposed_value=f.valid_inn10(990001),
        text="ИНН изменился после реорганизации",
    )
