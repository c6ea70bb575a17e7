"""``python -m bench [--only NAME[,NAME]] [--db-url URL]``: a throwaway database, the
scenarios, one line of figures per scenario with its ratio against a baseline of the same run.

The database is ``--db-url``, else ``DATABASE_URL``, else SQLite; for PostgreSQL the runner
creates (and afterwards drops) ``domovoy_bench`` on that server, for SQLite a file under var/.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_DB_NAME", "domovoy_bench")


def _parse(argv):
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument(
        "--db-url",
        default="",
        help="database URL (default: DATABASE_URL, "
        "else SQLite); PostgreSQL gets a throwaway database " + BENCH_DB,
    )
    parser.add_argument(
        "--buildings",
        type=int,
        default=100_000,
        help="buildings seeded for building_list_by_street",
    )
    parser.add_argument("--requests", type=int, default=200, help="timed page requests")
    parser.add_argument(
        "--accounts", type=int, default=200_000, help="account rows imported by accounts_import"
    )
    parser.add_argument(
        "--http-requests", type=int, default=400, help="http_intake: requests per side per round"
    )
    parser.add_argument("--http-rounds", type=int, default=3, help="http_intake: rounds per side")
    parser.add_argument("--http-clients", type=int, default=8, help="http_intake: concurrency")
    parser.add_argument(
        "--http-seconds", type=float, default=60, help="http_intake: time cap of one round"
    )
    parser.add_argument(
        "--http-breakdown", type=int, default=200, help="http_intake: in-process instrumented runs"
    )
    parser.add_argument(
        "--http-profile", action="store_true", help="http_intake: cProfile the in-process runs"
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    return parser.parse_args(argv)


def _masked(url):
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


class Database:
    """The throwaway benchmark database for ``url``'s server (PostgreSQL) or a file (SQLite)."""

    def __init__(self, url):
        self.source = url
        self.is_postgres = url.startswith(("postgres://", "postgresql://", "pgsql://"))
        if self.is_postgres:
            parts = urlsplit(url)
            self.admin_url = urlunsplit(parts._replace(path="/postgres"))
            self.url = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
            self.label = f"PostgreSQL {_masked(self.url)}"
        elif url.startswith("sqlite:") or not url:
            path = BASE_DIR / "var" / f"{BENCH_DB}.sqlite3"
            self.url = f"sqlite:///{path}"
            self.path = path
            self.label = f"SQLite {path}"
        else:
            raise SystemExit(f"unsupported database URL: {_masked(url)}")

    def _admin(self, sql):
        import psycopg

        parts = urlsplit(self.admin_url)
        with psycopg.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(sql)

    def create(self):
        if self.is_postgres:
            self._admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            self._admin(f'CREATE DATABASE "{BENCH_DB}"')
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._remove_files()

    def drop(self):
        if self.is_postgres:
            from django.db import connections

            connections.close_all()
            self._admin(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        else:
            self._remove_files()

    def _remove_files(self):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)


def main(argv=None):
    args = _parse(sys.argv[1:] if argv is None else argv)
    url = args.db_url or os.environ.get("DATABASE_URL", "")
    db = Database(url)
    print(
        f"database: {db.label} (throwaway; source: "
        f"{'--db-url' if args.db_url else 'DATABASE_URL' if url else 'default SQLite'})"
    )
    db.create()
    os.environ["DATABASE_URL"] = db.url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from bench import scenarios

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    print(f"migrated in {time.perf_counter() - started:.1f} s")
    wanted = [n.strip() for n in args.only.split(",") if n.strip()] or list(scenarios.SCENARIOS)
    unknown = set(wanted) - set(scenarios.SCENARIOS)
    if unknown:
        print(
            f"unknown scenario(s): {', '.join(sorted(unknown))}; "
            f"known: {', '.join(scenarios.SCENARIOS)}"
        )
        return 2
    failed = 0
    try:
        for name in wanted:
            try:
                line = scenarios.SCENARIOS[name](args)
            except Exception as exc:  # a broken scenario must not hide the others' figures
                failed += 1
                line = f"FAILED: {type(exc).__name__}: {exc}"
            print(f"{name}: {line}", flush=True)
    finally:
        if not args.keep:
            db.drop()
    return 1 if failed else 0
