"""Intake speed without a rule dropped (issue 10): the query count of an intake pinned for the
API and the service, the slim 201, the token-use log per minute (S1), and the cached routing,
classifier and calendar look-ups refreshed when what they are made of changes."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from domovoy.api.auth import token_use_flush
from domovoy.api.models import TokenUse
from domovoy.core.errors import Invalid
from domovoy.core.models import CalendarOverride
from domovoy.directory.models import ManagementPeriod
from domovoy.notifications.models import Notice
from domovoy.servicedesk import services
from domovoy.servicedesk.models import Channel, RequestEvent, ServiceRequest
from tests.fixtures import token_client

URL = "/api/v1/requests/"
READ_WRITE = ["requests:read", "requests:write"]
# What one intake may cost (the larger of SQLite and PostgreSQL), without the savepoints that
# only the test's own transaction causes. Token: the token just verified (with its user, the
# user's employee row, the agreement and its territory) and the building named (with its
# territory; the premises' building when premises are named) are kept in the process, no
# query; the insert (SQLite: and its number; PostgreSQL: a block of ids every 20 requests);
# the history row and its audit-log entry (S3). No notice: the integration's account is no
# resident. A session: the resident's employee row,
# the address check (12d of issue 9), the recipient, the notice (SQLite: and the existing dedup
# keys). The service (a resident's intake) also checks the resident's address in the building.
# Every intake: + 1 for repeat detection (R14, one query on the (building, created_at) index).
API_TOKEN_QUERIES = 4 + 1
API_SESSION_QUERIES = 8 + 1
SERVICE_QUERIES = 8 + 1


def _counted(ctx):
    return [
        q["sql"][:120]
        for q in ctx.captured_queries
        if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def _form(building, classifier, code="entrance-door", **extra):
    return {
        "building": building.pk,
        "topic": classifier[code].pk,
        "text": "Сломан доводчик входной двери во 2 подъезде",
        **extra,
    }


def _warm(client, building, classifier):
    """First intake: fills the cached classifier and routing, writes the minute's use row."""
    response = client.post(URL, _form(building, classifier), format="json")
    assert response.status_code == 201, response.json()


@pytest.fixture
def token_api(make_agreement, make_token, links):
    return token_client(make_token(make_agreement(scopes=READ_WRITE)))


@pytest.mark.req("R1")
def test_a_token_intake_costs_a_pinned_number_of_queries(token_api, building, classifier):
    """Before issue 10 an intake by token cost 27 queries (history, conversation and actions
    in the 201, a topic check, savepoints, four recipient look-ups, a use row per call)."""
    _warm(token_api, building, classifier)
    token_use_flush()
    with CaptureQueriesContext(connection) as ctx:
        response = token_api.post(URL, _form(building, classifier), format="json")
    assert response.status_code == 201, response.json()
    queries = _counted(ctx)
    assert len(queries) <= API_TOKEN_QUERIES, "\n".join(q[:150] for q in queries)
    # Nothing was dropped to get there: the row and its history row. The integration's account
    # is no resident: no notice to it (N2 tells residents; its own system tells its users).
    sr = ServiceRequest.objects.get(pk=response.json()["id"])
    assert RequestEvent.objects.filter(request=sr, action="create").count() == 1
    assert not Notice.objects.filter(group=f"request:{sr.pk}").exists()


@pytest.mark.req("R1")
def test_a_resident_intake_costs_a_pinned_number_of_queries(
    api_of, anna, building, classifier, links
):
    client = api_of(anna)
    _warm(client, building, classifier)
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(URL, _form(building, classifier), format="json")
    assert response.status_code == 201, response.json()
    queries = _counted(ctx)
    assert len(queries) <= API_SESSION_QUERIES, queries
    sr = ServiceRequest.objects.get(pk=response.json()["id"])
    assert Notice.objects.filter(group=f"request:{sr.pk}", channel="inbox").count() == 1  # N2


