"""The classifier (R2): a tree of topics with deadlines, emergency flags and handler kinds,
loaded idempotently."""

import pytest
from django.core.management import call_command
from django.db import IntegrityError

from domovoy.servicedesk import selectors
from domovoy.servicedesk.models import Topic

pytestmark = [pytest.mark.req("R2"), pytest.mark.django_db]


def test_loading_twice_changes_nothing_and_keeps_operator_topics(classifier):
    count = Topic.objects.count()
    snapshot = list(Topic.objects.order_by("code").values())
    custom = Topic.objects.create(
        code="custom-bench", name="Сломана скамейка", parent=classifier["yards"], deadline_days=5
    )
    call_command("load_classifier", verbosity=0)
    assert Topic.objects.count() == count + 1
    assert list(Topic.objects.exclude(pk=custom.pk).order_by("code").values()) == snapshot


def test_the_topics_carry_realistic_rules(classifier):
    gas = classifier["gas-smell"]
    assert gas.is_emergency and gas.handler_kind == "rso" and gas.resource == "gas"
    assert (gas.deadline_hours, gas.deadline_working) == (1, False)
    stuck = classifier["lift-people-stuck"]
    assert stuck.is_emergency and stuck.handler_kind == "contractor"
    assert not classifier["lift-stopped"].is_emergency
    assert classifier["power-building"].handler_kind == "rso"
    assert classifier["power-flat"].handler_kind == "uo"
    door = classifier["entrance-door"]
    assert (door.deadline_days, door.deadline_working) == (3, True)
    assert door.deadline_text == "3 раб. дн."
    assert str(door) == "Подъезд / Сломана входная дверь, доводчик"
    # Every supplier topic names its resource (routing needs it).
    assert not Topic.objects.filter(handler_kind="rso", resource="").exists()


def test_the_tree_lists_groups_before_their_topics(classifier):
    tree = selectors.topic_tree()
    water = next(i for i, t in enumerate(tree) if t.code == "water")
    assert tree[water].depth == 0
    assert tree[water + 1].parent_id == tree[water].pk and tree[water + 1].depth == 1


def test_a_topic_has_hours_or_days_not_both(db):
    with pytest.raises(IntegrityError):
        Topic.objects.create(code="bad", name="Плохая", deadline_hours=4, deadline_days=1)
