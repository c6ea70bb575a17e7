"""The conversation inside a request (R7, R12): public comments the resident sees and internal
notes between the participating organisations, both with attachments.

- ``comment_add``: the one write. The author must be a party (``can_comment``); files are
  checked by ``core.uploads`` (policy ATTACHMENT: type by extension AND by content, size, image
  pixels, zip bounds) and counted before anything is written; images get a 320 px JPEG
  thumbnail (their pixel count is bounded before any decoding).
  A refused comment leaves no row and no file on disk.
- ``comments_for``: the conversation as ``user`` may see it (internal notes only with
  ``servicedesk.view_request_internal``), attachments prefetched.
- ``attachment_get``: an attachment for the permission-checked download (never /media/).

Settings (read with defaults): ``SERVICEDESK_UPLOAD_TYPES`` (extensions), ``SERVICEDESK_
UPLOAD_MAX_BYTES`` (per file), ``SERVICEDESK_UPLOAD_MAX_FILES`` (per comment), and the content
bounds of ``core.uploads``.
"""

from __future__ import annotations

import io

import rules
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from domovoy.core import uploads
from domovoy.core.errors import Conflict, Forbidden, Invalid
from domovoy.directory import roles

from . import events, services
from . import permissions as who
from .models import Attachment, Channel, Comment, ServiceRequest

TEXT_MAX_LENGTH = 5000
THUMBNAIL_PX = 320


def upload_types() -> tuple[str, ...]:
    return uploads.ATTACHMENT.extensions


def upload_max_bytes() -> int:
    return uploads.ATTACHMENT.max_bytes


def upload_max_files() -> int:
    return int(settings.SERVICEDESK_UPLOAD_MAX_FILES)


def upload_rules_text() -> str:
    """The limits in words, for forms and the API description."""
    mb = upload_max_bytes() / (1024 * 1024)
    return _("до %(n)s файлов: %(types)s, не больше %(mb)s МБ каждый") % {
        "n": upload_max_files(),
        "types": ", ".join(upload_types()),
        "mb": f"{mb:g}",
    }


# --- Who may write ---------------------------------------------------------------------------


@rules.predicate
def is_call_centre_for_caller(user, request) -> bool:
    """The call centre speaks in the requests it filed for callers (R1, S2)."""
    return (
        request is not None
        and request.channel == Channel.CALL_CENTRE
        and who.is_call_operator(user, request)
    )


# The parties to a request who may write in it (R7, R12). Kept here rather than in
# ``permissions.py`` (owned by the workflow core); registered as ``servicedesk.comment_request``.
can_comment = (
    who.is_author
    | who.is_executor
    | who.is_controller
    | who.is_origin_uo
    | is_call_centre_for_caller
    | who.is_functional_operator
)
rules.add_perm("servicedesk.comment_request", can_comment)


def can_write_internal(user, request) -> bool:
    """Internal notes: parties other than the resident (who never sees them)."""
    return bool(can_comment.test(user, request)) and user.has_perm(
        "servicedesk.view_request_internal", request
    )


# --- Checking files --------------------------------------------------------------------------


class _Checked:
    """A file that passed every check, with what will be stored."""

    def __init__(self, name, ext, content_type, data, thumbnail):
        self.name = name
        self.ext = ext
        self.content_type = content_type
        self.data = data
        self.thumbnail = thumbnail


def _read(upload) -> bytes:
    if hasattr(upload, "seek"):
        upload.seek(0)
    if hasattr(upload, "chunks"):
        data = b"".join(upload.chunks())
    else:
        data = upload.read()
    return data if isinstance(data, bytes) else bytes(data)


def _image_thumbnail(data: bytes) -> bytes | None:
    """A 320 px JPEG thumbnail of an image ``uploads`` accepted (its pixel count is bounded
    and Pillow's decompression-bomb bound is set); None if it fails to decode."""
    from PIL import ImageOps

    Image = uploads.pillow()
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (THUMBNAIL_PX * 2, THUMBNAIL_PX * 2))  # JPEG: decode scaled down
            image.load()
            image = ImageOps.exif_transpose(image)
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            image.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=82)
            return out.getvalue()
    except Exception:  # noqa: BLE001 - any failure to decode means "not an image"
        return None


def check_files(files) -> list[_Checked]:
    """Every file against the rules of ``core.uploads`` (policy ATTACHMENT) and the count;
    raises ``Invalid`` (field ``files``) listing all the refused files. Writes
    nothing. Images get their thumbnail here."""
    checked = uploads.check_uploads(
        files, uploads.ATTACHMENT, field="files", max_files=upload_max_files()
    )
    result, errors = [], []
    for item in checked:
        data = _read(item.upload)
        thumbnail = _image_thumbnail(data) if item.is_image else None
        if item.is_image and thumbnail is None:
            errors.append(
                _("«%(name)s»: содержимое файла не соответствует расширению .%(ext)s")
                % {"name": item.name, "ext": item.ext}
            )
            continue
        result.append(_Checked(item.name, item.ext, item.content_type, data, thumbnail))
    if errors:
        raise uploads.UploadError(errors, field="files")
    return result


