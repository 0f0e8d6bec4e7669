"""Immutable raw snapshots of Kolada answers, and the processed table derived from them.

Raw data is never edited and never overwritten; processed data is derived by
code. Every fetch writes one snapshot directory::

    data/raw/<snapshot_id>/            e.g. data/raw/20261123T141500Z/
        pages.jsonl.gz                 one JSON line per answer: kind, url, status,
                                       fetched_at, body (the text exactly as received)
        manifest.json                  times, base URL, URLs, request count, key
                                       figures, years, package version, checksum

The directory is written under a hidden temporary name and renamed only when
complete, so an interrupted fetch leaves no partial snapshot; an existing
snapshot id gets a suffix (``-2``, ``-3`` …) instead of being replaced.

From a snapshot, :func:`build_tables` derives the validated tables and
:func:`write_processed` replaces ``data/processed/kolada/`` as a whole
(:func:`fou.core.atomic.atomic_directory`)::

    values.parquet    tidy values (fou.core.schema), validated
    groups.parquet    group_id, title, municipality_id (all municipality groups)
    kpis.parquet      kpi, title, description, operating_area
    provenance.json   fou.data.provenance.Provenance (+ row counts)

:func:`rebuild_processed` does the same from an existing snapshot, which shows
that the processed table is nothing but code applied to raw answers.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import pandas as pd

from fou.core.atomic import atomic_directory, atomic_path, write_text
from fou.core.errors import DataNotFoundError, FetchError
from fou.core.locking import try_lock
from fou.core.paths import paths
from fou.core.schema import KEY_COLUMNS, empty_values, validate_values
from fou.data.kolada import (
    GROUP_TABLE_COLUMNS,
    KPI_TABLE_COLUMNS,
    RawPage,
    package_version,
    parse_data_values,
    parse_groups,
    parse_kpis,
    records_of,
)
from fou.data.provenance import GROUPS_FILE, KPIS_FILE, PROVENANCE_FILE, VALUES_FILE, Provenance

PAGES_FILE = "pages.jsonl.gz"
MANIFEST_FILE = "manifest.json"
#: Version of the snapshot layout (bump when it changes).
SNAPSHOT_FORMAT = 1
#: Name of the processed Kolada data set below ``data/processed``.
KOLADA_DIRNAME = "kolada"
SNAPSHOT_ID_PATTERN = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")
_TMP_PREFIX = ".snapshot-"
#: Lock file of a running fetch inside its temporary folder.
OWNER_FILE = ".owner"


# --------------------------------------------------------------------------- ids


def snapshot_id_for(when: datetime) -> str:
    """Return the snapshot id (UTC timestamp) for a fetch started at *when*.

    Examples
    --------
    >>> snapshot_id_for(datetime(2026, 11, 23, 14, 15, 0, tzinfo=UTC))
    '20261123T141500Z'
    """
    if when.tzinfo is None:
        raise ValueError("when must be timezone-aware")
    return when.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def free_snapshot_id(raw_dir: Path, base_id: str) -> str:
    """Return *base_id*, or *base_id* with the first free suffix ``-2``, ``-3`` …

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> (d / "20261123T141500Z").mkdir()
    >>> free_snapshot_id(d, "20261123T141500Z")
    '20261123T141500Z-2'
    """
    candidate, n = base_id, 1
    while (raw_dir / candidate).exists():
        n += 1
        candidate = f"{base_id}-{n}"
    return candidate


# --------------------------------------------------------------------------- writing


class SnapshotWriter:
    """Write one raw snapshot: pages while fetching, then the manifest, then rename.

    Use as a context manager. Nothing appears under the final name until
    :meth:`commit`; if the block raises (including ``KeyboardInterrupt``) the
    temporary directory is removed.

    Parameters
    ----------
    raw_dir
        The project's ``data/raw``.
    started_at
        Time the fetch started (timezone-aware); gives the snapshot id.

    Examples
    --------
    >>> import tempfile
    >>> raw = Path(tempfile.mkdtemp())
    >>> page = RawPage("kpi", "http://k/v3/kpi/N20900", 200, "2026-11-23T14:15:00Z",
    ...                '{"count": 0, "values": [], "next_url": null}')
    >>> with SnapshotWriter(raw, started_at=datetime(2026, 11, 23, 14, 15, tzinfo=UTC)) as snap:
    ...     n = snap.write_pages([page])
    ...     path = snap.commit({"base_url": "http://k/v3"})
    >>> path.name, sorted(p.name for p in path.iterdir())
    ('20261123T141500Z', ['manifest.json', 'pages.jsonl.gz'])
    """

    def __init__(self, raw_dir: Path | str, *, started_at: datetime) -> None:
        self.raw_dir = Path(raw_dir)
        self.started_at = started_at
        self.base_id = snapshot_id_for(started_at)
        self.tmp_dir: Path | None = None
        self.n_pages = 0
        self._stack: contextlib.ExitStack | None = None
        self._fh: TextIO | None = None
        self._committed: Path | None = None
        self._owner: TextIO | None = None

    @property
    def pages_path(self) -> Path:
        """The pages file inside the temporary directory."""
        if self.tmp_dir is None:
            raise RuntimeError("SnapshotWriter används utanför with-blocket.")
        return self.tmp_dir / PAGES_FILE

    def __enter__(self) -> SnapshotWriter:
        self.raw_dir.mkdir(parents=True, exist_ok=True)
        self.tmp_dir = Path(
            tempfile.mkdtemp(
                prefix=f"{_TMP_PREFIX}{self.base_id}.", suffix=".partial", dir=self.raw_dir
            )
        )
        self.tmp_dir.chmod(0o755)  # mkdtemp makes it private; a snapshot is readable like any data
        self._stack = contextlib.ExitStack()
        # Held while the fetch runs: a later fetch can tell a live partial from a dead one.
        self._owner = open(self.tmp_dir / OWNER_FILE, "a+", encoding="utf-8")
        try_lock(self._owner)
        tmp_file = self._stack.enter_context(atomic_path(self.pages_path, overwrite=False))
        self._fh = self._stack.enter_context(
            gzip.open(tmp_file, "wt", encoding="utf-8", compresslevel=6)
        )
        return self

    def write_pages(self, pages: Iterable[RawPage]) -> int:
        """Append raw answers (one JSON line each); return how many were written."""
        if self._fh is None:
            raise RuntimeError("Sidfilen är redan stängd.")
        n = 0
        for page in pages:
            self._fh.write(json.dumps(page.to_record(), ensure_ascii=False) + "\n")
            n += 1
        self.n_pages += n
        return n

    def close_pages(self) -> Path:
        """Finish the pages file (it can then be read back); return its path."""
        if self._stack is not None:
            stack, self._stack, self._fh = self._stack, None, None
            stack.close()
        return self.pages_path

    def commit(self, manifest: dict[str, Any]) -> Path:
        """Write the manifest and move the snapshot to its final, free name.

        Parameters
        ----------
        manifest
            Fields to record; ``snapshot_id``, ``format``, ``n_pages``,
            ``pages_file`` and ``pages_sha256`` are added.

        Returns
        -------
        pathlib.Path
            The snapshot directory ``data/raw/<snapshot_id>``.
        """
        pages = self.close_pages()
        digest = _sha256(pages)
        while True:
            sid = free_snapshot_id(self.raw_dir, self.base_id)
            full = {
                "format": SNAPSHOT_FORMAT,
                "snapshot_id": sid,
                **manifest,
                "n_pages": self.n_pages,
                "pages_file": PAGES_FILE,
                "pages_sha256": digest,
            }
            write_text(
                self.pages_path.parent / MANIFEST_FILE,
                json.dumps(full, ensure_ascii=False, indent=2) + "\n",
            )
            (self.pages_path.parent / OWNER_FILE).unlink(missing_ok=True)  # still held, open
            target = self.raw_dir / sid
            try:
                _rename_no_replace(self.pages_path.parent, target)
            except FileExistsError:
                continue  # another fetch took the name in between: take the next suffix
            break
        for f in target.iterdir():  # raw data is read-only from now on
            f.chmod(0o444)
        self._committed = target
        self.tmp_dir = None
        return target

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self._stack is not None:
            stack, self._stack, self._fh = self._stack, None, None
            stack.__exit__(exc_type, exc, tb)  # type: ignore[arg-type]
        if self.tmp_dir is not None:
            shutil.rmtree(self.tmp_dir, ignore_errors=True)
            self.tmp_dir = None
        if self._owner is not None:
            self._owner.close()
            self._owner = None


def clear_stale_partials(raw_dir: Path | str, *, min_age_s: float = 60.0) -> list[Path]:
    """Remove the temporary folders of fetches that were killed; return what was removed.

    A running fetch holds a lock on ``.owner`` in its temporary folder
    (``data/raw/.snapshot-….partial``); a folder whose lock is free belongs to a
    fetch that ended without cleaning up (``kill -9``, power loss) and is
    removed. A folder without ``.owner`` is removed only when older than
    *min_age_s* (a fetch that is just starting has not written it yet).
    Finished snapshots are never touched.
    """
    raw = Path(raw_dir)
    removed: list[Path] = []
    if not raw.is_dir():
        return removed
    for d in sorted(raw.glob(f"{_TMP_PREFIX}*.partial")):
        if not d.is_dir():
            continue
        owner = d / OWNER_FILE
        if owner.exists():
            try:
                fh = open(owner, "a+", encoding="utf-8")  # noqa: SIM115
            except OSError:
                continue
            try:
                if not try_lock(fh):
                    continue  # a fetch is writing it right now
                shutil.rmtree(d, ignore_errors=True)
            finally:
                fh.close()
        elif time.time() - d.stat().st_mtime >= min_age_s:
            shutil.rmtree(d, ignore_errors=True)
        else:
            continue
        if not d.exists():
            removed.append(d)
    return removed


def _rename_no_replace(src: Path, target: Path) -> None:
    """Rename directory *src* to *target*, never replacing an existing *target*."""
    if target.exists():
        raise FileExistsError(target)
    try:
        os.rename(src, target)  # fails on a non-empty target directory
    except OSError as exc:
        if exc.errno in (errno.EEXIST, errno.ENOTEMPTY):
            raise FileExistsError(target) from None
        raise


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --------------------------------------------------------------------------- reading


def read_pages_file(path: Path | str) -> Iterator[RawPage]:
    """Yield the raw answers stored in a pages file, in the order they arrived."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line_no, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                yield RawPage(
                    rec["kind"], rec["url"], int(rec["status"]), rec["fetched_at"], rec["body"]
                )
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise FetchError(
                    f"{path}, rad {line_no}: trasig post i ögonblicksbilden ({exc!r})."
                ) from None


