"""Every change leaves an entry: who, when, what, before/after (S3)."""

import pytest
from django.test import RequestFactory
from simple_history.middleware import HistoryRequestMiddleware

from domovoy.audit.models import AuditEntry
from domovoy.audit.services import acting_as, audit_bulk
from domovoy.directory.services import organization_update
from tests import factories as f

pytestmark = [pytest.mark.req("S3"), pytest.mark.django_db]


def _last_update(org):
    return AuditEntry.objects.filter(
        model_label="directory.organization", object_id=str(org.pk), action="update"
    ).get()


def test_a_card_change_records_the_actor_and_before_after(uo, uo_admin):
    old_hours = uo.working_hours
    with acting_as(uo_admin):
        organization_update(organization=uo, data={"working_hours": "пн–пт 8:00–17:00"})
    entry = _last_update(uo)
    assert entry.actor == uo_admin
    assert uo_admin.full_name in entry.actor_name
    assert str(uo) in entry.actor_name  # the actor's organisation
    assert entry.organization_id == uo.pk
    assert entry.model == "организация"
    assert entry.changes == {"working_hours": [old_hours, "пн–пт 8:00–17:00"]}
    assert entry.territory_path == uo.territory.path


def test_the_actor_is_taken_from_the_request_as_pages_do(uo, uo_admin):
    """simple-history's middleware exposes the request; the signed-in user becomes the actor."""
    request = RequestFactory().post("/directory/")
    request.user = uo_admin

    def view(req):
        organization_update(organization=uo, data={"short_name": "ООО «Новое имя»"})
        return None

    HistoryRequestMiddleware(view)(request)
    entry = _last_update(uo)
    assert entry.actor == uo_admin
    assert entry.changes["short_name"][1] == "ООО «Новое имя»"


def test_the_explicit_history_user_wins(uo, uo_admin, functional_operator):
    uo._history_user = functional_operator
    with acting_as(uo_admin):
        organization_update(organization=uo, data={"okved": "68.32"})
    assert _last_update(uo).actor == functional_operator


def test_a_change_without_a_person_is_attributed_to_the_system(uo):
    organization_update(organization=uo, data={"okved": "68.32"})
    entry = _last_update(uo)
    assert entry.actor is None
    assert entry.actor_name == "система"


def test_saving_without_changes_adds_no_entry(uo, uo_admin):
    before = AuditEntry.objects.count()
    with acting_as(uo_admin):
        organization_update(organization=uo, data={})
    assert AuditEntry.objects.count() == before


def test_creation_and_deletion_are_recorded_with_their_values(territory, functional_operator):
    with acting_as(functional_operator):
        building = f.BuildingFactory(street="ул. Ленина", house="7", territory=territory["city"])
        pk = building.pk
        building.delete()
    created = AuditEntry.objects.get(model_label="directory.building", action="create")
    deleted = AuditEntry.objects.get(model_label="directory.building", action="delete")
    assert created.changes["street"] == [None, "ул. Ленина"]
    assert deleted.changes["street"] == ["ул. Ленина", None]
    assert deleted.object_id == str(pk)
    assert deleted.actor == functional_operator
    assert created.territory_path == territory["city"].path


def test_the_stored_type_name_does_not_depend_on_the_request_language(uo, uo_admin):
    from django.utils import translation

    with translation.override("en"), acting_as(uo_admin):
        organization_update(organization=uo, data={"okved": "68.32"})
    assert _last_update(uo).model == "организация"


def test_a_bulk_load_writes_one_summary_entry(uo_admin):
    entry = audit_bulk(
        actor=uo_admin,
        model="лицевые счета",
        object_id=12,
        summary="Загружено 200 000 счетов",
        details={"rows": 200000},
    )
    assert entry.action == "bulk"
    assert entry.changes == {"rows": 200000}
    assert entry.territory_path.startswith("/")
