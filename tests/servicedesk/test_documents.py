"""R9, R10: a confirming document attached to an action is checked by the transition service
itself (pages and the API only pass it on): a disguised or oversize file is refused, named, and
the request does not change."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from domovoy.core.errors import ApplicationError
from domovoy.servicedesk import services
from domovoy.servicedesk.models import ServiceRequest

pytestmark = [pytest.mark.django_db]


def complete_with(sr, actor, document):
    return services.service_request_transition(
        request=sr,
        action="complete",
        actor=actor,
        report="Заменён доводчик",
        comment="Доводчик заменён",
        document=document,
    )


@pytest.mark.req("R9")
@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("акт.pdf", b"MZ\x90\x00 an executable", "не соответствует расширению .pdf"),
        ("акт.exe", b"MZ\x90\x00", "тип файла не принимается"),
        ("акт.pdf", b"%PDF-1.4" + b"0" * 64, "файл больше"),
    ],
)
def test_a_bad_document_is_refused_by_the_service(settings, sr, uo_dispatcher, name, data, words):
    settings.SERVICEDESK_DOCUMENT_MAX_BYTES = 32
    services.service_request_transition(
        request=sr, action="accept", actor=uo_dispatcher, comment="Принято"
    )
    before = ServiceRequest.objects.get(pk=sr.pk)
    with pytest.raises(ApplicationError) as refused:
        complete_with(before, uo_dispatcher, SimpleUploadedFile(name, data))
    assert name in refused.value.fields["document"][0]
    assert words in refused.value.fields["document"][0]
    after = ServiceRequest.objects.get(pk=sr.pk)
    assert (after.status, after.version) == (before.status, before.version)


@pytest.mark.req("R9")
def test_a_real_scan_is_kept_with_the_completion(settings, tmp_path, sr, uo_dispatcher):
    settings.MEDIA_ROOT = tmp_path
    services.service_request_transition(
        request=sr, action="accept", actor=uo_dispatcher, comment="Принято"
    )
    done = complete_with(
        ServiceRequest.objects.get(pk=sr.pk),
        uo_dispatcher,
        SimpleUploadedFile("акт.pdf", b"%PDF-1.4 signed act"),
    )
    assert done.status == "done"
    assert done.events.get(action="complete").document
