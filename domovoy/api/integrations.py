"""API of integration agreements and tokens for the technical operator's session (S1)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.directory.models import Organization, Territory

from . import selectors, services
from .auth import SessionOnly
from .models import SCOPE_CODES, IntegrationAgreement, TokenUse


class CanIssueTokens(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.user.has_perm("directory.issue_tokens")


_PERMS = [permissions.IsAuthenticated, SessionOnly, CanIssueTokens]


class AgreementSerializer(serializers.ModelSerializer):
    service_username = serializers.CharField(source="user.username", read_only=True)
    token_count = serializers.IntegerField(read_only=True)
    is_valid = serializers.SerializerMethodField()

    class Meta:
        model = IntegrationAgreement
        fields = [
            "id",
            "number",
            "system_name",
            "parties",
            "valid_from",
            "valid_to",
            "scopes",
            "territory",
            "organization",
            "throttle_rate",
            "service_username",
            "token_count",
            "is_valid",
            "created_at",
        ]
        read_only_fields = fields

    def get_is_valid(self, obj) -> bool:
        return obj.is_valid_on()


class AgreementInputSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=50)
    system_name = serializers.CharField(max_length=200)
    parties = serializers.CharField(max_length=500)
    valid_from = serializers.DateField()
    valid_to = serializers.DateField()
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPE_CODES))
    territory = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), required=False, allow_null=True
    )
    organization = serializers.PrimaryKeyRelatedField(
        queryset=Organization.objects.all(), required=False, allow_null=True
    )
    throttle_rate = serializers.CharField(max_length=20, required=False, allow_blank=True)


class AgreementRateSerializer(serializers.Serializer):
    throttle_rate = serializers.CharField(max_length=20, allow_blank=True)


class AgreementListView(generics.ListAPIView):
    """Integration agreements (technical operator). POST registers a new one together with
    its service account."""

    permission_classes = _PERMS
    serializer_class = AgreementSerializer
    queryset = IntegrationAgreement.objects.none()

    def get_queryset(self):
        return selectors.agreement_list()

    @extend_schema(request=AgreementInputSerializer, responses={201: AgreementSerializer})
    def post(self, request):
        data = AgreementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        agreement = services.integration_agreement_create(actor=request.user, **data.validated_data)
        agreement = selectors.agreement_list().get(pk=agreement.pk)
        return Response(AgreementSerializer(agreement).data, status=status.HTTP_201_CREATED)


class AgreementDetailView(generics.RetrieveAPIView):
    """One agreement. PATCH sets its own API rate (``throttle_rate``, "" = the defaults)."""

    permission_classes = _PERMS
    serializer_class = AgreementSerializer
    queryset = IntegrationAgreement.objects.none()

    def get_queryset(self):
        return selectors.agreement_list()

    @extend_schema(request=AgreementRateSerializer, responses={200: AgreementSerializer})
    def patch(self, request, pk):
        agreement = self.get_object()
        data = AgreementRateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.integration_agreement_set_rate(
            actor=request.user, agreement=agreement, **data.validated_data
        )
        return Response(AgreementSerializer(self.get_object()).data)


class TokenSerializer(serializers.Serializer):
    token_key = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)
    last_used = serializers.DateTimeField(allow_null=True)


class TokenIssueInputSerializer(serializers.Serializer):
    expires_on = serializers.DateField(required=False, allow_null=True)


class IssuedTokenSerializer(serializers.Serializer):
    token_key = serializers.CharField()
    token = serializers.CharField(help_text="Shown once; only its hash is stored.")
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField(allow_null=True)


def _agreement(pk):
    return get_object_or_404(IntegrationAgreement.objects.select_related("territory"), pk=pk)


class TokenListView(APIView):
    permission_classes = _PERMS

    @extend_schema(responses=TokenSerializer(many=True))
    def get(self, request, pk):
        tokens = selectors.agreement_tokens(agreement=_agreement(pk))
        return Response(TokenSerializer(tokens, many=True).data)

    @extend_schema(request=TokenIssueInputSerializer, responses={201: IssuedTokenSerializer})
    def post(self, request, pk):
        agreement = _agreement(pk)
        data = TokenIssueInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        instance, token = services.integration_token_issue(
            actor=request.user,
            agreement=agreement,
            expires_on=data.validated_data.get("expires_on"),
        )
        body = {
            "token_key": instance.token_key,
            "token": token,
            "created": instance.created,
            "expiry": instance.expiry,
        }
        response = Response(IssuedTokenSerializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class TokenRevokeView(APIView):
    permission_classes = _PERMS

    @extend_schema(responses={204: None})
    def delete(self, request, pk, token_key):
        services.integration_token_revoke(
            actor=request.user, agreement=_agreement(pk), token_key=token_key
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class TokenUseSerializer(serializers.ModelSerializer):
    class Meta:
        model = TokenUse
        fields = ["id", "at", "token_key", "method", "path", "count"]
        read_only_fields = fields


class TokenUseListView(generics.ListAPIView):
    """The log of calls made with the agreement's tokens, newest first."""

    permission_classes = _PERMS
    serializer_class = TokenUseSerializer
    queryset = TokenUse.objects.none()

    def get_queryset(self):
        return selectors.agreement_uses(agreement=_agreement(self.kwargs["pk"]))
