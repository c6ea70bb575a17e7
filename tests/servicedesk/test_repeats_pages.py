"""Issue 13 on the pages: the resident's «Заявки по моему дому» with «У меня тоже» (N2), the
staff card with the chain of repeats (R14) and the count of affected residents, the queue's
count."""

import pytest

from domovoy.servicedesk.models import MeToo
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def boris_lives_here(boris, building):
    _prem, account = f.premises_with_account(building, number="7")
    account.residents.add(boris)
    return boris


@pytest.mark.req("N2")
def test_the_resident_presses_me_too_on_the_building_list_once_and_withdraws(
    sr, client_of, boris_lives_here
):
    sr.text = "<script>alert(1)</script> Иванов, кв. 5"
    sr.save(update_fields=["text"])
    client = client_of(boris_lives_here)
    page = client.get("/requests/my/building/")
    html = page.content.decode()
    assert page.status_code == 200
    assert f"№ {sr.number}" in html and "У меня тоже" in html
    assert "Иванов" not in html and "<script>alert" not in html  # no text on the list (S5)
    url = f"/requests/my/{sr.number}/me-too/"
    for _ in range(2):
        response = client.post(url, follow=True)
        assert response.status_code == 200
    sr.refresh_from_db()
    assert sr.me_too_count == 1
    html = response.content.decode()
    assert "Вы отметились" in html and "затронуто жителей: 2" in html
    client.post(url, {"withdraw": "1"})
    sr.refresh_from_db()
    assert sr.me_too_count == 0 and not MeToo.objects.exists()


@pytest.mark.req("N2")
def test_the_building_page_is_for_residents_and_refuses_other_buildings(
    sr, client_of, boris, uo_dispatcher
):
    assert client_of(uo_dispatcher).get("/requests/my/building/").status_code == 403
    client = client_of(boris)  # no account in the building
    assert f"№ {sr.number}" not in client.get("/requests/my/building/").content.decode()
    response = client.post(f"/requests/my/{sr.number}/me-too/", follow=True)
    assert "лицевой счёт" in response.content.decode()
    assert not MeToo.objects.exists()


@pytest.mark.req("R14")
@pytest.mark.req("N2")
def test_the_staff_card_shows_the_chain_and_the_count_and_the_queue_the_count(
    file_request, client_of, uo_dispatcher, boris_lives_here
):
    from domovoy.servicedesk import services

    first = file_request()
    second = file_request(text="Опять сломан доводчик")
    services.me_too_add(request=first, user=boris_lives_here)
    client = client_of(uo_dispatcher)
    html = client.get(f"/requests/work/{second.number}/").content.decode()
    assert "повторная" in html and "data-repeat-chain" in html
    assert f'data-chain-row="{first.number}"' in html
    assert f'href="/requests/work/{first.number}/"' in html
    card = client.get(f"/requests/work/{first.number}/").content.decode()
    assert "затронуто жителей: 2" in card
    assert f'data-chain-row="{second.number}"' in card
    queue = client.get("/requests/queue/").content.decode()
    assert "затронуто жителей: 2" in queue