def read_manifest(snapshot_dir: Path | str) -> dict[str, Any]:
    """Return the manifest of a snapshot.

    Raises
    ------
    DataNotFoundError
        If *snapshot_dir* is not a snapshot.
    """
    path = Path(snapshot_dir) / MANIFEST_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataNotFoundError(
            f"{snapshot_dir} är ingen ögonblicksbild ({MANIFEST_FILE} saknas). "
            "Ögonblicksbilder ligger i data/raw/<id>/; se `fou data`."
        ) from None


@dataclass(frozen=True)
class SnapshotInfo:
    """Summary of one raw snapshot, for listings."""

    snapshot_id: str
    path: Path
    started_at: str
    base_url: str
    n_requests: int | None
    n_kpis: int
    years: tuple[int, int] | None
    municipalities: tuple[str, ...] | None
    size_bytes: int
    problem: str = ""


def list_snapshots(raw_dir: Path | str) -> list[SnapshotInfo]:
    """List the complete snapshots under *raw_dir*, oldest first.

    Temporary (partial) directories are skipped. A snapshot folder whose
    manifest is missing or unreadable is listed with its *problem* (it cannot
    be used or rebuilt, but it is not hidden).
    """
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        return []
    out = []
    for d in sorted(raw_dir.iterdir()):
        if not d.is_dir() or not SNAPSHOT_ID_PATTERN.match(d.name):
            continue
        size = sum(f.stat().st_size for f in d.iterdir() if f.is_file())
        try:
            m = read_manifest(d)
        except (DataNotFoundError, OSError, ValueError) as exc:
            problem = (
                f"{MANIFEST_FILE} saknas"
                if not (d / MANIFEST_FILE).exists()
                else f"{MANIFEST_FILE} går inte att läsa ({type(exc).__name__})"
            )
            out.append(SnapshotInfo(d.name, d, "", "", None, 0, None, None, size, problem))
            continue
        years = m.get("years")
        muns = m.get("municipalities")
        out.append(
            SnapshotInfo(
                snapshot_id=d.name,
                path=d,
                started_at=str(m.get("started_at", "")),
                base_url=str(m.get("base_url", "")),
                n_requests=m.get("n_requests"),
                n_kpis=len(m.get("kpis") or []),
                years=(int(years[0]), int(years[1])) if years else None,
                municipalities=tuple(muns) if muns is not None else None,
                size_bytes=size,
            )
        )
    return out


