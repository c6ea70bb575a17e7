"""Each parameter kind is one object (issue 10, item 3): the service's cleaning, the page's
form field and the API's field of a parameter all come from ``workflow.PARAMS[name].kind``."""

import datetime as dt

import pytest
from django import forms
from django.utils import timezone
from rest_framework import serializers

from domovoy.servicedesk import params, workflow
from domovoy.servicedesk.api import action_serializer
from domovoy.servicedesk.forms_action import ActionForm
from domovoy.servicedesk.services import required_params
from domovoy.servicedesk.workflow import PARAMS, TRANSITIONS, transition_for

pytestmark = pytest.mark.django_db


def test_every_parameter_has_a_kind_object():
    for param in PARAMS.values():
        assert isinstance(param.kind, params.Kind), param.name
    assert PARAMS["reject_reason"].choices is workflow.RejectReason
    assert PARAMS["comment"].choices is None


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: t.action.value)
def test_the_form_and_the_api_ask_for_the_same_parameters_of_every_action(transition, sr):
    names = {*transition.requires, *transition.optional, *transition.conditional_params}
    for audience in (params.STAFF, params.PUBLIC):
        form = ActionForm(transition=transition, request=sr, audience=audience)
        assert set(form.fields) - {"version"} == names
        for name in required_params(transition, sr):
            assert form.fields[name].required or isinstance(form.fields[name], forms.BooleanField)
    fields = action_serializer(transition.action.value)().fields
    assert set(fields) - {"expected_version", "occurred_at"} == names  # S8: every action
    for name in transition.requires:
        assert fields[name].required


def test_a_choice_is_a_select_for_staff_and_radios_for_the_resident(sr):
    reject = transition_for("reject")
    staff = ActionForm(transition=reject, request=sr, audience=params.STAFF)
    public = ActionForm(transition=reject, request=sr, audience=params.PUBLIC)
    assert isinstance(staff.fields["reject_reason"].widget, forms.Select)
    assert isinstance(public.fields["reject_reason"].widget, forms.RadioSelect)
    assert staff.fields["comment"].help_text  # «виден заявителю» on the staff card only
    assert not public.fields["comment"].help_text


def test_withdrawing_does_not_offer_the_deletion_code(sr):
    form = ActionForm(transition=transition_for("withdraw"), request=sr, audience=params.PUBLIC)
    values = [v for v, _label in form.fields["withdraw_reason"].choices]
    assert workflow.WithdrawReason.DELETED.value not in values


def test_the_kinds_clean_what_forms_and_the_api_deliver(sr):
    now = timezone.now()
    deadline = PARAMS["deadline"]
    assert deadline.clean("2099-01-10", request=sr, now=now).tzinfo is not None
    with pytest.raises(ValueError):
        deadline.clean(now - dt.timedelta(hours=1), request=sr, now=now)
    with pytest.raises(ValueError):
        PARAMS["until"].clean(timezone.localdate(now), request=sr, now=now)
    with pytest.raises(ValueError):
        PARAMS["reject_reason"].clean("bogus", request=sr, now=now)
    assert PARAMS["rating"].clean("4", request=sr, now=now) == 4
    with pytest.raises(ValueError):
        PARAMS["rating"].clean(6, request=sr, now=now)
    assert PARAMS["keep_control"].clean("да", request=sr, now=now) is True
    assert PARAMS["topic"].clean(sr.topic_id, request=sr, now=now) == sr.topic
    with pytest.raises(ValueError):
        PARAMS["premises"].clean(10**9, request=sr, now=now)


def test_reference_kinds_are_ids_in_the_api():
    field = PARAMS["organization"].kind.api_field(PARAMS["organization"], required=False)
    assert isinstance(field, serializers.IntegerField)
    assert PARAMS["organization"].kind.info_name == "id"
    assert PARAMS["deadline"].kind.info_name == "datetime"