@pytest.mark.req("R1")
def test_the_intake_service_costs_a_pinned_number_of_queries(file_request):
    file_request()  # the cached look-ups filled
    with CaptureQueriesContext(connection) as ctx:
        sr = file_request()
    queries = _counted(ctx)
    assert len(queries) <= SERVICE_QUERIES, "\n".join(q[:150] for q in queries)
    assert sr.number and sr.events.count() == 1


@pytest.mark.req("R1")
def test_the_201_is_what_the_caller_needs_and_links_to_the_rest(
    api_of, anna, building, classifier, links, uo
):
    response = api_of(anna).post(URL, _form(building, classifier), format="json")
    assert response.status_code == 201
    body = response.json()
    assert not {"history", "comments", "actions"} & set(body)
    sr = ServiceRequest.objects.get(pk=body["id"])
    assert body["number"] == sr.number and body["status"] == "new"
    assert body["executor"] == {"id": uo.pk, "short_name": uo.short_name}
    assert body["deadline_at"] and body["phone"] == "+79101234567"
    client = api_of(anna)
    detail = client.get(body["links"]["self"]).json()
    assert [e["action"] for e in detail["history"]] == ["create"]
    assert client.get(body["links"]["actions"]).status_code == 200
    assert client.get(body["links"]["comments"]).json() == []


@pytest.mark.req("R1")
def test_numbers_are_the_year_and_the_id_unique_and_written_with_the_row(file_request):
    year = timezone.localdate().year
    made = [file_request() for _ in range(3)]
    for sr in made:
        sr.refresh_from_db()
        assert sr.number == f"{year}-{sr.pk:06d}"
    assert len({sr.number for sr in made}) == 3
    assert re.fullmatch(r"\d{4}-\d{6,}", made[0].number)


