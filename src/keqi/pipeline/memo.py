"""Reads that a page repeats, done once per web request.

A page of the targets or the leadership report asks the counts service many times (one scope, one
indicator, one day after another); each call read the data version, the ladder and the units again
(73 queries for a warm leadership report, benchmarks/targets_services.py). Inside a request these reads
are kept from the first call; the memo is emptied when a request starts and ends, and when a firm, a
qualification, a unit or the ladder is saved or deleted in it. Outside a request (the worker, commands,
tests calling services) nothing is kept: every call reads afresh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished, request_started
from django.db.models.signals import post_delete, post_save

_local = threading.local()


def once(name: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per request under ``name``; outside a request, every time."""
    memo = getattr(_local, "memo", None)
    if memo is None:
        return compute()
    if name not in memo:
        memo[name] = compute()
    return memo[name]


def _start(**kwargs) -> None:
    _local.memo = {}


def _end(**kwargs) -> None:
    _local.memo = None


def _forget(**kwargs) -> None:
    if getattr(_local, "memo", None) is not None:
        _local.memo = {}


request_started.connect(_start, dispatch_uid="keqi.pipeline.memo.start")
request_finished.connect(_end, dispatch_uid="keqi.pipeline.memo.end")


def forget_on_change(*models) -> None:
    """Empty the memo when a row of one of ``models`` is saved or deleted (bulk writes run outside requests)."""
    for model in models:
        post_save.connect(_forget, sender=model, dispatch_uid=f"keqi.pipeline.memo.save.{model._meta.label}")
        post_delete.connect(_forget, sender=model, dispatch_uid=f"keqi.pipeline.memo.delete.{model._meta.label}")
