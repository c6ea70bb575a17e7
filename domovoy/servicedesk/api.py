"""REST API of service requests (R1, R4–R12, S2): thin views over the services.

- ``/requests/``: create (a resident for themselves, a call-centre operator for a caller, an
  integration token with ``requests:write``; the channel is recorded) and the list under S2
  (``selectors.requests_visible_to``) with the filters of ``filters.RequestFilter``.
- ``/requests/{id}/``: the request with its history (public-only for the resident), its
  conversation and the caller's allowed actions.
- ``/requests/{id}/<action>/``: one route per row of the workflow table, all served by ONE view
  whose input serializer is built from that row's mandatory and optional parameters; the
  transition service decides. 400 bad or missing parameters (``fields``), 403 wrong party,
  404 a request the caller may not read, 409 wrong status, a failed guard or a stale version.
- ``/requests/{id}/actions/``: what the caller may do now, with each action's parameters.
- ``/requests/{id}/comments/`` and ``/requests/{id}/attachments/{att}/[thumbnail/]``: the
  conversation (R7, R12); files are served only here, after the request's reading rules.
- ``/topics/``: the classifier (R2), tree-ordered.

Integration tokens (S1, S2) read the requests they filed, and — when their agreement names an
organisation — those that organisation is party to, within the agreement's territory; they act
as the author of the requests they filed (an external portal relays its resident)."""

from __future__ import annotations

from functools import cache

from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, permissions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.api.auth import TokenScopePermission, integration_of, token_territory
from domovoy.api.errors import ErrorSerializer
from domovoy.api.parsers import BoundedJSONParser
from domovoy.api.serializers import FieldsOnce
from domovoy.api.throttles import ScopedRateThrottle
from domovoy.core import bounds
from domovoy.core.choices import choice_label
from domovoy.core.errors import Forbidden, Invalid
from domovoy.core.masking import mask_flat, mask_name, mask_phone
from domovoy.core.private_files import AnyContentNegotiation, serve_private_file
from domovoy.directory.models import Building, Organization, Premises

from . import (
    conversation,
    deadlines,
    downloads,
    filters,
    intake_cache,
    resident_words,
    selectors,
    services,
)
from . import permissions as who
from .models import Attachment, Channel, Comment, RequestEvent, ServiceRequest, Topic
from .params import KIND_HELP
from .resident_words import status_next
from .resident_words import status_word as resident_status_word
from .workflow import (
    PARAMS,
    Status,
    transition_for,
)

# Joined to the request row; organisations (wide rows, and up to three per request) are fetched
# in their own small queries instead: a nine-table join cost more to plan than to run.
_LIST_RELATED = ("topic", "building", "premises")
_LIST_ORGS = ("executor_org", "controller_org")
_DETAIL_RELATED = (*_LIST_RELATED, "building__territory", "author")
_DETAIL_ORGS = (*_LIST_ORGS, "origin_org")

# --- Who is reading ------------------------------------------------------------------------


class Viewer:
    """The caller, resolved once per API call. What it may see of a row is asked of the
    same named permissions as the pages (``servicedesk.view_personal_data``,
    ``servicedesk.view_request_internal``); the personal-data rule decides from the row
    alone, so the list runs no query per row."""

    def __init__(self, request):
        self.user = request.user
        self.agreement = integration_of(request)
        if self.agreement is not None:
            self.is_call_operator = False
        else:
            self.is_call_operator = bool(who.is_call_operator(self.user))
        self.shown_personal: list[ServiceRequest] = []
        self._sees_personal: dict[tuple, bool] = {}

    @property
    def is_token(self) -> bool:
        return self.agreement is not None

    def sees_personal_data(self, obj: ServiceRequest) -> bool:
        """S5: the author, the current parties, the call centre (one rule with the page);
        asked once per row and answer."""
        key = (obj.pk, obj.version)  # a change of the row (its parties) asks again
        seen = self._sees_personal.get(key)
        if seen is None:
            seen = self._sees_personal[key] = selectors.sees_personal_data(self.user, obj)
        return seen

    def note_personal(self, obj: ServiceRequest) -> None:
        """Remember a row whose personal data went out unmasked (logged once per answer)."""
        self.shown_personal.append(obj)

    def log_personal_reads(self, purpose: str) -> None:
        """S5: the unmasked reads of the answer, logged by the same selector as the pages'."""
        selectors.personal_data_reads_log(self.user, self.shown_personal, purpose=purpose)
        self.shown_personal = []

    def sees_internal(self, obj: ServiceRequest) -> bool:
        """Internal notes, reasons and the executors' history (R7, R6)."""
        return self.user.has_perm("servicedesk.view_request_internal", obj)

    def sees_documents(self, obj: ServiceRequest) -> bool:
        """Documents of history rows (S5): ``servicedesk.view_request_document``."""
        return self.user.has_perm("servicedesk.view_request_document", obj)


