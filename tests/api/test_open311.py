"""Open311 GeoReport v2 at /open311/v2/ (S6, issue 13), exercised by a small client written from
the published specification (http://wiki.open311.org/GeoReport_v2 and the
``servicerequestupdates`` extension): its paths, parameter names, element names and the error
list ``[{code, description}]`` — not from our code. Bad input (S7): a wrong date, an unknown
service_code, a missing or revoked api_key, a point outside the city answer the specification's
error format and store nothing."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from domovoy.api import services as api_services
from domovoy.servicedesk import conversation, services
from domovoy.servicedesk.models import Channel, ServiceRequest, Topic

pytestmark = [pytest.mark.req("S6"), pytest.mark.django_db]

BASE = "/open311/v2/"
# Lists in the XML documents of the specification: the list element → its item element.
XML_LISTS = {
    "services": "service",
    "service_requests": "request",
    "service_request_updates": "request_update",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}


def _xml_value(element):
    children = list(element)
    if element.tag in XML_LISTS:
        return [_xml_value(c) for c in children if c.tag == XML_LISTS[element.tag]]
    if not children:
        return element.text or ""
    return {c.tag: _xml_value(c) for c in children}


class GeoReport:
    """A GeoReport v2 client: GET/POST ``<resource>.<format>``, form-encoded POST bodies with
    ``api_key``; answers parsed into Python (XML with ElementTree, every value a string, as a
    client of the specification would read it)."""

    def __init__(self, api_key=None):
        self.http = Client()
        self.api_key = api_key

    def _answer(self, response, fmt):
        if fmt == "json":
            assert response["Content-Type"].startswith("application/json")
            return response.status_code, response.json()
        assert response["Content-Type"].startswith("text/xml")
        root = ET.fromstring(response.content)
        return response.status_code, (root.tag, _xml_value(root))

    def get(self, resource, fmt="json", **params):
        return self._answer(self.http.get(f"{BASE}{resource}.{fmt}", params), fmt)

    def post_request(self, fmt="json", **params):
        if self.api_key is not None:
            params.setdefault("api_key", self.api_key)
        return self._answer(self.http.post(f"{BASE}requests.{fmt}", params), fmt)

    def discovery(self, fmt="json"):
        return self.get("discovery", fmt)

    def services(self, fmt="json"):
        return self.get("services", fmt)

    def definition(self, code, fmt="json"):
        return self.get(f"services/{code}", fmt)

    def requests(self, fmt="json", **params):
        return self.get("requests", fmt, **params)

    def request(self, sr_id, fmt="json"):
        return self.get(f"requests/{sr_id}", fmt)

    def token(self, token, fmt="json"):
        return self.get(f"tokens/{token}", fmt)

    def updates(self, fmt="json", **params):
        return self.get("servicerequestupdates", fmt, **params)


def assert_spec_error(answer, status, fmt="json"):
    got_status, body = answer
    assert got_status == status, body
    if fmt == "xml":
        tag, body = body
        assert tag == "errors"
    assert isinstance(body, list) and body
    for error in body:
        assert set(error) == {"code", "description"}
        assert int(error["code"]) == status
        assert error["description"].strip()
    return body[0]["description"]


@pytest.fixture
def setup(houses, classifier, links, make_agreement, make_token, territory):
    agreement = make_agreement(scopes=("requests:write", "requests:read"), system_name="Портал")
    return {"houses": houses, "agreement": agreement, "key": make_token(agreement)}


@pytest.fixture
def client311(setup):
    return GeoReport(api_key=setup["key"])


def _file(client, **params):
    params.setdefault("service_code", "entrance-door")
    params.setdefault("description", "Сломан доводчик входной двери во 2 подъезде")
    params.setdefault("lat", "57.76001")
    params.setdefault("long", "40.92003")
    status, body = client.post_request(**params)
    assert status == 200, body
    return body[0]["service_request_id"]


# --- Discovery and services -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_names_the_v2_endpoint_and_its_formats(fmt):
    status, body = GeoReport().discovery(fmt)
    assert status == 200
    if fmt == "xml":
        tag, body = body
        assert tag == "discovery"
    endpoint = body["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2/")
    assert set(endpoint["formats"]) == {"text/xml", "application/json"}
    assert body["changeset"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_are_the_classifiers_topics(classifier, fmt):
    status, body = GeoReport().services(fmt)
    assert status == 200
    if fmt == "xml":
        tag, body = body
        assert tag == "services"
    by_code = {s["service_code"]: s for s in body}
    door = by_code["entrance-door"]
    assert set(door) >= {
        "service_code", "service_name", "description", "metadata", "type", "keywords", "group"
    }  # fmt: skip
    topic = classifier["entrance-door"]
    assert door["service_name"] == topic.name
    assert door["group"] == topic.parent.name
    assert door["type"] == "realtime"
    assert str(door["metadata"]).lower() == "false"
    # groups are not services: a request is filed on a leaf
    assert topic.parent.code not in by_code
    # retired topics are not offered
    assert all(classifier[code].is_active for code in by_code)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_service_definition_and_an_unknown_code(classifier, fmt):
    client = GeoReport()
    status, body = client.definition("entrance-door", fmt)
    assert status == 200
    if fmt == "xml":
        tag, body = body
        assert tag == "service_definition"
    assert body["service_code"] == "entrance-door"
    assert body["attributes"] in ([], "")
    description = assert_spec_error(client.definition("no-such-thing", fmt), 404, fmt)
    assert "no-such-thing" in description


# --- POST requests ----------------------------------------------------------------------------


def test_a_valid_api_key_files_a_request_at_the_nearest_building(client311, setup):
    status, body = client311.post_request(
        service_code="entrance-door",
        lat="57.76098",  # about 10 m from ул. Советская, 2
        long="40.92105",
        description="Не закрывается дверь подъезда",
        first_name="Иван",
        last_name="Петров",
        phone="+7 910 555-12-34",
    )
    assert status == 200, body
    (created,) = body
    sr = ServiceRequest.objects.get(number=created["service_request_id"])
    assert sr.building == setup["houses"][1]
    assert sr.channel == "api"
    assert sr.external_system == "Портал"
    assert sr.topic.code == "entrance-door"
    assert sr.caller_name == "Петров Иван"
    assert sr.phone == "+79105551234"
    assert sr.executor_org is not None  # routed by the one intake service (R3)
    assert created["service_notice"]
    status, body = client311.token(created["token"])
    assert status == 200 and body[0]["service_request_id"] == created["service_request_id"]


def test_post_in_xml_and_by_address_string_and_address_id(client311, setup):
    status, (tag, body) = client311.post_request(
        "xml",
        service_code="entrance-door",
        address_string="Советская 3",
        description="Дверь",
    )
    assert status == 200, body
    assert tag == "service_requests"
    sr = ServiceRequest.objects.get(number=body[0]["service_request_id"])
    assert sr.building == setup["houses"][2]
    sr_id = _file(client311, lat="", long="", address_id=str(setup["houses"][0].pk))
    assert ServiceRequest.objects.get(number=sr_id).building == setup["houses"][0]


@pytest.mark.req("S7")
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_missing_or_revoked_api_key_is_refused_and_nothing_stored(setup, technical_operator, fmt):
    params = {
        "service_code": "entrance-door",
        "lat": "57.76",
        "long": "40.92",
        "description": "Дверь",
    }
    assert "api_key" in assert_spec_error(GeoReport().post_request(fmt, **params), 403, fmt)
    wrong = GeoReport(api_key="x" * 64)
    assert_spec_error(wrong.post_request(fmt, **params), 403, fmt)
    key = setup["key"]
    api_services.integration_token_revoke(
        actor=technical_operator, agreement=setup["agreement"], token_key=key[:15]
    )
    assert_spec_error(GeoReport(api_key=key).post_request(fmt, **params), 403, fmt)
    assert not ServiceRequest.objects.exists()


@pytest.mark.req("S7")
def test_an_expired_agreement_or_a_persons_token_files_nothing(setup, anna):
    from knox.models import AuthToken

    agreement = setup["agreement"]
    agreement.valid_to = timezone.localdate() - dt.timedelta(days=1)
    agreement.save(update_fields=["valid_to"])
    params = {"service_code": "entrance-door", "lat": "57.76", "long": "40.92", "description": "Д"}
    description = assert_spec_error(GeoReport(api_key=setup["key"]).post_request(**params), 403)
    assert "истёк" in description
    _instance, personal = AuthToken.objects.create(user=anna)
    assert_spec_error(GeoReport(api_key=personal).post_request(**params), 403)
    assert not ServiceRequest.objects.exists()


@pytest.mark.req("S7")
def test_a_key_without_requests_write_is_refused(setup, make_agreement, make_token):
    reader = make_agreement(scopes=("requests:read",))
    client = GeoReport(api_key=make_token(reader))
    status, body = client.post_request(
        service_code="entrance-door", lat="57.76", long="40.92", description="Дверь"
    )
    assert "requests:write" in assert_spec_error((status, body), 403)
    assert not ServiceRequest.objects.exists()


@pytest.mark.req("S7")
@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"service_code": "no-such-thing"}, "no-such-thing"),
        ({"service_code": ""}, "service_code"),
        ({"lat": "55.7558", "long": "37.6173"}, "вне города"),  # Moscow, not our city
        ({"lat": "57.7650", "long": "40.9300"}, "нет дома"),  # in the city, no house near
        ({"lat": "север", "long": "40.92"}, "lat"),
        ({"lat": "", "long": ""}, "lat и long"),
        ({"lat": "", "long": "", "address_string": "Ленина 99"}, "не найден"),
        ({"lat": "", "long": "", "address_string": "Советская"}, "нескольким"),
        ({"lat": "", "long": "", "address_id": "999999"}, "address_id"),
        ({"description": ""}, "Опишите проблему"),
        ({"phone": "12"}, "phone"),
        ({"phone": "+7 910 555-12-34" + "5" * 40}, "phone"),
        ({"description": "д" * 5001}, "5000"),
        ({"first_name": "И" * 150, "last_name": "П" * 60}, "200"),
        ({"device_id": "x" * 101}, "device_id"),
    ],
)
def test_bad_input_answers_spec_errors_and_stores_nothing(client311, params, words):
    body = {
        "service_code": "entrance-door",
        "lat": "57.76001",
        "long": "40.92003",
        "description": "Дверь",
        **params,
    }
    for fmt in ("json", "xml"):
        description = assert_spec_error(client311.post_request(fmt, **body), 400, fmt)
        assert words in description
    assert not ServiceRequest.objects.exists()


def test_a_key_limited_to_another_territory_files_nothing(
    setup, territory, make_agreement, make_token
):
    agreement = make_agreement(scopes=("requests:write",), territory=territory["other_district"])
    client = GeoReport(api_key=make_token(agreement))
    status, body = client.post_request(
        service_code="entrance-door", lat="57.76001", long="40.92003", description="Дверь"
    )
    assert "территории" in assert_spec_error((status, body), 400)
    assert not ServiceRequest.objects.exists()


def test_filing_is_throttled_like_the_rest_intake(setup, make_token):
    agreement = setup["agreement"]
    agreement.throttle_rate = "1/min"
    agreement.save(update_fields=["throttle_rate"])
    client = GeoReport(api_key=setup["key"])
    _file(client)
    status, body = client.post_request(
        service_code="entrance-door", lat="57.76001", long="40.92003", description="Ещё"
    )
    assert_spec_error((status, body), 429)
    assert ServiceRequest.objects.count() == 1


# --- GET requests -----------------------------------------------------------------------------

PERSONAL = ("Петров", "Иван", "+79105551234", "9105551234", "555-12-34", "кв. 17", "petrov@")


@pytest.mark.req("S5")
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_get_requests_reads_without_personal_data(client311, setup, fmt):
    sr_id = _file(
        client311,
        first_name="Иван",
        last_name="Петров",
        phone="+7 910 555-12-34",
        email="petrov@example.ru",
        description="Петров Иван, кв. 17, тел. +7 910 555-12-34, petrov@example.ru: дверь",
    )
    anonymous = GeoReport()
    status, body = anonymous.requests(fmt)
    assert status == 200
    if fmt == "xml":
        tag, body = body
        assert tag == "service_requests"
    (row,) = body
    assert row["service_request_id"] == sr_id
    assert row["service_code"] == "entrance-door"
    assert row["status"] == "open"
    assert row["address"].endswith("ул. Советская, д. 1")
    assert float(row["lat"]) == pytest.approx(57.76)
    assert float(row["long"]) == pytest.approx(40.92)
    assert row["requested_datetime"] and row["expected_datetime"]
    assert "дверь" in row["description"]
    for field in ("service_request_id", "requested_datetime"):
        assert row[field]
    raw = str(body)
    for value in PERSONAL:
        assert value not in raw, value
    status, one = anonymous.request(sr_id, fmt)
    assert status == 200
    one = one[1] if fmt == "xml" else one
    assert one == body


def test_the_integrations_own_name_is_not_masked_but_a_residents_is(client311, setup, anna):
    """The service account that authors an integration's requests is named after its system;
    a resident's own request masks the resident's name where the text repeats it."""
    sr_id = _file(client311, description="Портал передал: дверь не закрывается")
    status, body = GeoReport().request(sr_id)
    assert body[0]["description"] == "Портал передал: дверь не закрывается"
    own = services.service_request_create(
        building=setup["houses"][0],
        topic=Topic.objects.get(code="entrance-door"),
        text="Смирнова Анна просит починить дверь",
        channel=Channel.WEB,
        author=anna,
        actor=anna,
    )
    status, body = GeoReport().request(own.number)
    assert status == 200
    assert "Смирнова" not in body[0]["description"] and "Анна" not in body[0]["description"]
    assert "починить дверь" in body[0]["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_status_maps_to_open_and_closed(client311, fmt):
    done = _file(client311)
    closed = _file(client311)
    rejected = _file(client311)
    in_work = _file(client311)
    for number, status in ((done, "done"), (closed, "closed"), (rejected, "rejected")):
        ServiceRequest.objects.filter(number=number).update(status=status)
    ServiceRequest.objects.filter(number=in_work).update(status="in_work")
    anonymous = GeoReport()

    def ids(**params):
        status, body = anonymous.requests(fmt, **params)
        assert status == 200, body
        body = body[1] if fmt == "xml" else body
        return {r["service_request_id"]: r["status"] for r in body}

    assert ids(status="closed") == {done: "closed", closed: "closed", rejected: "closed"}
    assert ids(status="open") == {in_work: "open"}
    assert len(ids(status="open,closed")) == 4
    assert ids(service_request_id=f"{done},{in_work}") == {done: "closed", in_work: "open"}
    assert_spec_error(anonymous.requests(fmt, status="fixed"), 400, fmt)


@pytest.mark.req("S7")
def test_dates_filter_and_wrong_dates_are_refused(client311):
    sr_id = _file(client311)
    anonymous = GeoReport()
    today = timezone.localdate()
    status, body = anonymous.requests(start_date=(today - dt.timedelta(days=1)).isoformat())
    assert [r["service_request_id"] for r in body] == [sr_id]
    tomorrow = timezone.localtime() + dt.timedelta(days=1)
    status, body = anonymous.requests(start_date=tomorrow.isoformat())
    assert status == 200 and body == []
    status, body = anonymous.requests(end_date=(today - dt.timedelta(days=1)).isoformat())
    assert body == []
    status, body = anonymous.requests(service_code="entrance-door")
    assert len(body) == 1
    assert "start_date" in assert_spec_error(anonymous.requests(start_date="вчера"), 400)
    assert "end_date" in assert_spec_error(anonymous.requests(end_date="2026-13-45"), 400)
    assert_spec_error(anonymous.requests(start_date="2026-12-05", end_date="2026-12-01"), 400)
    assert_spec_error(anonymous.requests("xml", start_date="2026-02-30"), 400, "xml")
    assert "no-such" in assert_spec_error(anonymous.requests(service_code="no-such"), 400)
    many = ",".join(f"2026-{n:06d}" for n in range(101))
    assert "service_request_id" in assert_spec_error(
        anonymous.requests(service_request_id=many), 400
    )


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_request_or_token_answers_404(setup, fmt):
    assert_spec_error(GeoReport().request("2026-999999", fmt), 404, fmt)
    assert_spec_error(GeoReport().token("nothing", fmt), 404, fmt)


def test_an_unknown_format_answers_a_spec_error(setup):
    response = Client().get(f"{BASE}services.csv")
    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


# --- servicerequestupdates ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_updates_are_the_public_comments_without_internal_notes(client311, uo_dispatcher, fmt):
    sr_id = _file(client311)
    sr = ServiceRequest.objects.get(number=sr_id)
    conversation.comment_add(
        request=sr, author=uo_dispatcher, text="Мастер придёт завтра утром", is_public=True
    )
    conversation.comment_add(
        request=sr, author=uo_dispatcher, text="Внутреннее: позвонить 89101112233", is_public=False
    )
    status, body = GeoReport().updates(fmt, service_request_id=sr_id)
    assert status == 200, body
    if fmt == "xml":
        tag, body = body
        assert tag == "service_request_updates"
    (update,) = body
    assert update["service_request_id"] == sr_id
    assert update["description"] == "Мастер придёт завтра утром"
    assert update["status"] == "open"
    assert update["update_id"] and update["updated_datetime"]
    assert "Внутреннее" not in str(body)
    status, body = GeoReport().updates(fmt)  # the last 90 days
    body = body[1] if fmt == "xml" else body
    assert [u["description"] for u in body] == ["Мастер придёт завтра утром"]
    assert_spec_error(GeoReport().updates(fmt, start_date="не дата"), 400, fmt)


# --- Attacks and cost ---------------------------------------------------------------------------


@pytest.mark.req("S7")
def test_markup_and_control_characters_stay_text_in_both_formats(client311):
    text = "<script>alert(1)</script> ]]> & \x07звонок\x0b"
    sr_id = _file(client311, description=text)
    status, (tag, body) = GeoReport().request(sr_id, "xml")  # ElementTree parses the document
    assert status == 200
    assert "<script>alert(1)</script> ]]> &" in body[0]["description"]
    status, body = GeoReport().request(sr_id)
    assert "<script>alert(1)</script>" in body[0]["description"]


def test_the_rest_apis_token_header_works_too(setup):
    client = GeoReport()
    response = client.http.post(
        f"{BASE}requests.json",
        {"service_code": "entrance-door", "lat": "57.76", "long": "40.92", "description": "Дверь"},
        HTTP_AUTHORIZATION=f"Token {setup['key']}",
    )
    assert response.status_code == 200, response.json()
    assert ServiceRequest.objects.count() == 1


def test_the_list_costs_the_same_queries_for_one_or_many(client311, django_assert_num_queries):
    _file(client311)
    anonymous = GeoReport()
    with django_assert_num_queries(1):  # one joined read, whatever the number
        anonymous.requests()
    for _n in range(4):
        _file(client311)
    with django_assert_num_queries(1):
        status, body = anonymous.requests("xml")
    assert len(body[1]) == 5


@pytest.mark.req("S1")
def test_the_use_log_records_the_call_but_never_the_key(setup):
    from domovoy.api.models import TokenUse

    key = setup["key"]
    status, _body = GeoReport().requests(api_key=key, status="open")
    assert status == 200
    _file(GeoReport(api_key=key))
    paths = list(TokenUse.objects.values_list("path", flat=True))
    assert sorted(paths) == ["/open311/v2/requests.json", "/open311/v2/requests.json?status=open"]
    assert not any(key in p or key[:15] in p for p in paths)


def test_a_retired_topic_is_no_longer_offered_but_its_requests_stay_readable(client311):
    sr_id = _file(client311)
    Topic.objects.filter(code="entrance-door").update(is_active=False)
    status, body = GeoReport().services()
    assert "entrance-door" not in {s["service_code"] for s in body}
    assert_spec_error(GeoReport().definition("entrance-door"), 404)
    status, body = GeoReport().requests(service_code="entrance-door")
    assert status == 200 and [r["service_request_id"] for r in body] == [sr_id]
    params = {"service_code": "entrance-door", "lat": "57.76", "long": "40.92", "description": "Д"}
    assert_spec_error(client311.post_request(**params), 400)
    assert ServiceRequest.objects.count() == 1


def test_a_json_body_with_numbers_files_too(setup):
    response = Client().post(
        f"{BASE}requests.json",
        {
            "api_key": setup["key"],
            "service_code": "entrance-door",
            "lat": 57.761,
            "long": 40.921,
            "description": "Дверь",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    sr = ServiceRequest.objects.get(number=response.json()[0]["service_request_id"])
    assert sr.building == setup["houses"][1]
    response = Client().post(
        f"{BASE}requests.json",
        {"api_key": ["x"], "service_code": "entrance-door"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert ServiceRequest.objects.count() == 1
