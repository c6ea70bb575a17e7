"""Private files (S5): every file a user uploads is stored here, never under MEDIA_ROOT.

- ``private_storage``: a file-system storage rooted at ``PRIVATE_MEDIA_ROOT``, outside any
  public URL space; its files have no URL (``.url`` raises), so a template or serializer
  cannot leak a path by mistake.
- ``random_upload_to(prefix)``: the ``upload_to`` of every FileField: a random token name
  that keeps only a safe extension (the original name goes to a column of the model).
- ``serve_private_file``: the only way bytes leave: called by download views after they asked
  the permission. Streams the file in the embedded mode, or hands it to the web server
  (``X-Accel-Redirect`` for nginx, ``X-Sendfile`` for Apache) per ``PRIVATE_FILES_SERVER``.
- ``register_download``/``download_url``: the download view of each FileField, so that pages
  and a test enumerating every FileField find it.
- ``move_public_files``: moves files left under the old public MEDIA_ROOT into private storage
  with random names (run after ``migrate``, see ``domovoy.core.apps``).
"""

from __future__ import annotations

import mimetypes
import os
import re
import secrets
from collections.abc import Callable
from pathlib import PurePosixPath
from urllib.parse import quote

from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.http import FileResponse, Http404, HttpResponse
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header
from rest_framework.negotiation import BaseContentNegotiation

SERVERS = ("django", "nginx", "apache")
# Shown in the browser; everything else is downloaded (an HTML or SVG upload must never run
# script in our origin).
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"})
_SAFE_EXT = re.compile(r"^[a-z0-9]{1,10}$")