@pytest.mark.req("S1")
def test_token_use_is_logged_once_a_minute_per_path_with_the_count(
    make_agreement, make_token, building, classifier, links
):
    agreement = make_agreement(scopes=READ_WRITE)
    api = token_client(make_token(agreement))
    start = (timezone.now() + dt.timedelta(days=1)).replace(second=5, microsecond=0)
    with time_machine.travel(start, tick=False):
        for _ in range(3):
            assert api.post(URL, _form(building, classifier), format="json").status_code == 201
        assert api.get(URL).status_code == 200
        # Logged before the calls are counted: the first call of the minute writes its row.
        rows = TokenUse.objects.filter(agreement=agreement).order_by("method")
        assert [(u.method, u.path) for u in rows] == [("GET", URL), ("POST", URL)]
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        assert api.get(URL).status_code == 200  # a new minute: the last one's count is written
    counts = {
        (u.method, int((u.at - start).total_seconds() // 60)): u.count
        for u in TokenUse.objects.filter(agreement=agreement)
    }
    assert counts == {("POST", 0): 3, ("GET", 0): 1, ("GET", 1): 1}


@pytest.mark.req("S1")
def test_the_use_log_shows_the_calls_counted_so_far(
    api_of, technical_operator, make_agreement, make_token, building, classifier, links
):
    agreement = make_agreement(scopes=READ_WRITE)
    api = token_client(make_token(agreement))
    for _ in range(4):
        assert api.post(URL, _form(building, classifier), format="json").status_code == 201
    uses = api_of(technical_operator).get(f"/api/v1/integrations/{agreement.pk}/uses/")
    [row] = uses.json()["results"]
    assert (row["method"], row["path"], row["count"]) == ("POST", URL, 4)


@pytest.mark.req("R3")
def test_a_change_of_manager_reroutes_the_next_request_despite_the_cache(
    file_request, building, uo, other_uo
):
    assert file_request().executor_org == uo  # the routing is cached now
    period = ManagementPeriod.objects.get(building=building, end__isnull=True)
    period.organization = other_uo
    period.save()
    assert file_request().executor_org == other_uo


@pytest.mark.req("R2")
def test_a_retired_topic_is_refused_despite_the_cached_classifier(file_request, classifier):
    file_request()
    topic = classifier["entrance-door"]
    topic.is_active = False
    topic.save()
    with pytest.raises(Invalid) as exc:
        file_request()
    assert set(exc.value.fields) == {"topic"}


@pytest.mark.req("R15")
def test_a_new_calendar_override_moves_the_next_deadline(file_request, classifier):
    topic = classifier["entrance-door"]
    assert topic.deadline_working and topic.deadline_days, "a working-days topic"
    monday = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(monday, tick=False):
        before = file_request().deadline_at
        CalendarOverride.objects.create(date=dt.date(2026, 3, 3), is_working=False)
        after = file_request().deadline_at
    assert after.date() == before.date() + dt.timedelta(days=1)


@pytest.mark.req("R1")
def test_a_call_centre_intake_refused_leaves_the_callers_transaction_usable(
    call_operator, building, classifier
):
    from django.db import transaction

    with transaction.atomic():
        with pytest.raises(Invalid):
            services.service_request_create(
                building=building,
                topic=classifier["entrance-door"],
                text="",
                channel=Channel.CALL_CENTRE,
                actor=call_operator,
            )
        assert ServiceRequest.objects.count() == 0  # the transaction still answers


@pytest.mark.req("S1")
@pytest.mark.parametrize("token", ["zz" * 40, "\xe9" * 40, "0" * 64])
def test_a_bad_token_is_refused_with_401_never_a_500(token, building, classifier, links):
    response = token_client(token).post(URL, _form(building, classifier), format="json")
    assert response.status_code == 401
    assert not TokenUse.objects.exists()


@pytest.mark.req("S1")
def test_an_expired_token_is_refused_and_swept(make_agreement, make_token, building, classifier):
    from knox.models import AuthToken

    agreement = make_agreement(scopes=READ_WRITE)
    token = make_token(agreement)
    AuthToken.objects.update(expiry=timezone.now() - dt.timedelta(seconds=1))
    response = token_client(token).post(URL, _form(building, classifier), format="json")
    assert response.status_code == 401
    assert not AuthToken.objects.exists()


@pytest.mark.req("S2")
def test_a_building_moved_out_of_the_tokens_territory_is_refused_despite_the_cache(
    make_agreement, make_token, building, classifier, territory, links
):
    api = token_client(
        make_token(make_agreement(scopes=READ_WRITE, territory=territory["district"]))
    )
    _warm(api, building, classifier)  # the building (with its territory) is kept now
    building.territory = territory["other_district"]
    building.save()
    response = api.post(URL, _form(building, classifier), format="json")
    assert response.status_code == 400 and set(response.json()["fields"]) == {"building"}


@pytest.mark.req("R1")
def test_premises_moved_to_another_building_are_refused_despite_the_cache(
    token_api, building, classifier, uo
):
    from domovoy.directory.models import Premises
    from tests import factories as f

    flat = Premises.objects.create(building=building, number="12")
    _warm(token_api, building, classifier)
    assert (
        token_api.post(URL, _form(building, classifier, premises=flat.pk), format="json")
    ).status_code == 201
    flat.building = f.BuildingFactory(territory=building.territory)
    flat.save()
    response = token_api.post(URL, _form(building, classifier, premises=flat.pk), format="json")
    assert response.status_code == 400 and set(response.json()["fields"]) == {"premises"}
    # Premises no request names may go: kept ones go with them.
    other = Premises.objects.create(building=flat.building, number="13")
    form = _form(building, classifier, premises=other.pk)
    assert token_api.post(URL, form, format="json").status_code == 400  # kept now
    other.delete()
    response = token_api.post(URL, form, format="json")
    assert response.status_code == 400 and "не существует" in str(response.json()["fields"])