# --------------------------------------------------------------------------- processed tables


@dataclass(frozen=True)
class ProcessedTables:
    """The tables derived from one snapshot.

    Attributes
    ----------
    values
        Validated tidy values, sorted by key.
    groups
        ``group_id, title, municipality_id``.
    kpis
        ``kpi, title, description, operating_area``.
    n_deleted
        Values Kolada marked deleted (dropped).
    """

    values: pd.DataFrame
    groups: pd.DataFrame
    kpis: pd.DataFrame
    n_deleted: int


def build_tables(pages: Iterable[RawPage], *, origin: str = "ögonblicksbild") -> ProcessedTables:
    """Derive the processed tables from raw answers (only HTTP 200 pages are used).

    Parameters
    ----------
    pages
        Raw answers, e.g. :func:`read_pages_file`.
    origin
        Name used in validation messages (the snapshot id).

    Returns
    -------
    ProcessedTables

    Raises
    ------
    DataValidationError
        If the values break the schema (e.g. a municipality id that is not four
        characters, or the same key twice with different values).
    FetchError
        If an answer is not the JSON Kolada documents.
    """
    parts: list[pd.DataFrame] = []
    group_parts: list[pd.DataFrame] = []
    kpi_parts: list[pd.DataFrame] = []
    n_deleted = 0
    for page in pages:
        if page.status != 200:
            continue
        if page.kind == "data":
            df, n = parse_data_values(records_of([page]))
            parts.append(df)
            n_deleted += n
        elif page.kind == "municipality_groups":
            group_parts.append(parse_groups(records_of([page])))
        elif page.kind == "kpi":
            kpi_parts.append(parse_kpis(records_of([page])))
    values = pd.concat(parts, ignore_index=True) if parts else empty_values()
    values = values.drop_duplicates(ignore_index=True)
    values = values.sort_values(list(KEY_COLUMNS), ignore_index=True)
    validate_values(values, origin=origin)
    groups = (
        pd.concat(group_parts, ignore_index=True).drop_duplicates(ignore_index=True)
        if group_parts
        else pd.DataFrame(columns=list(GROUP_TABLE_COLUMNS), dtype=str)
    )
    kpis = (
        pd.concat(kpi_parts, ignore_index=True).drop_duplicates("kpi", ignore_index=True)
        if kpi_parts
        else pd.DataFrame(columns=list(KPI_TABLE_COLUMNS), dtype=str)
    )
    return ProcessedTables(values=values, groups=groups, kpis=kpis, n_deleted=n_deleted)


