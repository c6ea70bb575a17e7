from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.core import roles


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    organization = serializers.IntegerField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())


class MeView(APIView):
    """Who the caller is: user, organisation and roles."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        org = roles.organization_of(request.user)
        data = {
            "id": request.user.pk,
            "username": request.user.username,
            "full_name": request.user.full_name,
            "organization": org.pk if org else None,
            "roles": sorted(roles.roles_of(request.user)),
        }
        return Response(MeSerializer(data).data)
