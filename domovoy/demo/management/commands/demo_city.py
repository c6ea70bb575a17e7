from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from domovoy.demo import data
from domovoy.demo.generator import demo_city_load


class Command(BaseCommand):
    help = "Load the demo city (Kostroma) once; running it again changes nothing."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="1 = about 300 buildings and 20,000 accounts; 10 = ten times more",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=data.DEFAULT_SEED,
            help="random seed (the same seed gives the same city)",
        )
        parser.add_argument(
            "--buildings",
            type=int,
            default=None,
            help="exact number of buildings (overrides --scale)",
        )
        parser.add_argument(
            "--buildings-only", action="store_true", help="no premises, accounts or residents"
        )

    def handle(self, *args, scale, seed, buildings, buildings_only, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive")
        counts = demo_city_load(
            scale=scale,
            seed=seed,
            buildings=buildings,
            with_premises=not buildings_only,
            log=self.stdout.write if options["verbosity"] > 1 else None,
        )
        # The reference data the demo's journeys need; both loaders are idempotent.
        call_command("load_classifier", verbosity=0)
        call_command("load_workorder_templates", verbosity=0)
        if counts is None:
            self.stdout.write("demo city already loaded")
            return
        seconds = counts.pop("seconds")
        rows = sum(counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"demo city loaded in {seconds:.1f} s ({rows / max(seconds, 0.001):,.0f} rows/s): "
                + ", ".join(f"{k} {v:,}" for k, v in counts.items())
            )
        )
