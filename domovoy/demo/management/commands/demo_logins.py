from django.core.management.base import BaseCommand

from domovoy.demo.generator import demo_logins


class Command(BaseCommand):
    help = "Print the demo logins: role — username — password — organisation."

    def handle(self, *args, **options):
        rows = demo_logins()
        if not rows:
            self.stdout.write("demo city is not loaded: run `python manage.py demo_city`")
            return
        header = ("Роль", "Логин", "Пароль", "Организация")
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(3)]
        for row in [header, *rows]:
            cells = [row[i].ljust(widths[i]) for i in range(3)] + [row[3]]
            self.stdout.write(" — ".join(cells))
