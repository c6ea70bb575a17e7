from django import template
from django.utils.translation import gettext as _

from domovoy.directory.models import Resource, Role

register = template.Library()


@register.filter
def role_labels(codes):
    """Role codes → their names in the current language, comma-separated."""
    names = dict(Role.choices)
    return ", ".join(str(names.get(code, code)) for code in codes or ())


@register.filter
def resource_label(code):
    """A resource code (``cold_water``) → its name in the current language; an empty code is
    «all resources» (a contractor's link); an unknown one is shown as stored."""
    if not code:
        return _("все ресурсы")
    return str(dict(Resource.choices).get(code, code))


@register.filter
def phone(value):
    """A stored phone (E.164) as people read it: ``+7 910 123-45-67`` (core.phones)."""
    from domovoy.core import phones

    return phones.display(value)
