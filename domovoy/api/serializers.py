"""Shared serializer plumbing of the REST API."""

import copy

from rest_framework import serializers


class FieldsOnce:
    """A serializer mixin: the fields are built once per class (DRF builds them on every
    instance: a deep copy of the declared fields and, for a ModelSerializer, a walk over the
    model's fields, their validators and labels), and each instance gets copies to bind. For
    serializers on hot paths (intake's input and its 201, lists).

    A plain field is copied shallowly (DRF's deep copy calls its constructor again); binding
    sets only the copy's own attributes. A nested serializer, or a field with a child bound to
    it (lists), is copied in full."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            cls._fields_built = built
        return {name: _copy_field(field) for name, field in built.items()}


def _copy_field(field):
    if isinstance(field, serializers.BaseSerializer) or hasattr(field, "child"):
        return copy.deepcopy(field)
    if hasattr(field, "child_relation"):
        return copy.deepcopy(field)
    copied = object.__new__(type(field))
    copied.__dict__.update(field.__dict__)
    return copied
