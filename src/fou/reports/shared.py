"""Results that are the same for every municipality, computed once and shared by a batch's jobs.

A batch makes the same report for each of the 13 municipalities, and part of
every report is not about the municipality at all: the association screen of
the 13, the pandemic years' changes for every municipality, the position
table of a domain among the 13. :func:`shared` marks such a function. With the
cache switched on (the batch sets :data:`CACHE_ENV` for its kernels), the
first job computes the result and writes it to disk; the other jobs, in any
worker, read it.

Staleness cannot happen by construction:

* the key holds what the result is computed from: the data set's snapshot id
  and local submissions, demo or not, the report's year, the catalogue's
  view, the comparison (and the own group's members), the function and its
  arguments;
* the cache folder is named by :func:`fou.core.version.code_fingerprint`, so
  new code never reads what old code wrote;
* the function is called with the context *without its municipality*
  (``municipality_id=None``), so a shared result cannot depend on which job
  computed it.

Without :data:`CACHE_ENV` (JupyterLab, plain papermill, the tests) the function
is simply called. Entries are written atomically (a reader never sees half a
file) and an unreadable entry is computed again.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar, cast

from fou.core.atomic import write_bytes
from fou.core.paths import SHARED_CACHE_ENV
from fou.core.version import code_fingerprint
from fou.reports.context import ReportContext

#: Environment variable with the cache folder; unset means no cache.
CACHE_ENV = SHARED_CACHE_ENV

R = TypeVar("R")

#: Entries (pickled) already read or computed in this process (a warm kernel runs
#: many jobs). Each caller gets its own copy, so a caller that changes its table
#: in place cannot change what the next job reads.
_memory: dict[str, bytes] = {}


def cache_dir() -> Path | None:
    """This code's cache folder, or None when the cache is off."""
    base = os.environ.get(CACHE_ENV)
    if not base:
        return None
    return Path(base) / code_fingerprint()[:16]


def _plain(value: Any) -> Any:
    """*value* as nested tuples of plain scalars, for the key (lists become tuples)."""
    if isinstance(value, (list, tuple)):
        return tuple(_plain(v) for v in value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"shared: argument {value!r} ({type(value).__name__}) cannot be part of a key")


def context_key(ctx: ReportContext) -> tuple[Any, ...]:
    """What a shared result computed from *ctx* depends on, besides the function's arguments."""
    prov = ctx.dataset.provenance
    group = ctx.group.members if ctx.group is not None else None
    return (
        prov.source,
        prov.snapshot_id,
        tuple(prov.local_files),
        ctx.year,
        ctx.catalog.view,
        ctx.comparison,
        _plain(group),
    )


def entry_key(fn: Callable[..., Any], ctx: ReportContext, args: tuple, kwargs: dict) -> str:
    """sha256 of the function's name, the context's key and the arguments."""
    parts = (
        fn.__module__,
        fn.__qualname__,
        context_key(ctx),
        _plain(args),
        tuple(sorted((k, _plain(v)) for k, v in kwargs.items())),
    )
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


def _load(data: bytes) -> tuple[bool, Any]:
    try:
        return True, pickle.loads(data)
    except (EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
        return False, None


def shared(fn: Callable[..., R]) -> Callable[..., R]:
    """Share ``fn(ctx, *args)`` between jobs when the batch's cache is on.

    *fn* takes a :class:`~fou.reports.context.ReportContext` first and plain
    arguments (strings, numbers, lists of them) after it; it must not depend
    on the report's municipality (it is called without one).
    """

    @functools.wraps(fn)
    def wrapper(ctx: ReportContext, *args: Any, **kwargs: Any) -> R:
        folder = cache_dir()
        if folder is None:
            return fn(ctx, *args, **kwargs)
        key = entry_key(fn, ctx, args, kwargs)
        path = folder / f"{key}.pkl"
        stored = _memory.get(key)
        if stored is None:
            try:
                stored = path.read_bytes()
            except OSError:
                stored = None
        found, result = _load(stored) if stored is not None else (False, None)
        if found and stored is not None:
            data = stored
        else:
            result = fn(replace(ctx, municipality_id=None, municipality=None), *args, **kwargs)
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            try:
                folder.mkdir(parents=True, exist_ok=True)
                write_bytes(path, data)
            except OSError:
                pass  # a cache that cannot be written only costs time: the result is right
        _memory[key] = data
        return cast(R, result)

    return wrapper


def clear_memory() -> None:
    """Forget the entries this process holds (the files stay)."""
    _memory.clear()


__all__ = ["CACHE_ENV", "cache_dir", "clear_memory", "context_key", "entry_key", "shared"]