def visible_requests(request):
    """S2 for the API: a person's session by ``selectors.requests_visible_to``; a token by its
    agreement (what it filed, and its organisation's requests) within its territory."""
    agreement = integration_of(request)
    if agreement is None:
        return selectors.requests_visible_to(request.user)
    qs = ServiceRequest.objects.filter(is_deleted=False)
    condition = Q(author=request.user)
    org_id = agreement.organization_id
    if org_id:
        condition |= Q(executor_org_id=org_id) | Q(controller_org_id=org_id)
        condition |= Q(origin_org_id=org_id)
    qs = qs.filter(condition)
    territory = token_territory(request)
    if territory is not None:
        qs = qs.filter(building__territory__path__startswith=territory.path)
    return qs


# --- Serializers ---------------------------------------------------------------------------


ERRORS = {
    400: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
}


class RequestStatusField(serializers.ChoiceField):
    """A request status (``workflow.Status``); one named enum in the schema however many
    fields (status, from_status, to_status) carry it."""

    def __init__(self, **kwargs):
        super().__init__(choices=Status.choices, **kwargs)


class RequestStatusFieldExtension(OpenApiSerializerFieldExtension):
    target_class = RequestStatusField

    def map_serializer_field(self, auto_schema, direction):
        labels = "\n".join(f"* `{value}` - {label}" for value, label in Status.choices)
        component = ResolvedComponent(
            name="RequestStatusEnum",
            type=ResolvedComponent.SCHEMA,
            object="RequestStatusEnum",
            schema={"enum": list(Status.values), "type": "string", "description": labels},
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


class OrgBriefSerializer(FieldsOnce, serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "short_name"]


class TopicSerializer(serializers.ModelSerializer):
    depth = serializers.IntegerField(read_only=True, help_text="0 for a group of the tree")
    is_group = serializers.BooleanField(read_only=True, help_text="requests go to leaves only")
    deadline_text = serializers.CharField(read_only=True)

    class Meta:
        model = Topic
        fields = [
            "id",
            "parent",
            "code",
            "name",
            "depth",
            "is_group",
            "is_emergency",
            "handler_kind",
            "resource",
            "deadline_hours",
            "deadline_days",
            "deadline_working",
            "deadline_text",
        ]
        read_only_fields = fields


class RequestListSerializer(FieldsOnce, serializers.ModelSerializer):
    status = RequestStatusField(read_only=True)
    status_label = serializers.SerializerMethodField()
    resident_status = serializers.CharField(read_only=True, help_text="the words residents see")
    resident_status_next = serializers.CharField(
        read_only=True, help_text="the resident's line under that word: what happens next"
    )
    topic_name = serializers.CharField(source="topic.name", read_only=True)
    building_address = serializers.CharField(source="building.address", read_only=True)
    premises = serializers.SerializerMethodField(help_text="null when masked for the caller (S5)")
    premises_number = serializers.SerializerMethodField(help_text="«кв. ***» when masked (S5)")
    executor = OrgBriefSerializer(source="executor_org", read_only=True)
    controller = OrgBriefSerializer(source="controller_org", read_only=True, allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    caller_name = serializers.SerializerMethodField()

    class Meta:
        model = ServiceRequest
        fields = [
            "id",
            "number",
            "channel",
            "status",
            "status_label",
            "resident_status",
            "resident_status_next",
            "topic",
            "topic_name",
            "building",
            "building_address",
            "premises",
            "premises_number",
            "executor",
            "controller",
            "is_emergency",
            "off_address",
            "deadline_at",
            "is_overdue",
            "caller_name",
            "phone",
            "created_at",
            "version",
        ]
        read_only_fields = fields

    @property
    def viewer(self) -> Viewer:
        return self.context["viewer"]

    def get_status_label(self, obj) -> str:
        return choice_label(obj, "status")

    def get_is_overdue(self, obj) -> bool:
        return deadlines.is_overdue(obj, self.context.setdefault("now", timezone.now()))

    def get_phone(self, obj) -> str:
        if self.viewer.sees_personal_data(obj):
            self.viewer.note_personal(obj)
            return obj.phone
        return mask_phone(obj.phone)

    def get_caller_name(self, obj) -> str:
        if self.viewer.sees_personal_data(obj):
            self.viewer.note_personal(obj)
            return obj.caller_name
        return mask_name(obj.caller_name)

    def get_premises(self, obj) -> int | None:
        return obj.premises_id if self.viewer.sees_personal_data(obj) else None

    def get_premises_number(self, obj) -> str | None:
        if obj.premises_id is None:
            return None
        if self.viewer.sees_personal_data(obj):
            self.viewer.note_personal(obj)
            return obj.premises.number
        return mask_flat(obj.premises.number)


class EventSerializer(serializers.ModelSerializer):
    """A history row (R4). For the resident: the status word and the public comment only."""

    action_label = serializers.CharField(source="get_action_display", read_only=True)
    from_status = serializers.SerializerMethodField(help_text="null on the creation row")
    to_status = RequestStatusField(read_only=True)
    to_status_label = serializers.CharField(source="get_to_status_display", read_only=True)
    resident_status = serializers.SerializerMethodField()
    resident_status_next = serializers.SerializerMethodField()
    actor_name = serializers.SerializerMethodField()
    actor_org = OrgBriefSerializer(read_only=True, allow_null=True)
    reason = serializers.SerializerMethodField()
    data = serializers.SerializerMethodField()
    has_document = serializers.SerializerMethodField()
    document_url = serializers.SerializerMethodField(
        help_text="the download view of the document; null without one or without the right"
    )

    class Meta:
        model = RequestEvent
        fields = [
            "id",
            "at",
            "action",
            "action_label",
            "from_status",
            "to_status",
            "to_status_label",
            "resident_status",
            "resident_status_next",
            "actor_name",
            "actor_org",
            "comment",
            "reason",
            "data",
            "has_document",
            "document_url",
        ]
        read_only_fields = fields

    @property
    def internal(self) -> bool:
        return self.context.get("internal", False)

    def get_resident_status(self, obj) -> str:
        return resident_status_word(obj.to_status)

    def get_resident_status_next(self, obj) -> str:
        return status_next(obj.to_status)

    def get_from_status(self, obj) -> str | None:
        return obj.from_status or None

    def get_actor_name(self, obj) -> str | None:
        if not self.internal or obj.actor is None:
            return None
        return obj.actor.full_name

    def get_reason(self, obj) -> str | None:
        return obj.reason if self.internal else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_data(self, obj):
        return obj.data if self.internal else None

    def get_has_document(self, obj) -> bool:
        return bool(obj.document)

    def get_document_url(self, obj) -> str | None:
        if not obj.document or not self.context.get("documents", False):
            return None
        return reverse("sd-event-document", args=[obj.request_id, obj.pk])


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    is_image = serializers.BooleanField(read_only=True)
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "is_image", "url", "thumbnail_url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("sd-attachment", args=[obj.request_id, obj.pk])

    def get_thumbnail_url(self, obj) -> str | None:
        if not obj.thumbnail:
            return None
        return reverse("sd-attachment-thumbnail", args=[obj.request_id, obj.pk])


class CommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    author_org = OrgBriefSerializer(read_only=True, allow_null=True)
    by_resident = serializers.SerializerMethodField(help_text="written by the request's author")
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Comment
        fields = [
            "id",
            "created_at",
            "author_name",
            "author_org",
            "by_resident",
            "is_public",
            "text",
            "attachments",
        ]
        read_only_fields = fields

    def get_by_resident(self, obj) -> bool:
        return obj.author_id == obj.request.author_id

    def get_author_name(self, obj) -> str:
        name = obj.author.full_name
        viewer = self.context.get("viewer")
        if (
            viewer is not None
            and obj.author_id == obj.request.author_id
            and not viewer.sees_personal_data(obj.request)
        ):
            return mask_name(name)
        return name


class ParamInfoSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    kind = serializers.CharField(help_text=KIND_HELP)
    required = serializers.BooleanField()
    choices = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="[value, label] pairs of a choice; for «organization» [id, name] of the "
        "organisations the request may be passed to",
    )
    initial = serializers.CharField(
        allow_blank=True,
        help_text="the text the field starts with (the completion report: the work order's "
        "works); empty when none",
    )


class ActionInfoSerializer(serializers.Serializer):
    action = serializers.CharField()
    label = serializers.CharField(help_text="the button; the resident's words for the author")
    hint = serializers.CharField(
        allow_blank=True, help_text="for the author: one line under the button; else empty"
    )
    done_message = serializers.CharField(
        allow_blank=True, help_text="for the author: the message after success; else empty"
    )
    url = serializers.CharField()
    params = ParamInfoSerializer(many=True)


def action_info(transition, obj, user=None) -> dict:
    """One allowed action for the API. The request's author reads the resident's words
    (``resident_words``: button, line under it, comment label, success message); staff the
    table's labels."""
    words = None
    if user is not None and who.is_author(user, obj):
        words = resident_words.action_words(transition.action)
    required = set(services.required_params(transition, obj))
    names = [
        *services.required_params(transition, obj),
        *[n for n in (*transition.optional, *transition.conditional_params) if n not in required],
    ]
    params = []
    for name in dict.fromkeys(names):
        param = PARAMS[name]
        label = param.label
        if name == "comment" and words is not None and words.comment:
            label = words.comment
        params.append(
            {
                "name": name,
                "label": str(label),
                "kind": param.kind.info_name,
                "required": name in required,
                # A choice's codes; for «organization» the organisations that may take the
                # request (R5); none for free values.
                "choices": [[str(v), str(text)] for v, text in param.kind.offered(obj)],
                "initial": services.param_prefill(transition.action, name, obj),
            }
        )
    return {
        "action": transition.action.value,
        "label": str(words.button if words is not None else transition.label),
        "hint": str(words.hint) if words is not None else "",
        "done_message": str(words.done) if words is not None else "",
        "url": reverse(f"sd-request-{transition.action.value}", args=[obj.pk]),
        "params": params,
    }


class RepeatRowSerializer(serializers.ModelSerializer):
    """A request of a chain of repeats (R14)."""

    status = RequestStatusField(read_only=True)

    class Meta:
        model = ServiceRequest
        fields = ["id", "number", "created_at", "status"]
        read_only_fields = fields


class RequestDetailSerializer(RequestListSerializer):
    """The request card: history (public-only for the resident), conversation and the caller's
    allowed actions. Internal fields are null for those who may not see them."""

    origin = OrgBriefSerializer(source="origin_org", read_only=True, allow_null=True)
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    has_obscene = serializers.SerializerMethodField()
    deadline_reason = serializers.SerializerMethodField()
    return_reason = serializers.SerializerMethodField()
    returns_count = serializers.SerializerMethodField()
    history = serializers.SerializerMethodField()
    comments = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    repeat_of = serializers.SerializerMethodField(
        help_text="R14: id of the first request of the chain this one repeats (participants)"
    )
    repeat_chain = serializers.SerializerMethodField(
        help_text="R14: the chain oldest first, this request included (participants); "
        "empty when it repeats nothing and nothing repeats it"
    )
    affected_residents = serializers.IntegerField(
        read_only=True, help_text="the applicant and every resident who pressed «У меня тоже»"
    )
    me_too = serializers.SerializerMethodField(help_text="the caller pressed «У меня тоже»")

    class Meta(RequestListSerializer.Meta):
        fields = [
            *RequestListSerializer.Meta.fields,
            "repeat_of",
            "repeat_chain",
            "me_too_count",
            "affected_residents",
            "me_too",
            "channel_label",
            "external_system",
            "external_id",
            "text",
            "has_obscene",
            "origin",
            "executor_department",
            "executor_employee",
            "deadline_source",
            "deadline_reason",
            "postponed_until",
            "accepted_at",
            "done_at",
            "closed_at",
            "crew_dispatched_at",
            "crew_dispatch_late",
            "completion_report",
            "final_answer",
            "reject_reason",
            "return_reason",
            "returns_count",
            "withdraw_reason",
            "reopen_count",
            "rating",
            "rated_at",
            "updated_at",
            "history",
            "comments",
            "actions",
        ]
        read_only_fields = fields

    def _internal(self, obj) -> bool:
        key = ("internal", obj.pk)
        if key not in self.context:
            self.context[key] = self.viewer.sees_internal(obj)
        return self.context[key]

    def get_has_obscene(self, obj) -> bool | None:
        return obj.has_obscene if self._internal(obj) else None

    def get_deadline_reason(self, obj) -> str | None:
        return obj.deadline_reason if self._internal(obj) else None

    def get_return_reason(self, obj) -> str | None:
        return obj.return_reason if self._internal(obj) else None

    def get_returns_count(self, obj) -> int | None:
        return obj.returns_count if self._internal(obj) else None

    def get_repeat_of(self, obj) -> int | None:
        return obj.repeat_of_id if self._internal(obj) else None

    @extend_schema_field(RepeatRowSerializer(many=True))
    def get_repeat_chain(self, obj):
        if not self._internal(obj):
            return []
        return RepeatRowSerializer(selectors.repeat_chain(obj), many=True).data

    def get_me_too(self, obj) -> bool:
        user = self.viewer.user
        return bool(obj.me_too_count) and obj.me_too.filter(user_id=user.pk).exists()

    @extend_schema_field(EventSerializer(many=True))
    def get_history(self, obj):
        internal = self._internal(obj)
        events = selectors.request_history(request=obj, public_only=not internal)
        context = {"internal": internal, "documents": internal and self.viewer.sees_documents(obj)}
        return EventSerializer(events, many=True, context=context).data

    @extend_schema_field(CommentSerializer(many=True))
    def get_comments(self, obj):
        comments = conversation.comments_for(
            request=obj, user=self.viewer.user, include_internal=self._internal(obj)
        )
        return CommentSerializer(comments, many=True, context={"viewer": self.viewer}).data

    @extend_schema_field(ActionInfoSerializer(many=True))
    def get_actions(self, obj):
        user = self.viewer.user
        return [action_info(t, obj, user) for t in services.allowed_actions(obj, user)]


class RequestLinksSerializer(serializers.Serializer):
    self = serializers.CharField(help_text="the request with its history and conversation")
    actions = serializers.CharField(help_text="what the caller may do now")
    comments = serializers.CharField(help_text="the conversation; files filed with the request")


class RequestCreatedSerializer(RequestListSerializer):
    """The 201 of intake: what the caller needs (number, status, deadline, executor) and links
    to the rest. The history (one creation row), the conversation and the actions are not
    serialised here: they cost more than the intake itself and are one GET away."""

    links = serializers.SerializerMethodField()

    class Meta(RequestListSerializer.Meta):
        fields = [*RequestListSerializer.Meta.fields, "external_id", "links"]
        read_only_fields = fields

    @extend_schema_field(RequestLinksSerializer)
    def get_links(self, obj) -> dict:
        routes = (("self", "detail"), ("actions", "actions"), ("comments", "comments"))
        return {name: reverse(f"sd-request-{route}", args=[obj.pk]) for name, route in routes}


# --- Input serializers -----------------------------------------------------------------------


class CachedChoiceField(serializers.PrimaryKeyRelatedField):
    """An object by id from a look-up of ``intake_cache`` (``lookup(pk)``, None: no such
    object): no query while the look-up is kept. Ids outside the key's range are unknown."""

    def lookup(self, pk: int):
        raise NotImplementedError

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            pk = int(data)
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        found = self.lookup(pk) if 0 < pk <= bounds.ID_MAX else None
        if found is None:
            self.fail("does_not_exist", pk_value=data)
        return found


class TopicChoiceField(CachedChoiceField):
    """A topic by id from the cached classifier (``intake_cache.topics``)."""

    def lookup(self, pk):
        return intake_cache.topics().get(pk)


class PremisesField(CachedChoiceField):
    """Premises by id, with its building and that building's territory."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Premises.objects.all(), **kwargs)

    def lookup(self, pk):
        premises = intake_cache.premises(pk)
        self.parent.premises_read = premises
        return premises


class BuildingField(CachedChoiceField):
    """A building by id with its territory; the premises' building when that is the one."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Building.objects.all(), **kwargs)

    def lookup(self, pk):
        premises = getattr(self.parent, "premises_read", None)
        if premises is not None and premises.building_id == pk:
            return premises.building
        return intake_cache.building(pk)


class RequestCreateSerializer(FieldsOnce, serializers.Serializer):
    """Intake (R1). ``caller_name`` is mandatory for the call centre; ``external_id`` is the
    request's number in the integration's own system."""

    # The premises first: read with its building and the building's territory (a token's
    # agreement may limit the buildings), so the building named costs no second query.
    premises = PremisesField(required=False, allow_null=True)
    building = BuildingField()
    topic = TopicChoiceField(queryset=Topic.objects.all())
    text = serializers.CharField(max_length=5000)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30)
    caller_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    external_id = serializers.CharField(required=False, allow_blank=True, max_length=100)
    sms_opt_out = serializers.BooleanField(
        required=False,
        default=False,
        help_text="call centre: the caller asked for no SMS about the request (N2)",
    )
    files = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="photos and documents"
    )


