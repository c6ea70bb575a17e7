"""Look-ups kept in this process's memory under a shared generation (issue 10).

A ``ProcessCache`` keeps values (no pickling: the objects themselves) for ``ttl`` seconds and
tags each with the generation it was made under. A save or delete of a model it is made of
(``connect``) bumps the generation in the shared cache (Redis at scale) and here, once at
the write and again when its transaction commits (a process that read the old rows between
the two must not keep them). Other processes read the shared generation at most every
``GENERATION_CHECK`` seconds, so they see a change within that time; writes that send no
signal (``bulk_create``, ``QuerySet.update``) are seen after ``ttl`` at most.

Users: ``servicedesk.intake_cache`` (routing, classifier, premises) and the verified tokens of
``api.auth``."""

from __future__ import annotations

import copy
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

GENERATION_CHECK = 1.0  # seconds between two reads of the shared generation

_all: list[ProcessCache] = []


class ProcessCache:
    def __init__(self, name: str, *, ttl: float, max_entries: int):
        self.name, self.ttl, self.max_entries = name, ttl, max_entries
        self.generation_key = f"process-cache:{name}:generation"
        self._entries: dict = {}  # key -> (generation, expires at, value)
        self._receivers: list = []  # signals hold receivers weakly
        self._generation: list = [None, 0.0]  # the shared generation as last read, and when
        _all.append(self)

    def generation(self):
        now = time.monotonic()
        if self._generation[0] is None or now - self._generation[1] >= GENERATION_CHECK:
            generation = cache.get(self.generation_key)
            if generation is None:
                generation = time.time_ns()
                cache.set(self.generation_key, generation, None)
            self._generation[:] = [generation, now]
        return self._generation[0]

    def get(self, key, compute):
        """The value of ``key`` made under the current generation, else ``compute()`` kept.
        An exception of ``compute`` is not kept."""
        generation = self.generation()
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] == generation and entry[1] > now:
            return entry[2]
        value = compute()
        if len(self._entries) >= self.max_entries:
            self._entries.clear()
        self._entries[key] = (generation, now + self.ttl, value)
        return value

    def bump(self) -> None:
        """Every entry made before now is stale, here and (within a second) elsewhere."""
        generation = time.time_ns()
        cache.set(self.generation_key, generation, None)
        self._generation[:] = [generation, time.monotonic()]
        self._entries.clear()

    def invalidate(self, **_kwargs) -> None:
        """A signal receiver (also callable directly): stale now and again at the commit."""
        self.bump()
        transaction.on_commit(self.bump)

    def connect(self, *models, skip=None) -> None:
        """Saves and deletes of ``models`` invalidate; ``skip(sender, kwargs)`` true: a save
        that changes nothing kept here."""

        def receiver(sender, **kwargs):
            if skip is None or not skip(sender, kwargs):
                self.invalidate()

        self._receivers.append(receiver)
        for model in models:
            for signal in (post_save, post_delete):
                signal.connect(
                    receiver, sender=model, dispatch_uid=f"process-cache-{self.name}-{model}"
                )


def copy_rows(obj, memo: dict | None = None):
    """A copy of a kept model instance and of the related instances read with it, each with
    its own state (lists and dicts among its values copied too): what one request notes on
    its objects never reaches the next request."""
    if obj is None:
        return None
    memo = {} if memo is None else memo
    copied = memo.get(id(obj))
    if copied is not None:
        return copied
    copied = object.__new__(type(obj))
    memo[id(obj)] = copied
    copied.__dict__ = {
        k: (v.copy() if isinstance(v, (list, dict)) else v) for k, v in obj.__dict__.items()
    }
    state = copy.copy(obj._state)
    state.fields_cache = {k: copy_rows(v, memo) for k, v in obj._state.fields_cache.items()}
    copied._state = state
    return copied


def clear_all() -> None:
    """Forget every entry of every process cache (tests: the database rolled back)."""
    for process_cache in _all:
        process_cache.bump()
