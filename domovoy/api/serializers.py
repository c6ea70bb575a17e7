"""Shared serializer plumbing of the REST API."""

import copy


class FieldsOnce:
    """A ModelSerializer mixin: the fields are built from the model once per class (DRF builds
    them on every instance: a walk over the model's fields, their validators and labels), and
    each instance gets a copy. For serializers on hot paths (the 201 of intake, lists)."""

    def get_fields(self):
        cls = type(self)
        built = cls.__dict__.get("_fields_built")
        if built is None:
            built = super().get_fields()
            cls._fields_built = built
        return copy.deepcopy(built)
