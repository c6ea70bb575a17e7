"""ONE form for any workflow action on any page (the staff card, the resident's cabinet, the call
centre): its fields are the action's parameters from the table (``workflow.PARAMS``), each asked
for by its kind's form field (``params.Kind.form_field``). Mandatory parameters (including the
ones a condition makes mandatory for this request now) are required, the others optional.

The form only parses input; the rules live in ``services.service_request_transition``, whose
``Invalid.fields`` are put next to the fields (``web.pages.apply_errors``). ``version`` is the
request version the user saw: a concurrent change is refused (409) instead of being overwritten."""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from domovoy.core.bounds import form_integer, parse_id

from .params import PUBLIC, STAFF, FieldContext
from .selectors import late_entries_open
from .services import param_prefill, required_params
from .workflow import PARAMS, Action, Transition, WithdrawReason

# Choice values that belong to another action and must not be offered in this one's form:
# «удалена заявителем» is the reason code written by «Удалить», not a withdrawal reason.
HIDDEN_CHOICES = {(Action.WITHDRAW.value, "withdraw_reason"): {WithdrawReason.DELETED.value}}
# Actions whose parameters edit the request's fields: the form starts from the current values.
EDITS_REQUEST = {Action.EDIT.value}


class ActionForm(forms.Form):
    """The parameters of ``transition`` for ``request``. ``audience`` is ``STAFF`` (selects,
    «виден заявителю» on public parameters) or ``PUBLIC`` (the resident and the call centre:
    radios and stars); ``actor_org`` narrows the departments and employees offered; ``words``
    (``resident_words.ActionWords``) gives the resident's button, the line under it and the name
    of the comment field instead of the staff terms."""

    version = form_integer("PositiveIntegerField", widget=forms.HiddenInput)

    def __init__(
        self, data=None, files=None, *, transition: Transition, request, actor_org=None,
        audience=STAFF, words=None, **kwargs,
    ):  # fmt: skip
        kwargs.setdefault("prefix", transition.action.value)
        super().__init__(data, files, **kwargs)
        self.transition = transition
        self.words = words
        self.sr = request
        self.initial.setdefault("version", request.version)
        mandatory = required_params(transition, request)
        names = list(
            dict.fromkeys((*mandatory, *transition.optional, *transition.conditional_params))
        )
        self.param_names = tuple(names)
        ctx = FieldContext(
            request=request, actor_org=actor_org, audience=audience,
            organization=self._chosen_org(names, data),
        )  # fmt: skip
        edits = self.action in EDITS_REQUEST
        for name in names:
            param = PARAMS[name]
            field = param.kind.form_field(param, required=name in mandatory, ctx=ctx)
            field.label = capfirst(param.label)
            if param.public and audience == STAFF:
                field.help_text = _("виден заявителю")
            if name == "comment" and words is not None and words.comment:
                field.label = words.comment
            hidden = HIDDEN_CHOICES.get((self.action, name))
            if hidden:
                field.choices = [(v, label) for v, label in field.choices if v not in hidden]
            if edits:
                field.initial = param.kind.initial(param, request)
            elif data is None:
                field.initial = param_prefill(self.action, name, request) or None
            self.fields[name] = field
        if audience == STAFF:
            self._follow_organization()
            if late_entries_open():
                # S8: an action done during a system failure, entered with its real time.
                self.fields["occurred_at"] = forms.DateTimeField(
                    label=_("Фактическое время (если действие выполнено во время сбоя)"),
                    required=False,
                    widget=forms.DateTimeInput(
                        attrs={"type": "datetime-local", "class": "form-control"},
                        format="%Y-%m-%dT%H:%M",
                    ),
                    help_text=_("заполните, только если вносите действие задним числом"),
                )

    def _chosen_org(self, names, data):
        """The organisation whose departments and employees the form offers: the posted one
        when it may take the request, else the executor (``FieldContext.chosen_org``)."""
        if "organization" not in names or data is None:
            return None
        posted = parse_id(data.get(self.add_prefix("organization"), ""))
        if posted is None:
            return None
        return PARAMS["organization"].kind.allowed(self.sr).filter(pk=posted).first()

    def _follow_organization(self):
        """R5: the department and employee lists follow the organisation chosen in the form,
        reloaded by htmx from ``staff_redirect_options`` (no inline script: CSP)."""
        if "organization" not in self.fields:
            return
        org_field = self.fields["organization"]
        org_id = f"id_{self.add_prefix('organization')}"
        dep_id = f"id_{self.add_prefix('department')}"
        org_field.help_text = _(
            "Только организации, обслуживающие дом: управляющая организация по реестру "
            "управления, её ресурсоснабжающие и подрядные организации"
        )
        if not self.is_bound and self.sr.executor_org_id:
            org_field.initial = str(self.sr.executor_org_id)
        triggers = {"department": [org_id], "employee": [org_id, dep_id]}
        for name, sources in triggers.items():
            if name not in self.fields:
                continue
            sources = [s for s in sources if s != dep_id or "department" in self.fields]
            self.fields[name].widget.attrs.update(
                {
                    "hx-get": reverse(
                        "servicedesk:staff_redirect_options", args=[self.sr.number, name]
                    ),
                    "hx-trigger": ", ".join(f"change from:#{s}" for s in sources),
                    "hx-include": ", ".join(f"#{s}" for s in sources),
                    "hx-swap": "innerHTML",
                    "hx-sync": "this:replace",
                    "data-follows": "organization",
                }
            )

    @property
    def action(self) -> str:
        return self.transition.action.value

    @property
    def label(self):
        return self.words.button if self.words is not None else self.transition.label

    @property
    def hint(self) -> str:
        """The line under the button (the resident's words); "" for staff."""
        return self.words.hint if self.words is not None else ""

    @property
    def has_params(self) -> bool:
        return bool(self.param_names)

    @property
    def has_files(self) -> bool:
        return any(isinstance(f, forms.FileField) for f in self.fields.values())

    def params(self) -> dict:
        """The cleaned parameters for ``service_request_transition``; empty optional values
        are left out (the service treats them as absent)."""
        result = {}
        for name in self.param_names:
            value = self.cleaned_data.get(name)
            if value is None or value == "":
                continue
            result[name] = value
        if self.cleaned_data.get("occurred_at"):
            result["occurred_at"] = self.cleaned_data["occurred_at"]
        return result


def action_form(
    transition, request, *, actor_org=None, audience=STAFF, data=None, files=None, words=None
):
    """The blank form (``data`` None) or the posted one."""
    return ActionForm(
        data, files, transition=transition, request=request, actor_org=actor_org,
        audience=audience, words=words,
    )  # fmt: skip


__all__ = ["PUBLIC", "STAFF", "ActionForm", "action_form"]