class CommentCreateSerializer(serializers.Serializer):
    """A comment (``is_public``, the default) or an internal note, with files (R7, R12)."""

    text = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    is_public = serializers.BooleanField(default=True)
    files = serializers.ListField(child=serializers.FileField(), required=False)


def _param_field(name: str, *, required: bool) -> serializers.Field:
    """The DRF field of a parameter: its kind's (``params.Kind.api_field``), labelled."""
    param = PARAMS[name]
    field = param.kind.api_field(param, required=required)
    field.label = str(param.label)
    return field


@cache
def action_serializer(action: str) -> type[serializers.Serializer]:
    """The input serializer of one row of the table: its mandatory parameters required, its
    optional and conditional ones optional (the service requires a conditional one when its
    condition holds), and the version the caller saw."""
    transition = transition_for(action)
    fields = {}
    for name in transition.requires:
        fields[name] = _param_field(name, required=True)
    for name in (*transition.optional, *transition.conditional_params):
        fields.setdefault(name, _param_field(name, required=False))
    fields["expected_version"] = bounds.api_integer(
        "PositiveIntegerField",
        required=False,
        help_text="the request's version the caller saw; a newer one answers 409",
    )
    fields["occurred_at"] = serializers.DateTimeField(
        required=False,
        help_text="S8: the real time of an action done during a posted system failure, "
        "entered afterwards (recorded as a late entry)",
    )
    name = "".join(part.capitalize() for part in action.split("_")) + "ActionSerializer"
    fields["__doc__"] = f"Parameters of «{transition.label}»."
    return type(name, (serializers.Serializer,), fields)