def provenance_for(manifest: dict[str, Any], values: pd.DataFrame) -> Provenance:
    """Return the :class:`~fou.data.provenance.Provenance` of a table built from a snapshot.

    ``created_at`` is the time the fetch started, ``years`` the first and last
    year in *values*.
    """
    years = (int(values["year"].min()), int(values["year"].max())) if len(values) else None
    return Provenance(
        source="kolada",
        snapshot_id=str(manifest["snapshot_id"]),
        created_at=str(manifest["started_at"]),
        base_url=manifest.get("base_url"),
        years=years,
        n_requests=manifest.get("n_requests"),
        based_on=tuple(manifest.get("based_on_chain") or ()),
    )


def write_processed(tables: ProcessedTables, provenance: Provenance, target: Path | str) -> Path:
    """Replace the processed data-set directory *target* as a whole.

    The new directory is written next to *target* and swapped in only when
    every file is complete; on any error the previous data set stays.

    Returns
    -------
    pathlib.Path
        *target*.
    """
    target = Path(target)
    extra = {
        "n_rows": len(tables.values),
        "n_values": int(tables.values["value"].notna().sum()),
        "n_deleted": tables.n_deleted,
        "n_kpis": int(tables.values["kpi"].nunique()),
        "n_municipalities": int(tables.values["municipality_id"].nunique()),
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "package_version": package_version(),
    }
    with atomic_directory(target) as tmp:
        tables.values.to_parquet(tmp / VALUES_FILE, index=False)
        tables.groups.to_parquet(tmp / GROUPS_FILE, index=False)
        tables.kpis.to_parquet(tmp / KPIS_FILE, index=False)
        (tmp / PROVENANCE_FILE).write_text(
            json.dumps({**provenance.to_dict(), **extra}, ensure_ascii=False, indent=2) + "\n",
            encoding="utf-8",
        )
    return target


