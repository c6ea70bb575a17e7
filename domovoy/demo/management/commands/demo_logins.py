from django.core.management.base import BaseCommand

from domovoy.demo import data
from domovoy.demo.generator import demo_logins


class Command(BaseCommand):
    help = "Print the demo logins: role — username — password — organisation."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", help="the site's address: printed after the table with the login to try first"
        )

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
        if options["url"]:
            password = data.DEMO_PASSWORD
            self.stdout.write("")
            self.stdout.write(f"Откройте {options['url']}")
            self.stdout.write(
                f"Сначала войдите как {data.RESIDENT_LOGIN} / {password} (житель: подайте "
                f"заявку), затем как {data.FIRST_DISPATCHER_LOGIN} / {password} (диспетчер "
                f"управляющей компании этого дома: заявка в очереди). {data.ADMIN_LOGIN} видит всё."
            )