# --- Views ---------------------------------------------------------------------------------


class RequestsAPIView(APIView):
    scope_area = "requests"
    permission_classes = [permissions.IsAuthenticated, TokenScopePermission]

    def get_request_object(self, pk) -> ServiceRequest:
        obj = (
            visible_requests(self.request)
            .select_related(*_DETAIL_RELATED)
            .prefetch_related(*_DETAIL_ORGS)
            .filter(pk=pk)
            .order_by()  # by primary key, not the list's order
            .first()
        )
        if obj is None:
            raise Http404
        return obj

    def detail(self, obj, *, status_code=status.HTTP_200_OK, reread=True) -> Response:
        """The detail body; ``reread`` reads the request again through the caller's visibility
        (after an action, which may have moved it out of their sight)."""
        if reread:
            obj = self.get_request_object(obj.pk)
        viewer = Viewer(self.request)
        data = RequestDetailSerializer(obj, context={"viewer": viewer}).data
        viewer.log_personal_reads("api request detail")
        return Response(data, status=status_code)


def _intake_channel(request, viewer: Viewer) -> str:
    if viewer.is_token:
        return Channel.API
    if viewer.is_call_operator:
        return Channel.CALL_CENTRE
    if who.people.is_resident(request.user):
        return Channel.WEB
    raise Forbidden(_("Заявку подаёт заявитель, оператор call-центра за звонящего или интеграция"))


