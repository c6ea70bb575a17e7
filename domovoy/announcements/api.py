"""API of announcements and «Справка» (D7)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from domovoy.api.auth import TokenScopePermission
from domovoy.core.private_files import download_url
from domovoy.directory.models import Territory

from . import selectors, services
from .models import Announcement, Guide, GuideVersion


class AnnouncementInSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True)
    body = serializers.CharField(allow_blank=True)
    audience = serializers.CharField(default="all", help_text="all, roles or territories")
    roles = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    territories = serializers.PrimaryKeyRelatedField(
        queryset=Territory.objects.all(), many=True, required=False, default=list
    )
    published_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AnnouncementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Announcement
        fields = ["id", "title", "body", "audience", "published_at", "expires_at"]
        read_only_fields = fields


class AnnouncementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Announcements for the caller (anonymous callers get the public ones); operators
    publish new ones."""

    permission_classes = [IsAuthenticatedOrReadOnly, TokenScopePermission]
    scope_area = "directory"
    serializer_class = AnnouncementSerializer

    def get_queryset(self):
        return selectors.announcements_for(self.request.user)

    @extend_schema(request=AnnouncementInSerializer, responses={201: AnnouncementSerializer})
    def create(self, request):
        data = AnnouncementInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        announcement = services.announcement_publish(author=request.user, **data.validated_data)
        return Response(AnnouncementSerializer(announcement).data, status=status.HTTP_201_CREATED)


class GuideVersionSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = GuideVersion
        fields = [
            "number",
            "label",
            "body",
            "file_url",
            "effective_date",
            "change_note",
            "created_at",
        ]
        read_only_fields = fields

    def get_file_url(self, obj) -> str | None:
        return download_url(obj, "file") or None


class GuideSerializer(serializers.ModelSerializer):
    section = serializers.CharField(source="section.title", read_only=True)
    current_version = GuideVersionSerializer(read_only=True)

    class Meta:
        model = Guide
        fields = ["id", "slug", "title", "section", "is_regulation", "current_version"]
        read_only_fields = fields


class GuideDetailSerializer(GuideSerializer):
    versions = GuideVersionSerializer(many=True, read_only=True)

    class Meta(GuideSerializer.Meta):
        fields = [*GuideSerializer.Meta.fields, "versions"]
        read_only_fields = fields


class GuideViewSet(viewsets.ReadOnlyModelViewSet):
    """User guides and the regulation («Справка»): public reading; versions on retrieve."""

    permission_classes = [AllowAny, TokenScopePermission]
    scope_area = "directory"

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.guide_with_versions().select_related("section")
        return selectors.guide_list()

    def get_serializer_class(self):
        return GuideDetailSerializer if self.action == "retrieve" else GuideSerializer
