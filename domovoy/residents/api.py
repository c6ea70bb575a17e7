"""API of the resident's way in (/api/v1/): registration in three calls, the caller's own
profile, contacts and accounts, and the UO's link codes. The same services as the pages;
integration tokens may not call any of it (a person's business)."""

from __future__ import annotations

from django.contrib.auth import login
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from domovoy.api.auth import SessionOnly
from domovoy.core.errors import Forbidden
from domovoy.core.ratelimit import client_ip

from . import selectors, services


class ContactInSerializer(serializers.Serializer):
    contact = serializers.CharField(max_length=254, help_text="a phone or an e-mail address")


class FlowSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="the flow's handle for the next call")
    channel = serializers.CharField(help_text="sms or email")
    expires_at = serializers.DateTimeField()


class ConfirmInSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)
    code = serializers.CharField(max_length=12)


class CompleteInSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=64)
    last_name = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    middle_name = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class LinkedAccountSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    address = serializers.CharField(source="premises.building.address")
    premises = serializers.CharField(source="premises.number")


class ProfileSerializer(serializers.Serializer):
    username = serializers.CharField()
    last_name = serializers.CharField()
    first_name = serializers.CharField()
    middle_name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    accounts = serializers.SerializerMethodField()

    def get_accounts(self, user) -> list[dict]:
        return LinkedAccountSerializer(selectors.resident_accounts(user=user), many=True).data


class NamesInSerializer(serializers.Serializer):
    last_name = serializers.CharField(max_length=150)
    first_name = serializers.CharField(max_length=150)
    middle_name = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default=""
    )


class LinkInSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    code = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="",
        help_text="a one-time link code of the UO (instead of number + last_name)",
    )  # fmt: skip


class LinkCodeInSerializer(serializers.Serializer):
    account_number = serializers.CharField(max_length=40)


class LinkCodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="shown once; only its hash is stored")
    account_number = serializers.CharField()
    expires_at = serializers.DateTimeField()


def _flow(row):
    return FlowSerializer(
        {"token": row.token, "channel": row.channel, "expires_at": row.expires_at}
    ).data


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class RegistrationView(APIView):
    """Step 1: a code to a phone (SMS) or an e-mail; the same answer whether or not the
    contact is registered already."""

    permission_classes = [AllowAny, SessionOnly]

    @extend_schema(request=ContactInSerializer, responses={202: FlowSerializer})
    def post(self, request):
        data = _valid(ContactInSerializer, request)
        row = services.registration_start(contact=data["contact"], client=client_ip(request))
        return Response(_flow(row), status=status.HTTP_202_ACCEPTED)


class RegistrationConfirmView(APIView):
    """Step 2: the code (409 ``already_registered`` when the contact has an account)."""

    permission_classes = [AllowAny, SessionOnly]

    @extend_schema(request=ConfirmInSerializer, responses={200: FlowSerializer})
    def post(self, request):
        data = _valid(ConfirmInSerializer, request)
        row = services.registration_confirm(token=data["token"], code=data["code"])
        return Response(_flow(row))


class RegistrationCompleteView(APIView):
    """Step 3: names and a password; the resident is created and signed in (a session)."""

    permission_classes = [AllowAny, SessionOnly]

    @extend_schema(request=CompleteInSerializer, responses={201: ProfileSerializer})
    def post(self, request):
        data = _valid(CompleteInSerializer, request)
        user = services.registration_complete(**data)
        login(request._request, user, backend="django.contrib.auth.backends.ModelBackend")
        return Response(ProfileSerializer(user).data, status=status.HTTP_201_CREATED)


class _Own(APIView):
    permission_classes = [IsAuthenticated, SessionOnly]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not request.user.has_perm("residents.edit_profile"):
            raise Forbidden()


class ProfileView(_Own):
    """The caller's own profile; there is no way to name another person's."""

    @extend_schema(responses={200: ProfileSerializer})
    def get(self, request):
        return Response(ProfileSerializer(request.user).data)

    @extend_schema(request=NamesInSerializer, responses={200: ProfileSerializer})
    def patch(self, request):
        data = _valid(NamesInSerializer, request)
        user = services.profile_update(user=request.user, **data)
        return Response(ProfileSerializer(user).data)


class ContactView(_Own):
    """A code to a new phone or e-mail; nothing changes until it is confirmed."""

    @extend_schema(request=ContactInSerializer, responses={202: FlowSerializer})
    def post(self, request):
        data = _valid(ContactInSerializer, request)
        row = services.contact_change_start(
            user=request.user, contact=data["contact"], client=client_ip(request)
        )
        return Response(_flow(row), status=status.HTTP_202_ACCEPTED)


class ContactConfirmView(_Own):
    @extend_schema(request=ConfirmInSerializer, responses={200: ProfileSerializer})
    def post(self, request):
        data = _valid(ConfirmInSerializer, request)
        user = services.contact_change_confirm(
            user=request.user, token=data["token"], code=data["code"]
        )
        return Response(ProfileSerializer(user).data)


class AccountsView(_Own):
    """The caller's linked accounts; link one by number + owner's surname, or by a code."""

    @extend_schema(responses={200: LinkedAccountSerializer(many=True)})
    def get(self, request):
        return Response(
            LinkedAccountSerializer(selectors.resident_accounts(user=request.user), many=True).data
        )

    @extend_schema(request=LinkInSerializer, responses={201: LinkedAccountSerializer})
    def post(self, request):
        data = _valid(LinkInSerializer, request)
        if data["code"]:
            account = services.account_link_by_code(user=request.user, code=data["code"])
        else:
            account = services.account_link_by_owner(
                user=request.user, number=data["number"], last_name=data["last_name"]
            )
        return Response(LinkedAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class AccountView(_Own):
    @extend_schema(parameters=[], responses={204: None})
    def delete(self, request, pk):
        services.account_unlink(user=request.user, account_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LinkCodeView(APIView):
    """A one-time link code for an account, by the staff of the UO managing its building."""

    permission_classes = [IsAuthenticated, SessionOnly]

    @extend_schema(request=LinkCodeInSerializer, responses={201: LinkCodeSerializer})
    def post(self, request):
        data = _valid(LinkCodeInSerializer, request)
        if not request.user.has_perm("residents.use_link_codes"):
            raise Forbidden()
        account = selectors.account_for_link_code(actor=request.user, number=data["account_number"])
        row, code = services.link_code_issue(actor=request.user, account=account)
        body = {"code": code, "account_number": account.number, "expires_at": row.expires_at}
        response = Response(LinkCodeSerializer(body).data, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response