class RequestListView(generics.ListAPIView, RequestsAPIView):
    """Requests the caller may see (S2), newest first, filtered and paginated."""

    serializer_class = RequestListSerializer
    filterset_class = filters.RequestFilter
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]
    throttle_scope = "intake"
    queryset = ServiceRequest.objects.none()

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_queryset(self):
        return (
            visible_requests(self.request)
            .select_related(*_LIST_RELATED)
            .prefetch_related(*_LIST_ORGS)
            .order_by("-created_at", "-id")
        )

    def get_serializer_context(self):
        self.viewer = Viewer(self.request)
        return {**super().get_serializer_context(), "viewer": self.viewer}

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        self.viewer.log_personal_reads("api request list")
        return response

    @extend_schema(
        request={
            "application/json": RequestCreateSerializer,
            "multipart/form-data": RequestCreateSerializer,
        },
        responses={201: RequestCreatedSerializer, **ERRORS},
    )
    def post(self, request):
        """File a request (R1): a resident for themselves (channel web), a call-centre
        operator for a caller (call_centre), an integration token (api)."""
        viewer = Viewer(request)
        channel = _intake_channel(request, viewer)
        data = RequestCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        territory = token_territory(request)
        building = d["building"]
        if territory is not None and not (
            building.territory_id and building.territory.path.startswith(territory.path)
        ):
            raise Invalid(
                _("Дом вне территории соглашения об интеграции"),
                fields={"building": [_("Дом вне территории соглашения")]},
            )
        author, sms_opt_out = request.user, False
        if channel == Channel.CALL_CENTRE:
            # A registered resident's phone files the request in their name (their cabinet,
            # their notices); another caller hears by SMS unless they refused it (N2).
            author = selectors.resident_by_phone(phone=d.get("phone", ""))
            sms_opt_out = d["sms_opt_out"]
        obj = conversation.service_request_create_with_files(
            files=d.get("files", ()),
            building=building,
            premises=d.get("premises"),
            topic=d["topic"],
            text=d["text"],
            channel=channel,
            author=author,
            caller_name=d.get("caller_name", ""),
            phone=d.get("phone", ""),
            actor=request.user,
            external_system=viewer.agreement.system_name[:50] if viewer.is_token else "",
            external_id=d.get("external_id", "") if viewer.is_token else "",
            sms_opt_out=sms_opt_out,
        )
        return self.created(obj, viewer)

    def created(self, obj: ServiceRequest, viewer: Viewer) -> Response:
        """The author (or the operator filing for a caller) sees what they filed; the object
        holds the building, premises, topic and executor the service set: no query."""
        data = RequestCreatedSerializer(obj, context={"viewer": viewer}).data
        return Response(data, status=status.HTTP_201_CREATED)


