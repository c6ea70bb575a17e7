"""Open data API (R17, S5), no login: GET /api/v1/public/requests/ with the filters of the
public page (``topic``, ``status``, ``from``, ``to``, ``street``) and ``page``. Every row is
the one public projection of ``open_data``; nothing else of a request is reachable here."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from domovoy.web import pages

from . import open_data

PAGE_SIZE = 50


class PublicThrottle(AnonRateThrottle):
    rate = "120/min"


class PublicRequestListView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicThrottle]

    @extend_schema(
        parameters=[
            OpenApiParameter("topic", str, description="topic code (a group or a leaf)"),
            OpenApiParameter("status", str, enum=list(open_data.STATUS_GROUPS)),
            OpenApiParameter("from", str, description="filed on or after, YYYY-MM-DD"),
            OpenApiParameter("to", str, description="filed on or before, YYYY-MM-DD"),
            OpenApiParameter("street", str),
            OpenApiParameter("page", int),
        ],
        responses={200: dict},
    )
    def get(self, request):
        """Public requests without personal data (R17, S5), newest first, 50 a page."""
        if not open_data.enabled():
            raise Http404
        filters = open_data.parse_filters(request.query_params)
        page = pages.page(request, open_data.public_requests(filters), PAGE_SIZE)
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "results": open_data.project(page.object_list),
            }
        )
