"""Load the default classifier of request topics (R2). Idempotent: topics are matched by code
and updated in place, so running it again changes nothing; topics an operator added stay.

Deadlines follow the federal norms where they exist (Government Decree № 290 of 03.04.2013 on
the minimum list of works, № 354 of 06.05.2011 on permitted interruptions of utilities, № 743
of 24.06.2017 on lifts): emergencies in calendar hours, routine works in working days."""

from django.core.management.base import BaseCommand
from django.db import transaction

from domovoy.servicedesk.models import HandlerKind, Topic

UO, RSO, CONTRACTOR = HandlerKind.UO, HandlerKind.RSO, HandlerKind.CONTRACTOR


def hours(n, *, working=False):
    return {"deadline_hours": n, "deadline_days": None, "deadline_working": working}


def days(n, *, working=True):
    return {"deadline_hours": None, "deadline_days": n, "deadline_working": working}


# (group code, group name, [(code, name, deadline, handler, resource, emergency), ...])
CLASSIFIER = [
    ("water", "Водоснабжение", [
        ("water-no-cold", "Нет холодной воды", hours(24), RSO, "cold_water", False),
        ("water-no-hot", "Нет горячей воды", hours(24), RSO, "hot_water", False),
        ("water-leak", "Течь, протечка трубы водоснабжения", hours(24), UO, "", True),
        ("water-low-pressure", "Слабый напор воды", days(3), UO, "", False),
        ("water-quality", "Ржавая или мутная вода", days(2), RSO, "cold_water", False),
        ("water-hot-cold", "Горячая вода недостаточной температуры", hours(24), RSO,
         "hot_water", False),
    ]),
    ("heating", "Отопление", [
        ("heating-none", "Нет отопления в доме", hours(24), RSO, "heating", False),
        ("heating-cold-radiators", "Холодные батареи в квартире", hours(8, working=True), UO,
         "", False),
        ("heating-leak", "Течь в системе отопления", hours(24), UO, "", True),
        ("heating-airlock", "Завоздушивание стояка", hours(8, working=True), UO, "", False),
    ]),
    ("electricity", "Электроснабжение", [
        ("power-flat", "Нет электричества в квартире", hours(2), UO, "", True),
        ("power-building", "Нет электричества во всём доме", hours(2), RSO, "electricity", True),
        ("power-entrance-light", "Не горит свет в подъезде", days(3), UO, "", False),
        ("power-yard-light", "Не работает освещение во дворе", days(5), UO, "", False),
        ("power-sparking", "Искрит щиток, запах гари", hours(1), UO, "", True),
    ]),
    ("sewerage", "Водоотведение (канализация)", [
        ("sewer-blockage", "Засор канализации", hours(4), UO, "", True),
        ("sewer-basement-flood", "Затопление подвала стоками", hours(4), UO, "", True),
        ("sewer-yard-manhole", "Излив из колодца во дворе", hours(24), RSO, "sewerage", False),
    ]),
    ("gas", "Газоснабжение", [
        ("gas-smell", "Запах газа", hours(1), RSO, "gas", True),
        ("gas-none", "Нет газа", hours(24), RSO, "gas", False),
    ]),
    ("lifts", "Лифты", [
        ("lift-stopped", "Лифт не работает", hours(24), CONTRACTOR, "", False),
        ("lift-people-stuck", "В лифте застряли люди", hours(1), CONTRACTOR, "", True),
        ("lift-noise", "Шум, рывки при движении лифта", days(3), CONTRACTOR, "", False),
    ]),
    ("roofs", "Кровля и фасад", [
        ("roof-leak", "Протекает крыша", hours(24), UO, "", False),
        ("roof-icicles", "Сосульки, снег и наледь на крыше", hours(24), UO, "", False),
        ("facade-damage", "Повреждение фасада, балконных плит", days(5), UO, "", False),
    ]),
    ("yards", "Придомовая территория", [
        ("yard-cleaning", "Не убирается двор", days(1), UO, "", False),
        ("yard-snow", "Не убран снег, гололёд во дворе", hours(24), UO, "", False),
        ("yard-playground", "Сломано оборудование детской площадки", days(10), UO, "", False),
        ("yard-trees", "Аварийное дерево", days(3), UO, "", False),
    ]),
    ("entrance", "Подъезд", [
        ("entrance-cleaning", "Не убирается подъезд", days(1), UO, "", False),
        ("entrance-door", "Сломана входная дверь, доводчик", days(3), UO, "", False),
        ("entrance-windows", "Разбиты окна в подъезде", days(1), UO, "", False),
        ("entrance-intercom", "Не работает домофон", days(3), CONTRACTOR, "", False),
        ("entrance-chute", "Засор мусоропровода", hours(24), UO, "", False),
    ]),
    ("waste", "Вывоз мусора", [
        ("waste-not-collected", "Не вывезен мусор с контейнерной площадки", hours(24),
         CONTRACTOR, "", False),
        ("waste-bulky", "Не вывезен крупногабаритный мусор", days(3), CONTRACTOR, "", False),
    ]),
    ("noise", "Шум и вибрация", [
        ("noise-equipment", "Шум от инженерного оборудования дома", days(5), UO, "", False),
    ]),
    ("other", "Прочее", [
        ("other-management", "Вопросы к управляющей организации", days(10), UO, "", False),
    ]),
]  # fmt: skip


# Issue 13: topics about one flat or one person's affairs — their requests are private, so
# neighbours cannot press «У меня тоже» on them (docs/decisions.md, «Repeats and «я тоже»»).
PERSONAL_TOPICS = frozenset({"heating-cold-radiators", "power-flat", "other-management"})


class Command(BaseCommand):
    help = "Load (or update) the default classifier of request topics. Safe to run repeatedly."

    @transaction.atomic
    def handle(self, *args, **options):
        created = updated = 0
        for group_order, (group_code, group_name, topics) in enumerate(CLASSIFIER, start=1):
            group, was_created = Topic.objects.update_or_create(
                code=group_code,
                defaults={
                    "name": group_name, "parent": None, "order": group_order * 10,
                    "handler_kind": UO, "resource": "", "is_emergency": False,
                    **days(10),
                },
            )  # fmt: skip
            created += was_created
            updated += not was_created
            for order, (code, name, deadline, handler, resource, emergency) in enumerate(
                topics, start=1
            ):
                _, was_created = Topic.objects.update_or_create(
                    code=code,
                    defaults={
                        "name": name, "parent": group, "order": order, "handler_kind": handler,
                        "resource": resource, "is_emergency": emergency, **deadline,
                        "is_personal": code in PERSONAL_TOPICS,
                    },
                )  # fmt: skip
                created += was_created
                updated += not was_created
        if options["verbosity"] > 0:
            self.stdout.write(f"Classifier: {created} topics created, {updated} checked.")
