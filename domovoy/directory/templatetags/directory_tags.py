from django import template

from domovoy.directory.models import Role

register = template.Library()


@register.filter
def role_labels(codes):
    """Role codes → their names in the current language, comma-separated."""
    names = dict(Role.choices)
    return ", ".join(str(names.get(code, code)) for code in codes or ())
