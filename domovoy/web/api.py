from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.core.selectors import worker_probe_result
from domovoy.core.services import worker_probe_request


class IsTechnicalOperator(permissions.BasePermission):
    """``web.view_system``: the same rule as the system status page."""

    def has_permission(self, request, view):
        return request.user.has_perm("web.view_system")


class ProbeSerializer(serializers.Serializer):
    token = serializers.CharField()
    done = serializers.BooleanField()
    worker = serializers.CharField(allow_blank=True)
    executed_at = serializers.DateTimeField(allow_null=True)


def _probe_body(token):
    row = worker_probe_result(token)
    return {
        "token": token,
        "done": row is not None,
        "worker": row.worker if row else "",
        "executed_at": row.at if row else None,
    }


class WorkerProbeView(APIView):
    """Enqueue a task for the background worker; poll its result by token."""

    permission_classes = [permissions.IsAuthenticated, IsTechnicalOperator]

    @extend_schema(request=None, responses={202: ProbeSerializer})
    def post(self, request):
        return Response(ProbeSerializer(_probe_body(worker_probe_request())).data, status=202)


class WorkerProbeResultView(APIView):
    permission_classes = [permissions.IsAuthenticated, IsTechnicalOperator]

    @extend_schema(responses=ProbeSerializer)
    def get(self, request, token):
        return Response(ProbeSerializer(_probe_body(token)).data)
