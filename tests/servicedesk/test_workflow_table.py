"""The one declarative table (R4): complete, consistent, read by the service and the pages;
the resident-facing words of 115.бел with a settings override (R4, M)."""

import pytest
from django.test import override_settings

from domovoy.servicedesk import resident_words, services, workflow
from domovoy.servicedesk.workflow import Action, Status

from .helpers import act

pytestmark = pytest.mark.req("R4")


def test_every_action_has_one_row_and_one_effect_and_every_status_is_reachable():
    actions = {t.action for t in workflow.TRANSITIONS}
    assert actions == set(Action) - workflow.NON_TRANSITION_ACTIONS
    assert set(services.EFFECTS) == actions
    reachable = {Status.NEW}
    for t in workflow.TRANSITIONS:
        if isinstance(t.target, workflow.Route):
            reachable |= set(t.target.possible)
        elif isinstance(t.target, Status):
            reachable.add(t.target)
    assert reachable == set(Status)
    for t in workflow.TRANSITIONS:
        assert set(t.requires) | set(t.optional) | set(t.conditional_params) <= set(workflow.PARAMS)
        assert t.who, t.action


def test_accepting_closing_and_rejecting_need_a_public_comment():
    for action in (Action.ACCEPT, Action.REJECT, Action.MODERATION_APPROVE,
                   Action.CONFLICT_CLOSE):  # fmt: skip
        assert "comment" in workflow.BY_ACTION[action].requires
    assert "report" in workflow.BY_ACTION[Action.COMPLETE].requires


def test_residents_see_the_115_words_by_default():
    words = {status: resident_words.status_word(status) for status in Status}
    assert words[Status.NEW] == words[Status.ACCEPTED] == "на рассмотрении"
    assert words[Status.IN_WORK] == words[Status.POSTPONED] == words[Status.REOPENED] == "в работе"
    assert words[Status.MODERATION] == words[Status.VERIFICATION] == "на контроле"
    assert words[Status.REJECTED] == "отклонено"
    assert words[Status.CLOSED] == words[Status.WITHDRAWN] == "заявка закрыта"


def test_a_deployment_may_override_the_words():
    with override_settings(SERVICEDESK_RESIDENT_STATUS_WORDS={"new": "у разглядзе"}):
        assert resident_words.status_word(Status.NEW) == "у разглядзе"
        assert resident_words.status_word(Status.IN_WORK) == "в работе"


@pytest.mark.django_db
def test_allowed_actions_follow_the_table_for_each_party(
    sr, uo_dispatcher, anna, boris, call_operator, uo_accountant
):
    def names(user):
        return {t.action.value for t in services.allowed_actions(sr, user)}

    assert names(uo_dispatcher) == {
        "accept", "start", "extend_deadline", "set_deadline", "change_topic", "redirect",
        "reject",
    }  # fmt: skip
    assert names(anna) == {"withdraw", "edit", "delete"}
    assert names(boris) == names(call_operator) == names(uo_accountant) == set()
    act(sr, "start", uo_dispatcher, comment="Взяли в работу")
    assert "complete" in names(uo_dispatcher) and "accept" not in names(uo_dispatcher)
    assert names(anna) == {"withdraw"}
    act(sr, "complete", uo_dispatcher, report="Готово", comment="Работы выполнены")
    assert names(anna) == {"confirm", "dispute", "reopen", "rate"}
    assert names(call_operator) == {"close_by_call_centre"}
    act(sr, "rate", anna, rating=3)
    assert "rate" not in names(anna)


@pytest.mark.django_db
def test_a_dispatch_crew_button_shows_only_for_emergencies(file_request, uo_dispatcher):
    emergency = file_request("gas-smell", "Сильный запах газа на 3 этаже")
    # Routed to the UO (no gas supplier registered), which sends the crew.
    assert "dispatch_crew" in {t.action for t in services.allowed_actions(emergency, uo_dispatcher)}


@pytest.mark.django_db
def test_required_params_follow_the_request_and_the_territory_setting(
    file_request, contractor_dispatcher
):
    request = file_request("lift-stopped", "Лифт стоит")
    verify = workflow.BY_ACTION["verify"]
    assert services.required_params(verify, request) == ("comment",)
    with override_settings(SERVICEDESK_VERIFICATION_EVIDENCE_REQUIRED=True):
        assert services.required_params(verify, request) == ("comment", "evidence")
    complete = workflow.BY_ACTION["complete"]
    # The contractor's completion goes to the UO's verification: the UO answers the resident.
    assert services.required_params(complete, request) == ("report",)
    act(request, "redirect", contractor_dispatcher, reason="Лифтовая служба УК",
        organization=request.origin_org)  # fmt: skip
    # With the UO itself as executor the completion reaches the resident at once.
    assert services.required_params(complete, request) == ("report", "comment")