# --- The write -------------------------------------------------------------------------------


def comment_add(
    *, request: ServiceRequest, author, text: str, is_public: bool, files=(), photos_public=False
) -> Comment:
    """Write a public comment or an internal note with its files (R7, R12). Refused with a
    clear error — and nothing stored, neither rows nor files — when the author is not a party,
    the resident asks for an internal note, there is neither text nor file, or a file breaks
    the limits. ``photos_public``: the resident allows the photos on the open-data page (R17);
    honoured only for images of a public comment by the request's author."""
    if request.is_deleted:
        raise Conflict(_("Заявка удалена заявителем"), code="deleted")
    if not can_comment.test(author, request):
        raise Forbidden(_("Писать в заявке могут только заявитель и участвующие в ней организации"))
    is_public = bool(is_public)
    if not is_public and not can_write_internal(author, request):
        raise Forbidden(
            _("Внутренние заметки пишут только организации — участники заявки"),
            code="internal_forbidden",
        )
    text = (text or "").strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise Invalid(
            _("Комментарий длиннее %(n)s символов") % {"n": TEXT_MAX_LENGTH},
            fields={"text": [_("Не больше %(n)s символов") % {"n": TEXT_MAX_LENGTH}]},
        )
    checked = check_files(files)
    if not text and not checked:
        raise Invalid(
            _("Напишите комментарий или приложите файл"),
            code="required",
            fields={"text": [_("Обязательное поле")]},
        )

    photos_public = bool(photos_public) and is_public and author.pk == request.author_id
    stored: list = []
    try:
        with transaction.atomic():
            comment = Comment.objects.create(
                request=request,
                author=author,
                author_org=roles.organization_of(author),
                text=text,
                is_public=is_public,
                created_at=timezone.now(),
            )
            for item in checked:
                attachment = Attachment(
                    comment=comment,
                    request=request,
                    original_name=item.name,
                    content_type=item.content_type,
                    size=len(item.data),
                    is_public=photos_public and item.thumbnail is not None,
                )
                attachment.file.save(f"file.{item.ext}", ContentFile(item.data), save=False)
                stored.append(attachment.file)
                if item.thumbnail is not None:
                    attachment.thumbnail.save(
                        "thumbnail.jpg", ContentFile(item.thumbnail), save=False
                    )
                    stored.append(attachment.thumbnail)
                attachment.save()
            if is_public:
                events.notify_resident_of_comment(request, comment)
    except BaseException:
        for field_file in stored:  # the rows rolled back: no orphan files either
            field_file.storage.delete(field_file.name)
        raise
    return comment


def service_request_create_with_files(
    *, files=(), photos_public=False, **create_kwargs
) -> ServiceRequest:
    """Intake with photos and files (R1, R7): ``services.service_request_create`` and, when
    there are files, the author's first public comment carrying them (by the resident, or by
    the call-centre operator for a caller). The files are checked before anything is written;
    one transaction: a refused file leaves neither the request nor a file."""
    files = [f for f in (files or ()) if f is not None]
    check_files(files)
    with transaction.atomic():
        request = services.service_request_create(**create_kwargs)
        if files:
            comment_add(
                request=request,
                author=create_kwargs["actor"],
                text="",
                is_public=True,
                files=files,
                photos_public=photos_public,
            )
    return request


# --- Reads -----------------------------------------------------------------------------------


def comments_for(
    *, request: ServiceRequest, user, include_internal: bool | None = None
) -> list[Comment]:
    """The conversation of ``request`` as ``user`` may see it: everything for the participants
    with ``servicedesk.view_request_internal``, public comments only for the resident; nothing
    for a user who may not read the request. Authors, organisations and attachments are
    fetched in three queries whatever the length.

    ``include_internal`` given: the caller has already decided what its reader may see (the
    API for integration tokens, whose rights come from their agreement, not from a role)."""
    if include_internal is None:
        if not user.has_perm("servicedesk.view_request", request):
            return []
        include_internal = user.has_perm("servicedesk.view_request_internal", request)
    qs = request.comments.select_related("author", "author_org").prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.order_by("id"))
    )
    if not include_internal:
        qs = qs.filter(is_public=True)
    return list(qs.order_by("created_at", "id"))


def attachment_get(
    *, request: ServiceRequest, user, pk, include_internal: bool | None = None
) -> Attachment | None:
    """An attachment of ``request`` that ``user`` may download (the request's reading rules; an
    internal note's files only with ``view_request_internal``), or None. ``include_internal``
    as in ``comments_for``."""
    if include_internal is None:
        if not user.has_perm("servicedesk.view_request", request):
            return None
        include_internal = user.has_perm("servicedesk.view_request_internal", request)
    attachment = Attachment.objects.select_related("comment").filter(request=request, pk=pk).first()
    if attachment is None:
        return None
    if not attachment.comment.is_public and not include_internal:
        return None
    return attachment