class RequestDetailView(RequestsAPIView):
    @extend_schema(responses={200: RequestDetailSerializer, 404: ErrorSerializer})
    def get(self, request, pk: int):
        """The request with its history, conversation and the caller's allowed actions."""
        return self.detail(self.get_request_object(pk), reread=False)


class RequestAllowedActionsView(RequestsAPIView):
    @extend_schema(responses={200: ActionInfoSerializer(many=True), 404: ErrorSerializer})
    def get(self, request, pk: int):
        """What the caller may do with the request now, read from the workflow table, with
        each action's parameters (mandatory ones marked)."""
        obj = self.get_request_object(pk)
        user = request.user
        data = [action_info(t, obj, user) for t in services.allowed_actions(obj, user)]
        return Response(ActionInfoSerializer(data, many=True).data)


class ActionSchema(AutoSchema):
    """Each action route documents its own parameters, built from the table."""

    def get_request_serializer(self):
        return action_serializer(self.view.workflow_action)

    def get_response_serializers(self):
        return {
            200: RequestDetailSerializer,
            **ERRORS,
            409: ErrorSerializer,
        }

    def get_description(self):
        transition = transition_for(self.view.workflow_action)
        parties = ", ".join(p.label for p in transition.who)
        sources = ", ".join(sorted(s.value for s in transition.sources))
        return (
            f"«{transition.label}» (workflow table). From: {sources}. Who: {parties}. "
            f"Mandatory: {', '.join(transition.requires) or '—'}."
        )

    def get_operation_id(self):
        return f"requests_action_{self.view.workflow_action}"

    def get_tags(self):
        return ["requests"]


