from django import template

from domovoy.directory.models import Role

register = template.Library()


@register.filter
def role_labels(codes):
    """Role codes → their names in the current language, comma-separated."""
    names = dict(Role.choices)
    return ", ".join(str(names.get(code, code)) for code in codes or ())


@register.filter
def phone(value):
    """A stored phone (E.164) as people read it: ``+7 910 123-45-67`` (core.phones)."""
    from domovoy.core import phones

    return phones.display(value)
