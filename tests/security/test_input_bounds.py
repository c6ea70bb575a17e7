"""500s on hand-made input (issue 9, item 7): integers beyond their column, JSON nested
50,000 deep, thousands of parameters. Each answers 400 with a sentence — JSON in the API's
error format, a page with a message elsewhere — and nothing is changed. The last tests walk
every filter, form and serializer of the project so that a new unbounded one fails here."""

import importlib
import inspect
import json
import pkgutil

import django_filters
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

import domovoy
from domovoy.core import bounds
from domovoy.directory.models import Premises

pytestmark = [pytest.mark.django_db, pytest.mark.req("S7")]

HUGE = "9" * 40
DEEP = "[" * 50_000 + "]" * 50_000


def api_as(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def assert_json_400(response, code=None):
    assert response.status_code == 400, response.content[:300]
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["message"]
    if code:
        assert body["code"] == code
    return body


# --- integers beyond their column ------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/requests/?building=",
        "/api/v1/requests/?topic=",
        "/api/v1/requests/?executor=",
        "/api/v1/outages/?building=",
        "/api/v1/outages/?organization=",
        "/api/v1/audit/?actor=",
        "/api/v1/audit/personal-data/?user=",
        "/api/v1/work-orders/?request=",
        "/api/v1/premises/?building=",
    ],
)
def test_an_id_filter_of_forty_digits_is_a_json_400(functional_operator, url):
    body = assert_json_400(api_as(functional_operator).get(url + HUGE), "invalid")
    assert list(body["fields"]) == [url.rsplit("?", 1)[1].rstrip("=")]


@pytest.mark.parametrize("value", ["1.5", "-3", "1e400", "0x10"])
def test_an_id_filter_takes_only_a_whole_positive_number(functional_operator, value):
    assert_json_400(api_as(functional_operator).get("/api/v1/requests/", {"building": value}))


@pytest.mark.parametrize(
    "url", ["/requests/queue/?building=", "/outages/?building=", "/outages/buildings/?ids="]
)
def test_a_page_with_a_forty_digit_filter_does_not_fail(client, uo_dispatcher, url):
    client.force_login(uo_dispatcher)
    assert client.get(url + HUGE).status_code == 200  # the filter is refused, the page shown


def test_the_audit_page_with_a_forty_digit_actor_does_not_fail(client, functional_operator):
    client.force_login(functional_operator)
    assert client.get("/audit/", {"actor": HUGE}).status_code == 200


@pytest.mark.parametrize("value", [int(HUGE), 40_000, 0])
def test_entrances_beyond_the_column_are_refused(building, uo_admin, value):
    response = api_as(uo_admin).patch(
        f"/api/v1/buildings/{building.pk}/", {"entrances": value}, format="json"
    )
    assert "entrances" in assert_json_400(response)["fields"]
    building.refresh_from_db()
    assert building.entrances == 2


def test_the_models_bound_their_integers_whatever_the_database(building):
    building.entrances = 40_000
    with pytest.raises(ValidationError) as error:
        building.full_clean()
    assert "entrances" in error.value.message_dict
    premises = Premises(building=building, number="1", floor=-40_000)
    with pytest.raises(ValidationError) as error:
        premises.full_clean()
    assert "floor" in error.value.message_dict


@pytest.mark.parametrize("row", [f"{HUGE}:1", f"1:{HUGE}", "1:", ":1", "-1:1", "١:1"])
def test_bulk_accept_refuses_an_id_or_version_out_of_range(client, sr, uo_dispatcher, row):
    client.force_login(uo_dispatcher)
    response = client.post(
        reverse("servicedesk:staff_bulk_accept"), {"rows": [row], "comment": "Приняли"}, follow=True
    )
    assert response.status_code == 200
    assert "Неверный выбор заявок" in response.content.decode()
    sr.refresh_from_db()
    assert sr.status == "new"


# --- JSON -----------------------------------------------------------------------------------


def test_json_nested_fifty_thousand_deep_is_a_json_400(building, uo_admin):
    response = api_as(uo_admin).generic(
        "PATCH", f"/api/v1/buildings/{building.pk}/", DEEP, content_type="application/json"
    )
    assert_json_400(response, "json_too_deep")


def test_deep_json_is_refused_by_views_that_choose_their_parsers(sr, anna):
    response = api_as(anna).generic(
        "POST", f"/api/v1/requests/{sr.pk}/comments/", DEEP, content_type="application/json"
    )
    assert_json_400(response, "json_too_deep")


def test_json_in_strings_does_not_count_as_nesting():
    text = json.dumps({"a": "[" * 1000, "b": [[["x"]]]})
    assert bounds.json_loads(text)["b"] == [[["x"]]]
    assert bounds.json_depth(text, 32) == 4  # the object, then three lists


