"""Record refused access to personal-data routes (item 10 of issue 9): see ``refusals``."""

import logging

from django.db import DatabaseError

from .refusals import REFUSED_STATUSES, is_personal_data_route, object_of
from .services import refusal_record

logger = logging.getLogger(__name__)


class RefusedAccessMiddleware:
    """Last in MIDDLEWARE: it sees the view's 403/404 (pages and API alike) after DRF has put
    the token's user on the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code in REFUSED_STATUSES:
            match = getattr(request, "resolver_match", None)
            user = getattr(request, "user", None)
            if (
                match is not None
                and user is not None
                and user.is_authenticated
                and is_personal_data_route(match.view_name)
            ):
                try:
                    refusal_record(
                        request=request,
                        route=match.view_name,
                        object_id=object_of(match.kwargs),
                        status=response.status_code,
                    )
                except DatabaseError:  # the refusal stands even if its trace cannot be written
                    logger.exception("could not record a refused access to %s", request.path)
        return response
