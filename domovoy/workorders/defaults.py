"""The default form of work order shipped with the system: «Заказ-наряд на выполнение работ
по заявке», version 1 approved. Loaded by the data migration ``0002`` and by the
``load_workorder_templates`` command (idempotent: a form that exists is left as it is)."""

DEFAULT_KIND = "standard"

DEFAULT_TEMPLATE = {
    "kind": DEFAULT_KIND,
    "title": "Заказ-наряд на выполнение работ по заявке",
    "description": (
        "Документ, подтверждающий выполнение заявки (U 3.5.2е, G 3.4.2): исполнитель, дата и "
        "время работ, причина неисправности, перечень выполненных работ с единицами и "
        "количеством, использованные материалы, результат; подписи исполнителя и заявителя "
        "(«работы принял, претензий не имею»)."
    ),
    "order": 0,
}

DEFAULT_VERSION = {
    "title": "Заказ-наряд на выполнение работ по заявке",
    "note": "Первая версия формы",
    "fields": [
        {
            "name": "performer",
            "label": "Исполнитель работ (ФИО, должность)",
            "type": "text",
            "required": True,
            "max_length": 200,
        },
        {
            "name": "crew",
            "label": "Состав бригады",
            "type": "text",
            "required": False,
            "max_length": 300,
        },
        {
            "name": "work_date",
            "label": "Дата выполнения работ",
            "type": "date",
            "required": True,
            "not_future": True,
        },
        {
            "name": "work_time",
            "label": "Время работ (с — по)",
            "type": "text",
            "required": False,
            "max_length": 50,
            "help": "например: 10:30 — 12:15",
        },
        {
            "name": "labour_hours",
            "label": "Трудозатраты",
            "type": "number",
            "required": False,
            "min": 0,
            "max": 1000,
            "unit": "чел.-ч",
        },
        {
            "name": "cause",
            "label": "Причина неисправности",
            "type": "multiline",
            "required": False,
            "max_length": 1000,
        },
        {
            "name": "works",
            "label": "Выполненные работы",
            "type": "works",
            "required": True,
            "max_rows": 50,
        },
        {
            "name": "materials",
            "label": "Использованные материалы",
            "type": "multiline",
            "required": False,
            "max_length": 2000,
        },
        {
            "name": "result",
            "label": "Результат, рекомендации",
            "type": "multiline",
            "required": False,
            "max_length": 2000,
        },
    ],
    "layout": [
        {"kind": "header"},
        {"kind": "request", "title": "Сведения о заявке"},
        {
            "kind": "fields",
            "title": "Выполнение работ",
            "fields": ["performer", "crew", "work_date", "work_time", "labour_hours", "cause"],
        },
        {"kind": "works", "title": "Перечень выполненных работ", "field": "works"},
        {"kind": "fields", "title": "Материалы и результат", "fields": ["materials", "result"]},
        {"kind": "signatures"},
    ],
}


def install_default_templates(template_model, version_model, *, now) -> bool:
    """Create the default form with version 1 in force unless a form of that kind exists.
    Takes the model classes so that the data migration can pass its historical models.
    Returns whether it created anything."""
    if template_model.objects.filter(kind=DEFAULT_TEMPLATE["kind"]).exists():
        return False
    template = template_model.objects.create(**DEFAULT_TEMPLATE)
    version_model.objects.create(
        template=template,
        number=1,
        status="active",
        approved_at=now,
        **DEFAULT_VERSION,
    )
    return True