@deconstructible(path="domovoy.core.private_files.PrivateStorage")
class PrivateStorage(FileSystemStorage):
    """FileSystemStorage at ``settings.PRIVATE_MEDIA_ROOT`` (read lazily, so tests may
    override it) without a base URL."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @cached_property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Private files have no URL: link to the field's download view.")

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


private_storage = PrivateStorage()


def safe_extension(filename: str) -> str:
    """ ".pdf" for "Акт №5.PDF"; "" when the extension is missing or odd."""
    suffix = PurePosixPath(str(filename).replace("\\", "/")).suffix.lower().lstrip(".")
    return f".{suffix}" if _SAFE_EXT.match(suffix) else ""


@deconstructible(path="domovoy.core.private_files.RandomUploadTo")
class RandomUploadTo:
    """``upload_to`` callable: ``<prefix>/<32 hex><.ext>``; serialisable for migrations."""

    def __init__(self, prefix: str):
        self.prefix = prefix.strip("/")

    def __call__(self, instance, filename: str) -> str:
        return f"{self.prefix}/{secrets.token_hex(16)}{safe_extension(filename)}"

    def __eq__(self, other):
        return isinstance(other, RandomUploadTo) and other.prefix == self.prefix

    def __hash__(self):
        return hash(self.prefix)


def random_upload_to(prefix: str) -> RandomUploadTo:
    return RandomUploadTo(prefix)


class PrivateFileInput(forms.ClearableFileInput):
    """A file input that never links to the stored file (it has no URL; pages link to the
    field's download view themselves)."""

    def is_initial(self, value):
        return False


class PrivateFileField(models.FileField):
    """The FileField of every upload: private storage, a random name under ``prefix``, and a
    form widget without a link to the file."""

    def __init__(self, *args, prefix: str = "files", **kwargs):
        kwargs.setdefault("upload_to", random_upload_to(prefix))
        kwargs.setdefault("storage", private_storage)
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        kwargs.setdefault("widget", PrivateFileInput)
        return super().formfield(**kwargs)


def original_name(upload) -> str:
    """The user's file name of an upload (for Content-Disposition), without any path."""
    name = getattr(upload, "name", None) or str(upload or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:255]


# --- Serving ---------------------------------------------------------------------------------


def _disposition_name(filename: str, stored_name: str) -> str:
    name = original_name(filename) or f"file{safe_extension(stored_name)}"
    return name


def serve_private_file(request, field_file, *, filename: str, content_type=None, inline=False):
    """The response for a private file the caller has checked the viewer for.

    ``inline`` is honoured only for images and PDF; anything else is an attachment with
    ``Content-Security-Policy: sandbox``. Raises Http404 for an empty field or a lost file."""
    if not field_file or not field_file.name:
        raise Http404
    if not isinstance(field_file.storage, PrivateStorage):
        raise ImproperlyConfigured(f"{field_file.field} must use domovoy.core.private_files")
    name = field_file.name
    content_type = (
        content_type or mimetypes.guess_type(name)[0] or "application/octet-stream"
    ).lower()
    as_inline = inline and content_type in INLINE_TYPES
    server = settings.PRIVATE_FILES_SERVER
    if server == "django":
        try:
            handle = field_file.storage.open(name, "rb")
        except (FileNotFoundError, IsADirectoryError):
            raise Http404
        response = FileResponse(handle, content_type=content_type)
    elif server == "nginx":
        if not field_file.storage.exists(name):
            raise Http404
        response = HttpResponse(content_type=content_type)
        location = settings.PRIVATE_FILES_NGINX_LOCATION.rstrip("/")
        response["X-Accel-Redirect"] = f"{location}/{quote(name)}"
    elif server == "apache":
        path = field_file.storage.path(name)
        if not os.path.isfile(path):
            raise Http404
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = path
    else:
        raise ImproperlyConfigured(f"PRIVATE_FILES_SERVER must be one of {SERVERS}")
    response["Content-Disposition"] = content_disposition_header(
        not as_inline, _disposition_name(filename, name)
    )
    response["X-Content-Type-Options"] = "nosniff"
    if content_type != "application/pdf":  # a sandbox would break the browser's PDF viewer
        response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response["Cache-Control"] = "private, max-age=300"
    return response


class AnyContentNegotiation(BaseContentNegotiation):
    """API file downloads answer whatever the client accepts (an <img> asks for image/*)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# --- Download views, per field --------------------------------------------------------------

_downloads: dict[tuple[str, str], Callable[[models.Model], str]] = {}


def register_download(model_label: str, field_name: str, url_for: Callable[[models.Model], str]):
    """Declare the download view of ``<app>.<Model>.<field>``: ``url_for(instance)`` gives its
    URL. Called from each app's ``AppConfig.ready``."""
    _downloads[(model_label, field_name)] = url_for


def download_url(instance: models.Model, field_name: str) -> str:
    """The URL of the download view of a file of ``instance`` ("" when the field is empty)."""
    if not getattr(instance, field_name):
        return ""
    return _downloads[(instance._meta.label, field_name)](instance)


def registered_downloads() -> dict[tuple[str, str], Callable[[models.Model], str]]:
    return dict(_downloads)


def file_fields():
    """(model, field) of every FileField (ImageField included) of the installed apps."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]


# --- Moving files left in the public media root --------------------------------------------


def _public_names() -> set[str]:
    root = settings.MEDIA_ROOT
    if not root or not os.path.isdir(root):
        return set()
    names = set()
    for directory, _dirs, files in os.walk(root):
        for filename in files:
            full = os.path.join(directory, filename)
            names.add(os.path.relpath(full, root).replace(os.sep, "/"))
    return names


def move_public_files(*, using="default", stdout=None) -> int:
    """Move every file a FileField row names that still lies under the public MEDIA_ROOT into
    private storage under a random name; update the rows (and their history rows) and fill
    the ``<field>_name`` column with the old file name where the model has one. Files named
    by several rows (a licence scan shared by an onboarding request and its organisation)
    move once. Idempotent and cheap when MEDIA_ROOT holds nothing. Returns the files moved."""
    public_names = _public_names()
    if not public_names:
        return 0
    public = FileSystemStorage(location=settings.MEDIA_ROOT)
    moved: dict[str, str] = {}
    for model, field in file_fields():
        if not isinstance(field.storage, PrivateStorage):
            continue
        name_column = f"{field.name}_name"
        has_name_column = any(f.name == name_column for f in model._meta.concrete_fields)
        candidates = sorted(public_names)
        for start in range(0, len(candidates), 500):
            chunk = candidates[start : start + 500]
            rows = model._base_manager.using(using).filter(**{f"{field.name}__in": chunk})
            for obj in rows.iterator():
                old = getattr(obj, field.attname).name
                new = moved.get(old)
                if new is None:
                    with public.open(old, "rb") as handle:
                        new = field.storage.save(field.generate_filename(obj, old), handle)
                    moved[old] = new
                updates = {field.attname: new}
                if has_name_column and not getattr(obj, name_column):
                    updates[name_column] = original_name(old)
                model._base_manager.using(using).filter(pk=obj.pk).update(**updates)
                history = getattr(model, "history", None)
                if history is not None and hasattr(history, "model"):
                    history.model._base_manager.using(using).filter(**{field.attname: old}).update(
                        **{field.attname: new}
                    )
    for old in moved:
        public.delete(old)
        if stdout is not None:
            stdout.write(f"moved {old} -> {moved[old]}\n")
    return len(moved)
