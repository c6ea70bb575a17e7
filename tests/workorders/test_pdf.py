"""The printed work order (R9): a PDF with the bundled Cyrillic font, the executor's card, the
request, the works and the signature lines; served only to those who may read the request (S2).
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from domovoy.workorders import services
from domovoy.workorders.pdf import render_work_order_pdf

from .conftest import good_data
from .helpers import pdf_text

pytestmark = [pytest.mark.req("R9"), pytest.mark.django_db]


def squeeze(text):
    return " ".join(text.split())


def test_the_pdf_prints_the_card_the_request_the_works_and_the_signatures(work_order, uo):
    content = render_work_order_pdf(work_order)
    assert content.startswith(b"%PDF")
    assert b"DejaVuSans" in content and b"Helvetica" not in content  # the bundled font only
    text = squeeze(pdf_text(content))
    req = work_order.request
    for expected in (
        "Заказ-наряд на выполнение работ по заявке",
        f"№ {work_order.number} от 10.03.2026",
        uo.full_name,
        f"ИНН {uo.inn}",
        uo.actual_address,
        f"Телефон диспетчерской: {uo.dispatcher_phone}",
        f"№ {req.number} от 10.03.2026",
        req.building.address,
        str(req.topic),
        req.text,
        "Замена доводчика входной двери",
        "Регулировка петель",
        "Трудозатраты",
        "1,5 чел.-ч",
        "Слесарь Кузнецов А. В.",
        "Работы принял, претензий не имею.",
        "Исполнитель:",
        "Заявитель:",
        "стр. 1 из 1",
        "версия 1",
    ):
        assert expected in text, expected


def test_a_long_works_list_flows_onto_more_pages(form, in_work, uo_dispatcher):
    works = [{"name": f"Работа № {i} по замене участка трубы", "quantity": i} for i in range(1, 51)]
    wo = services.work_order_create(
        request=in_work, actor=uo_dispatcher, data=good_data(works=works)
    )
    text = squeeze(pdf_text(render_work_order_pdf(wo)))
    assert "Работа № 50 по замене участка трубы" in text
    assert "стр. 1 из 2" in text and "стр. 2 из 2" in text


def test_the_pdf_renders_to_an_image_for_a_look(work_order):
    """Kept under var/screenshots/ so that a person can look at the printed form."""
    assert shutil.which("pdftoppm"), "poppler-utils (pdftoppm) is needed"
    out = Path(settings.VAR_DIR) / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    pdf = out / "workorder-default.pdf"
    pdf.write_bytes(render_work_order_pdf(work_order))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(out / "workorder-default")],
        check=True,
    )
    png = out / "workorder-default.png"
    assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 10_000


def test_the_page_serves_the_pdf_to_the_executor_and_the_author(
    client, work_order, uo_dispatcher, anna
):
    for user in (uo_dispatcher, anna):
        client.force_login(user)
        response = client.get(f"/workorders/{work_order.pk}/pdf/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'inline; filename="{work_order.number.replace("ЗН", "ZN")}.pdf"'
        )
        assert response.content.startswith(b"%PDF")
    response = client.get(f"/workorders/{work_order.pk}/pdf/?download=1")
    assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.req("S2")
def test_the_pdf_page_refuses_strangers(client, work_order, other_uo_dispatcher, boris):
    for user in (other_uo_dispatcher, boris):
        client.force_login(user)
        assert client.get(f"/workorders/{work_order.pk}/pdf/").status_code == 403
        assert client.get(f"/workorders/{work_order.pk}/").status_code == 403
    client.logout()
    response = client.get(f"/workorders/{work_order.pk}/pdf/")
    assert response.status_code == 302 and "/login" in response["Location"]
    client.force_login(other_uo_dispatcher)
    assert client.get("/workorders/999999/pdf/").status_code == 404


def test_the_api_serves_the_pdf(work_order, uo_dispatcher):
    api = APIClient()
    api.force_authenticate(uo_dispatcher)
    response = api.get(f"/api/v1/work-orders/{work_order.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert work_order.number in squeeze(pdf_text(response.content))


@pytest.mark.req("S2")
def test_the_api_refuses_the_pdf_to_strangers(work_order, other_uo_dispatcher, boris):
    api = APIClient()
    for user in (other_uo_dispatcher, boris):
        api.force_authenticate(user)
        response = api.get(f"/api/v1/work-orders/{work_order.pk}/pdf/")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
    api.force_authenticate(None)
    assert api.get(f"/api/v1/work-orders/{work_order.pk}/pdf/").status_code in (401, 403)
