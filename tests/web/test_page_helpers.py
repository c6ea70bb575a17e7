"""web.pages: the shared helpers of every page (issue 10, item 6) — one page of a list with one
pager include, one way to show a service's refusal on a form."""

import re
from pathlib import Path

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.test import RequestFactory

from domovoy.core.errors import ApplicationError
from domovoy.web import pages

ROOT = Path(__file__).resolve().parents[2] / "domovoy"
rf = RequestFactory()


def test_page_picks_the_asked_page_and_tolerates_junk():
    items = list(range(55))
    assert list(pages.page(rf.get("/", {"page": "2"}), items, 25)) == list(range(25, 50))
    assert pages.page(rf.get("/", {"page": "99"}), items, 25).number == 3
    assert pages.page(rf.get("/", {"page": "x"}), items, 25).number == 1
    assert pages.page(rf.get("/"), items).paginator.per_page == pages.PAGE_SIZE


def test_querystring_drops_the_page():
    request = rf.get("/", {"q": "Мира", "page": "3", "kind": "uo"})
    assert pages.querystring(request) == "q=%D0%9C%D0%B8%D1%80%D0%B0&kind=uo"


def _render(request, page, **extra):
    request.user = AnonymousUser()
    return render_to_string("web/_pager.html", {"page": page, **extra}, request=request)


def test_the_pager_keeps_the_filters_and_changes_only_the_page():
    request = rf.get("/list/", {"status": "new", "page": "2"})
    html = _render(request, pages.page(request, list(range(60)), 25))
    assert "Страница 2 из 3" in html
    assert 'href="?status=new&amp;page=1"' in html
    assert 'href="?status=new&amp;page=3"' in html


def test_the_pager_with_its_own_query_string():
    request = rf.get("/queue/", {"status": "new", "partial": "1", "page": "1"})
    html = _render(request, pages.page(request, list(range(60)), 25), pager_query="status=new")
    assert 'href="?status=new&amp;page=2"' in html
    assert "partial" not in html


def test_one_page_shows_no_pager():
    request = rf.get("/")
    assert _render(request, pages.page(request, [1, 2], 25)).strip() == ""


class _Form(forms.Form):
    flat = forms.CharField(required=False)
    text = forms.CharField(required=False)


def test_apply_errors_puts_fields_on_fields_and_the_rest_on_top():
    form = _Form(data={})
    assert form.is_valid()
    error = ApplicationError(
        "Заявка не принята",
        code="invalid",
        fields={"premises": ["Нет такой квартиры"], "text": ["Пусто"], "other": ["Не то"]},
    )
    pages.apply_errors(form, error, rename={"premises": "flat"})
    assert form.errors["flat"] == ["Нет такой квартиры"]
    assert form.errors["text"] == ["Пусто"]
    assert form.non_field_errors() == ["Заявка не принята", "Не то"]


# --- every page uses them ------------------------------------------------------------------


def _sources(pattern):
    return sorted(ROOT.rglob(pattern))


def test_no_page_builds_its_own_paginator():
    # The staff queue pages over primary keys (servicedesk/views_staff.py) and is the one
    # exception; the API paginates with DRF.
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources("*.py")
        if "Paginator(" in p.read_text(encoding="utf-8")
        and p.name != "pages.py"
        and p.relative_to(ROOT).as_posix() not in {"web/pages.py", "servicedesk/views_staff.py"}
    ]
    assert offenders == []


def test_no_template_draws_its_own_pager():
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources("*.html")
        if re.search(r"previous_page_number|next_page_number", p.read_text(encoding="utf-8"))
        and p.relative_to(ROOT).as_posix() != "web/templates/web/_pager.html"
    ]
    assert offenders == []


def test_no_page_puts_service_errors_on_a_form_by_hand():
    offenders = [
        str(p.relative_to(ROOT))
        for p in _sources("*.py")
        if (p.name.startswith("views") or p.name == "pages.py")
        and p.relative_to(ROOT).as_posix() != "web/pages.py"
        and "add_error(" in p.read_text(encoding="utf-8")
    ]
    assert offenders == []
