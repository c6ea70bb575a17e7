"""``FieldsOnce`` (issue 10): fields built once per class, yet each serializer answers with its
own context and reads like DRF's own loop (None, related ids, nested serializers)."""

import pytest
from rest_framework import serializers

from domovoy.api.serializers import FieldsOnce
from domovoy.servicedesk.api import OrgBriefSerializer, RequestListSerializer

pytestmark = [pytest.mark.req("S5"), pytest.mark.django_db]


class _Masked(FieldsOnce, serializers.ModelSerializer):
    who = serializers.SerializerMethodField()
    executor = OrgBriefSerializer(source="executor_org", read_only=True)
    controller = OrgBriefSerializer(source="controller_org", read_only=True, allow_null=True)

    class Meta:
        model = RequestListSerializer.Meta.model
        fields = ["id", "number", "topic", "who", "executor", "controller"]

    def get_who(self, obj) -> str:
        return self.context["who"]


def test_each_instance_answers_with_its_own_context_and_reads_as_drf(sr):
    first = _Masked(sr, context={"who": "first"}).data
    second = _Masked(sr, context={"who": "second"}).data
    assert (first["who"], second["who"]) == ("first", "second")

    class Plain(serializers.ModelSerializer):  # DRF's own loop, for comparison
        executor = OrgBriefSerializer(source="executor_org", read_only=True)
        controller = OrgBriefSerializer(source="controller_org", read_only=True, allow_null=True)

        class Meta:
            model = _Masked.Meta.model
            fields = ["id", "number", "topic", "executor", "controller"]

    expected = Plain(sr).data
    assert {k: v for k, v in first.items() if k != "who"} == dict(expected)
    assert first["controller"] is None and first["topic"] == sr.topic_id
    assert first["executor"] == {"id": sr.executor_org_id, "short_name": sr.executor_org.short_name}
