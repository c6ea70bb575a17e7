"""Issue 13: «У меня тоже» in the API — ``POST /api/v1/requests/<id>/me-too/`` joins an open
public request on the caller's building (counted, told of its status changes), ``DELETE``
withdraws. The rules and the writes are ``services.me_too_add`` / ``me_too_remove``; a request
the caller may neither read nor join (another building) is 404, not a hint that it exists."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.api.auth import TokenScopePermission
from domovoy.api.errors import ErrorSerializer

from . import selectors, services
from .models import MeToo, ServiceRequest


class MeTooSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    me_too = serializers.BooleanField(help_text="the caller is counted on the request")
    me_too_count = serializers.IntegerField(help_text="residents who pressed «У меня тоже»")
    affected_residents = serializers.IntegerField(help_text="the applicant and those residents")


ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}


class RequestMeTooView(APIView):
    scope_area = "requests"
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]

    def _object(self, pk) -> ServiceRequest:
        user = self.request.user
        obj = (
            ServiceRequest.objects.select_related("topic", "building")
            .filter(pk=pk, is_deleted=False)
            .first()
        )
        if obj is None or not (
            user.has_perm("servicedesk.view_request", obj)
            or selectors.resident_lives_in(user=user, building=obj.building)
            or MeToo.objects.filter(request=obj, user=user).exists()
        ):
            raise Http404
        return obj

    def _answer(self, obj, *, code=status.HTTP_200_OK) -> Response:
        obj.refresh_from_db(fields=["me_too_count"])
        joined = MeToo.objects.filter(request=obj, user=self.request.user).exists()
        data = {
            "id": obj.pk,
            "number": obj.number,
            "me_too": joined,
            "me_too_count": obj.me_too_count,
            "affected_residents": obj.affected_residents,
        }
        return Response(MeTooSerializer(data).data, status=code)

    @extend_schema(request=None, responses={200: MeTooSerializer, 201: MeTooSerializer, **ERRORS})
    def post(self, request, pk: int):
        """«У меня тоже»: a resident of the building joins somebody else's open public request.
        Idempotent: 201 the first time, 200 after (counted once)."""
        obj = self._object(pk)
        created = services.me_too_add(request=obj, user=request.user)
        return self._answer(obj, code=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, responses={200: MeTooSerializer, **ERRORS})
    def delete(self, request, pk: int):
        """Withdraw «У меня тоже»: no longer counted nor told (idempotent)."""
        obj = self._object(pk)
        services.me_too_remove(request=obj, user=request.user)
        return self._answer(obj)
