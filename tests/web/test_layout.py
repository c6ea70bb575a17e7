"""The site's layout around every page (issue 12, items 3 and 11): the favicon — linked from
the layout and answered at /favicon.ico — and the error pages in Russian, in the layout, each
with a way back (the previous page and the home page)."""

import pytest
from django.views import defaults


@pytest.mark.req("S7")
def test_the_favicon_is_answered_and_linked(client, resident):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header
    client.force_login(resident)
    html = client.get("/").content.decode()
    assert 'rel="icon" href="/static/web/favicon.svg"' in html
    assert client.get("/static/web/favicon.svg").status_code == 200


@pytest.mark.req("S7")
def test_the_favicon_is_answered_before_a_one_time_password_is_changed(client, resident):
    resident.must_change_password = True
    resident.save()
    client.force_login(resident)
    assert client.get("/favicon.ico").status_code == 200


def _way_back(html):
    return "data-history-back" in html and "Вернуться назад" in html and "На главную" in html


@pytest.mark.req("S7")
def test_the_403_and_404_pages_are_russian_in_the_layout_with_a_way_back(client, resident):
    client.force_login(resident)
    refused = client.get("/audit/")
    assert refused.status_code == 403
    html = refused.content.decode()
    assert "Доступ запрещён" in html and 'class="navbar' in html and _way_back(html)
    missing = client.get("/no-such-page/")
    assert missing.status_code == 404
    html = missing.content.decode()
    assert "Страница не найдена" in html and 'class="navbar' in html and _way_back(html)


@pytest.mark.req("S7")
def test_the_500_page_has_a_way_back_without_any_context():
    from django.test import RequestFactory

    response = defaults.server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and "Ошибка сервера" in html and _way_back(html)
    assert "/static/web/behaviours.js" in html