class RequestActionView(RequestsAPIView):
    """ONE view for every action of the workflow table (R4–R12): the route names the action,
    the table gives its parameters, the transition service decides."""

    workflow_action: str = ""
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]
    schema = ActionSchema()

    def post(self, request, pk: int):
        obj = self.get_request_object(pk)
        data = action_serializer(self.workflow_action)(data=request.data)
        data.is_valid(raise_exception=True)
        params = dict(data.validated_data)
        expected = params.pop("expected_version", None)
        services.service_request_transition(
            request=obj,
            action=self.workflow_action,
            actor=request.user,
            expected_version=expected,
            **params,
        )
        return self.detail(obj)


class CommentListView(RequestsAPIView):
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    def _include_internal(self, obj) -> bool:
        return Viewer(self.request).sees_internal(obj)

    @extend_schema(responses={200: CommentSerializer(many=True), 404: ErrorSerializer})
    def get(self, request, pk: int):
        """The conversation: public comments, and internal notes for the participants."""
        obj = self.get_request_object(pk)
        comments = conversation.comments_for(
            request=obj, user=request.user, include_internal=self._include_internal(obj)
        )
        context = {"viewer": Viewer(request)}
        return Response(CommentSerializer(comments, many=True, context=context).data)

    @extend_schema(
        request={
            "multipart/form-data": CommentCreateSerializer,
            "application/json": CommentCreateSerializer,
        },
        responses={201: CommentSerializer, **ERRORS},
    )
    def post(self, request, pk: int):
        """Write in the request (R7, R12): the parties to it; the resident writes public
        comments only. Files: types, size and count limited by the settings."""
        obj = self.get_request_object(pk)
        data = CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        comment = conversation.comment_add(
            request=obj,
            author=request.user,
            text=d.get("text", ""),
            is_public=d["is_public"],
            files=d.get("files", ()),
        )
        comment = (
            Comment.objects.select_related("author", "author_org", "request")
            .prefetch_related("attachments")
            .get(pk=comment.pk)
        )
        context = {"viewer": Viewer(request)}
        return Response(
            CommentSerializer(comment, context=context).data, status=status.HTTP_201_CREATED
        )


