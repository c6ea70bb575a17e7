"""Serving the files of a request (S5): attachments of its conversation and documents of its
history rows. The callers have found the object with the reading rules (``conversation.
attachment_get``, ``servicedesk.view_request_document``); the bytes leave only through
``domovoy.core.private_files.serve_private_file``."""

from __future__ import annotations

from django.http import Http404

from domovoy.core.private_files import serve_private_file


def attachment_response(request, attachment, *, thumbnail=False):
    """An attachment (images shown inline) or, with ``thumbnail``, its JPEG thumbnail."""
    if thumbnail:
        if not attachment.thumbnail:
            raise Http404
        return serve_private_file(
            request,
            attachment.thumbnail,
            filename="thumbnail.jpg",
            content_type="image/jpeg",
            inline=True,
        )
    return serve_private_file(
        request,
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.content_type,
        inline=attachment.is_image or attachment.content_type == "application/pdf",
    )
