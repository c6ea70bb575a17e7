"""The label of a model field's choice, as ``get_FOO_display`` gives it, without its cost.

Django's ``get_FOO_display`` builds a dict of the field's choices on every call, hashing each
lazy label (a translation per choice): for a field with thirty choices that is thirty
catalogue look-ups per label shown. Here the labels of a field are made once per language
(the catalogues do not change while the process runs)."""

from django.utils import translation

_labels: dict[tuple, dict] = {}


def choice_label(instance, field_name: str) -> str:
    """``instance.get_<field_name>_display()`` in the active language."""
    field = instance._meta.get_field(field_name)
    value = getattr(instance, field.attname)
    if not isinstance(value, (str, int)):
        return instance._get_FIELD_display(field)
    key = (field, translation.get_language())
    labels = _labels.get(key)
    if labels is None:
        labels = _labels[key] = {v: str(label) for v, label in field.flatchoices}
    label = labels.get(value)
    return label if label is not None else instance._get_FIELD_display(field)