def processed_dir(root: Path | str | None = None) -> Path:
    """The processed Kolada data set: ``<root>/data/processed/kolada``."""
    return paths(root).processed / KOLADA_DIRNAME


def rebuild_processed(snapshot_dir: Path | str, *, target: Path | str | None = None) -> Path:
    """Rebuild the processed Kolada table from an existing raw snapshot.

    Parameters
    ----------
    snapshot_dir
        ``data/raw/<snapshot_id>``.
    target
        Where to write; default ``data/processed/kolada`` of the same project
        (two levels above the snapshot's ``raw`` directory).

    Returns
    -------
    pathlib.Path
        The processed directory.

    Raises
    ------
    DataNotFoundError
        *snapshot_dir* is not a snapshot.
    FetchError
        The pages file does not match the manifest's checksum.
    DataValidationError
        The derived table breaks the schema.
    """
    snapshot_dir = Path(snapshot_dir).resolve()
    tables, manifest = tables_from_snapshot(snapshot_dir)
    if target is None:
        target = snapshot_dir.parent.parent / "processed" / KOLADA_DIRNAME
    return write_processed(tables, provenance_for(manifest, tables.values), target)


def _verified_tables(snapshot_dir: Path) -> tuple[ProcessedTables, dict[str, Any]]:
    manifest = read_manifest(snapshot_dir)
    pages = snapshot_dir / manifest.get("pages_file", PAGES_FILE)
    expected = manifest.get("pages_sha256")
    if expected and _sha256(pages) != expected:
        raise FetchError(
            f"{pages}: kontrollsumman stämmer inte med {MANIFEST_FILE}; "
            "ögonblicksbilden har ändrats "
            "eller är skadad och används inte."
        )
    tables = build_tables(read_pages_file(pages), origin=f"ögonblicksbild {snapshot_dir.name}")
    return tables, manifest


def tables_from_snapshot(snapshot_dir: Path | str) -> tuple[ProcessedTables, dict[str, Any]]:
    """The processed tables a snapshot gave when it was fetched, offline.

    A snapshot of a narrow fetch (a few key figures, municipalities or years)
    was laid on top of the data in use then; its manifest names that base
    (``based_on``), which is rebuilt first, recursively, and merged the same
    way (:func:`merge_tables`).

    Returns
    -------
    tuple of (ProcessedTables, dict)
        The tables and the snapshot's manifest (with ``based_on_chain``, the
        ids of every base, newest first).
    """
    snapshot_dir = Path(snapshot_dir)
    tables, manifest = _verified_tables(snapshot_dir)
    base_id = manifest.get("based_on")
    chain: list[str] = []
    if base_id:
        base_dir = snapshot_dir.parent / str(base_id)
        if not (base_dir / MANIFEST_FILE).exists():
            raise DataNotFoundError(
                f"Ögonblicksbild {snapshot_dir.name} bygger på {base_id}, som saknas i "
                f"{snapshot_dir.parent}. Hämta allt på nytt (fou fetch --replace)."
            )
        base, base_manifest = tables_from_snapshot(base_dir)
        tables = merge_tables(base, tables, FetchScope.of(manifest))
        chain = [str(base_id), *base_manifest.get("based_on_chain", [])]
    return tables, {**manifest, "based_on_chain": chain}


