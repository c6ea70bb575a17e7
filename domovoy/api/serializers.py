"""Shared serializer plumbing of the REST API."""

import copy

from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject


class FieldsOnce:
    """A serializer mixin for hot paths (intake's input and its 201, lists): the fields are
    built once per class (DRF builds them on every instance: a deep copy of the declared
    fields and, for a ModelSerializer, a walk over the model's fields, their validators and
    labels).

    Input: each instance gets copies of them to bind. A plain field is copied shallowly (DRF's
    deep copy calls its constructor again); binding sets only the copy's own attributes. A
    nested serializer, or a field with a child bound to it (lists), is copied in full.

    Output (``to_representation``) reads through one set of fields bound once per class: a
    method field calls this instance's method (its context is this instance's), any other field
    reads the row as DRF does. A nested serializer is served by that shared set too, so it must
    not read the context (``OrgBriefSerializer`` reads the row only)."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            cls._fields_built = built
        return {name: _copy_field(field) for name, field in built.items()}

    def to_representation(self, instance):
        ret = {}
        for name, field, method in _readable_plan(type(self)):
            if method is not None:
                ret[name] = method(self, instance)
                continue
            try:
                attribute = field.get_attribute(instance)
            except SkipField:
                continue
            # As DRF: None stays None; a related field's PKOnlyObject is None by its pk.
            check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[name] = None if check is None else field.to_representation(attribute)
        return ret


def _readable_plan(cls) -> list[tuple]:
    """(name, bound field, method of a method field or None) of ``cls``'s readable fields."""
    plan = cls.__dict__.get("_readable_plan")
    if plan is None:
        plan = []
        for name, field in cls().fields.items():
            if field.write_only:
                continue
            method = None
            if isinstance(field, serializers.SerializerMethodField):
                method = getattr(cls, field.method_name)
            plan.append((name, field, method))
        cls._readable_plan = plan
    return plan


def _copy_field(field):
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child"):
        return copy.deepcopy(field)
    if hasattr(field, "child_relation"):
        return copy.deepcopy(field)
    copied = object.__new__(type(field))
    copied.__dict__.update(field.__dict__)
    return copied
