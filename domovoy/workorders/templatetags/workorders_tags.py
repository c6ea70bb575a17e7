"""The work-order panel of a request card: the service desk's card shows it without importing
this app (the dependency runs from work orders to requests)."""

from django import template

from domovoy.workorders import selectors, services

register = template.Library()


@register.inclusion_tag("workorders/_request_panel.html", takes_context=True)
def work_orders_panel(context, sr):
    user = context["request"].user
    return {
        "sr": sr,
        "work_orders": list(selectors.work_orders_of(request=sr)),
        "can_create": sr.status in services.work_order_statuses()
        and user.has_perm("workorders.add_work_order", sr),
    }