class AttachmentDownloadView(RequestsAPIView):
    content_negotiation_class = AnyContentNegotiation
    thumbnail = False

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: ErrorSerializer,
        }
    )
    def get(self, request, pk: int, attachment_id: int):
        """An attachment (or its thumbnail) for those who may read it (never from /media/)."""
        obj = self.get_request_object(pk)
        attachment = conversation.attachment_get(
            request=obj,
            user=request.user,
            pk=attachment_id,
            include_internal=Viewer(request).sees_internal(obj),
        )
        if attachment is None:
            raise Http404
        return downloads.attachment_response(request, attachment, thumbnail=self.thumbnail)


class EventDocumentView(RequestsAPIView):
    content_negotiation_class = AnyContentNegotiation

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            404: ErrorSerializer,
        }
    )
    def get(self, request, pk: int, event_id: int):
        """The document of a history row, for the parties of the request (S5)."""
        obj = self.get_request_object(pk)
        if not Viewer(request).sees_documents(obj):
            raise Http404
        event = RequestEvent.objects.filter(request=obj, pk=event_id).first()
        if event is None or not event.document:
            raise Http404
        return serve_private_file(request, event.document, filename=event.document_name)


class TopicListView(RequestsAPIView):
    @extend_schema(responses={200: TopicSerializer(many=True)})
    def get(self, request):
        """The classifier (R2): active topics in tree order (a group, then its topics)."""
        topics = selectors.topic_tree()
        groups = {t.parent_id for t in topics if t.parent_id}
        for topic in topics:
            topic.is_group = topic.pk in groups
        return Response(TopicSerializer(topics, many=True).data)
