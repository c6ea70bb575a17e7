from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.directory import roles

from .auth import integration_of, token_territory


class MeIntegrationSerializer(serializers.Serializer):
    number = serializers.CharField()
    system_name = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    valid_to = serializers.DateField()
    territory = serializers.IntegerField(allow_null=True)
    territory_name = serializers.CharField(allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    organization = serializers.IntegerField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())
    integration = MeIntegrationSerializer(allow_null=True)


class MeView(APIView):
    """Who the caller is: user, organisation and roles; for an integration token, the
    agreement it acts under (scopes, territory, validity)."""

    # No TokenScopePermission: any valid token may ask who it is.

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        org = roles.organization_of(request.user)
        agreement = integration_of(request)
        integration = None
        if agreement is not None:
            territory = token_territory(request)
            integration = {
                "number": agreement.number,
                "system_name": agreement.system_name,
                "scopes": list(agreement.scopes),
                "valid_to": agreement.valid_to,
                "territory": territory.pk if territory else None,
                "territory_name": str(territory) if territory else None,
            }
        data = {
            "id": request.user.pk,
            "username": request.user.username,
            "full_name": request.user.full_name,
            "organization": org.pk if org else (agreement.organization_id if agreement else None),
            "roles": sorted(roles.roles_of(request.user)),
            "integration": integration,
        }
        return Response(MeSerializer(data).data)
