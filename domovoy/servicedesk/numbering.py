"""Row ids claimed ahead from a table's sequence on PostgreSQL (issue 10): a request's number is
made of its id, so knowing the id before the insert writes the row once, already numbered.

Each process takes a block of ``BLOCK`` ids in one query and hands them out; the sequence is
the same one plain inserts use, so ids stay unique whoever inserts. Ids of a block a process
never uses are skipped (numbers have gaps already: a rolled-back insert consumes its id), and
two processes' requests interleave their blocks (numbers are unique and readable, not a
chronological order: lists order by ``created_at``)."""

from __future__ import annotations

import os
import threading

from django.db import connections

BLOCK = 20

_lock = threading.Lock()
_claimed: dict[tuple[str, str], list[int]] = {}
# A forked child must not hand out its parent's ids a second time.
os.register_at_fork(after_in_child=_claimed.clear)


def next_id(model, *, using: str = "default") -> int | None:
    """The next id for a row of ``model``, or None where ids come from the insert (SQLite)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    table = model._meta.db_table
    key = (str(connection.settings_dict["NAME"]), table)
    with _lock:
        ids = _claimed.get(key)
        if not ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [table, model._meta.pk.column, BLOCK],
                )
                ids = _claimed[key] = sorted(row[0] for row in cursor.fetchall())
        return ids.pop(0)
