"""``choice_label``: the label ``get_FOO_display`` gives, in the active language, made once per
field and language (issue 10)."""

import pytest
from django.utils import translation

from domovoy.core.choices import choice_label
from domovoy.servicedesk.models import RequestEvent, ServiceRequest
from domovoy.servicedesk.workflow import Status


@pytest.mark.req("R4")
@pytest.mark.parametrize("language", ["ru", "en"])
def test_choice_label_is_get_display_in_the_active_language(language):
    with translation.override(language):
        for value, _label in Status.choices:
            sr = ServiceRequest(status=value)
            assert choice_label(sr, "status") == sr.get_status_display()
        for value, _label in RequestEvent._meta.get_field("action").flatchoices:
            event = RequestEvent(action=value)
            assert choice_label(event, "action") == event.get_action_display()
    unknown = ServiceRequest(status="no-such-status")
    assert choice_label(unknown, "status") == "no-such-status"