def test_a_body_over_the_limit_is_a_json_400(settings, building, uo_admin):
    settings.API_JSON_MAX_BYTES = 1000
    body = json.dumps({"street": "ул. " + "я" * 2000})
    response = api_as(uo_admin).generic(
        "PATCH", f"/api/v1/buildings/{building.pk}/", body, content_type="application/json"
    )
    assert_json_400(response, "body_too_large")


def test_deep_json_in_a_page_form_is_a_form_error(client, functional_operator, settings):
    from domovoy.workorders.forms import VersionForm

    form = VersionForm({"title": "Акт", "fields": DEEP, "layout": "[]"})
    assert not form.is_valid() and "fields" in form.errors


def test_deep_json_in_the_outage_zone_is_refused():
    from domovoy.core.errors import ApplicationError
    from domovoy.outages.forms import ZoneFields

    form = ZoneFields({"building_ids": "", "streets": DEEP, "polygon": "[]"})
    assert form.is_valid()
    with pytest.raises(ApplicationError):
        form.zone()
    form = ZoneFields({"building_ids": HUGE, "streets": "[]", "polygon": "[]"})
    assert form.is_valid()
    with pytest.raises(ApplicationError):
        form.zone()


def test_deep_json_to_the_telegram_webhook_is_a_400(client, settings):
    settings.NOTIFICATIONS_TELEGRAM_WEBHOOK_SECRET = "hook-secret"
    response = Client().post(
        "/notifications/telegram/webhook/hook-secret/", DEEP, content_type="application/json"
    )
    assert response.status_code == 400


# --- thousands of parameters (DATA_UPLOAD_MAX_NUMBER_FIELDS, query strings and forms alike) ---

MANY = "&".join(["status=new"] * 5000)


def test_thousands_of_query_parameters_are_a_json_400_on_the_api(functional_operator):
    assert_json_400(api_as(functional_operator).get("/api/v1/requests/?" + MANY), "too_many_fields")


def test_thousands_of_form_fields_are_a_json_400_on_the_api(anna):
    response = api_as(anna).generic(
        "POST", "/api/v1/requests/", MANY, content_type="application/x-www-form-urlencoded"
    )
    assert_json_400(response, "too_many_fields")


def test_thousands_of_query_parameters_are_a_400_page_with_a_message(client, uo_dispatcher):
    client.force_login(uo_dispatcher)
    response = client.get("/requests/queue/?" + MANY)
    assert response.status_code == 400
    assert "Слишком много параметров" in response.content.decode()


def test_thousands_of_form_fields_are_a_400_page_with_a_message(client, uo_dispatcher):
    client.force_login(uo_dispatcher)
    response = client.post(
        reverse("servicedesk:staff_bulk_accept"),
        "&".join(["rows=1:1"] * 5000),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "Слишком много параметров" in response.content.decode()


def test_anonymous_thousands_of_parameters_are_a_400_too():
    assert Client().get("/outages/public/?" + MANY).status_code == 400
    assert_json_400(Client().get("/api/v1/outages/public/?" + MANY), "too_many_fields")


# --- the class of test that catches the siblings -------------------------------------------


def _project_classes(base):
    for info in pkgutil.walk_packages(domovoy.__path__, "domovoy."):
        if ".migrations" in info.name or ".management" in info.name:
            continue
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, base) and cls.__module__ == module.__name__:
                yield cls


def test_every_number_filter_of_the_project_is_bounded():
    loose = []
    for filterset in _project_classes(django_filters.FilterSet):
        for name, flt in filterset.base_filters.items():
            if isinstance(flt, django_filters.NumberFilter):
                field = flt.field
                if getattr(field, "max_value", None) is None:
                    loose.append(f"{filterset.__name__}.{name}")
    assert loose == []


def test_every_integer_a_form_takes_is_bounded():
    loose = []
    for form in _project_classes(forms.BaseForm):
        for name, field in getattr(form, "base_fields", {}).items():
            if isinstance(field, forms.IntegerField) and field.max_value is None:
                loose.append(f"{form.__name__}.{name}")
    assert loose == []


# --- found by the fuzzer (make fuzz) -----------------------------------------------------------


@pytest.mark.parametrize("pk", ["abc", "%C2%ACv", HUGE, "-1"])
def test_a_work_order_id_that_is_not_a_number_is_a_json_404(functional_operator, pk):
    for url in (f"/api/v1/work-orders/{pk}/", f"/api/v1/work-orders/{pk}/pdf/"):
        response = api_as(functional_operator).get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