@dataclass(frozen=True)
class FetchScope:
    """What one fetch asked for: key figures × municipalities (None: all) × years."""

    kpis: tuple[str, ...]
    municipalities: tuple[str, ...] | None
    years: tuple[int, int]

    @classmethod
    def of(cls, manifest: dict[str, Any]) -> FetchScope:
        """The scope a snapshot's manifest records."""
        muns = manifest.get("municipalities")
        first, last = manifest["years"]
        return cls(
            kpis=tuple(manifest.get("kpis") or ()),
            municipalities=None if muns is None else tuple(muns),
            years=(int(first), int(last)),
        )

    def contains(self, values: pd.DataFrame) -> pd.Series:
        """Rows of *values* inside the scope (a fetch of this scope replaces them)."""
        inside = values["kpi"].isin(self.kpis) & values["year"].between(*self.years)
        if self.municipalities is not None:
            inside &= values["municipality_id"].isin(self.municipalities)
        return inside


def merge_tables(base: ProcessedTables, new: ProcessedTables, scope: FetchScope) -> ProcessedTables:
    """*new* laid over *base*: inside the fetch's scope only *new*, outside it *base*.

    A value Kolada struck since *base* (inside the scope, absent from *new*)
    is gone; everything outside the scope is kept as it was.

    Examples
    --------
    >>> import pandas as pd
    >>> def t(rows):
    ...     v = pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "gender", "value"])
    ...     return ProcessedTables(v, pd.DataFrame(), pd.DataFrame({"kpi": v["kpi"].unique()}), 0)
    >>> base = t([("N1", "1440", 2020, "T", 1.0), ("N1", "1480", 2020, "T", 2.0),
    ...           ("N2", "1440", 2020, "T", 3.0)])
    >>> new = t([("N1", "1440", 2020, "T", 1.5)])
    >>> merged = merge_tables(base, new, FetchScope(("N1",), ("1440",), (2020, 2020)))
    >>> merged.values["value"].tolist()
    [1.5, 2.0, 3.0]
    """
    kept = base.values[~scope.contains(base.values)]
    values = pd.concat([kept, new.values], ignore_index=True)
    values = values.sort_values(list(KEY_COLUMNS), ignore_index=True)
    kpis = pd.concat([new.kpis, base.kpis], ignore_index=True).drop_duplicates("kpi")
    groups = new.groups if len(new.groups) else base.groups
    return ProcessedTables(
        values=values,
        groups=groups.reset_index(drop=True),
        kpis=kpis.sort_values("kpi", ignore_index=True),
        n_deleted=new.n_deleted,
    )


def read_processed(
    target: Path | str, *, hint: str = ""
) -> tuple[ProcessedTables, Provenance] | None:
    """The processed data set in *target* (None when there is none).

    Raises
    ------
    DataNotFoundError
        When the folder is there but a file cannot be read (named, with what
        to do).
    """
    target = Path(target)
    if not (target / PROVENANCE_FILE).exists() and not (target / VALUES_FILE).exists():
        return None
    try:
        provenance = Provenance.from_dict(
            json.loads((target / PROVENANCE_FILE).read_text(encoding="utf-8"))
        )
        values = pd.read_parquet(target / VALUES_FILE)
        groups = pd.read_parquet(target / GROUPS_FILE) if (target / GROUPS_FILE).exists() else None
        kpis = pd.read_parquet(target / KPIS_FILE) if (target / KPIS_FILE).exists() else None
    except Exception as exc:  # pyarrow, json and OS errors alike: the file is unusable
        raise DataNotFoundError(unreadable_message(target, exc, hint=hint)) from None
    return (
        ProcessedTables(
            values=values,
            groups=groups
            if groups is not None
            else pd.DataFrame(columns=list(GROUP_TABLE_COLUMNS)),
            kpis=kpis if kpis is not None else pd.DataFrame(columns=list(KPI_TABLE_COLUMNS)),
            n_deleted=0,
        ),
        provenance,
    )


def unreadable_message(target: Path, exc: BaseException, *, hint: str = "") -> str:
    """What to say when a processed data set cannot be read, and how to recover."""
    snapshots = [s for s in list_snapshots(target.parent.parent / "raw") if not s.problem]
    latest = snapshots[-1].snapshot_id if snapshots else None
    how = (
        f"Bygg om den från den senaste ögonblicksbilden utan nätet: fou rebuild {latest}"
        if latest
        else "Hämta data på nytt: fou fetch"
    )
    how += f" ({hint})" if hint else ""
    return f"Datamängden i {target} går inte att läsa ({type(exc).__name__}: {exc}). {how}."
