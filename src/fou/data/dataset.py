"""The data set in use: values, comparison groups and where they came from.

:func:`load_dataset` is the one entry point for notebooks, the CLI and the
batch runner. It returns a :class:`Dataset` with the validated values table,
the group membership table and a :class:`Provenance` that every report prints.

Sources, in the order ``source="auto"`` tries them:

1. ``kolada``: the processed table of the latest good fetch
   (``data/processed/kolada/``), made by ``fou fetch``;
2. ``demo``: the project's own synthetic demo data
   (``data/processed/demo/``), generated on first use and labelled as demo
   data everywhere.

Accepted local submissions (``data/local/*.parquet``, made by ``fou import``)
are added to either source, with their own ``source`` value.

A process keeps the data set it loaded last: loading it again while none of
its files has changed (same inode, size and modification time) returns the
same tables without reading and validating them again, so a warm batch kernel
or a researcher's kernel opens report after report at once. The tables are
handed out as copy-on-write views: changing them changes no later load.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import NoReturn

import pandas as pd

from fou.core.errors import DataNotFoundError, DataValidationError, ParameterError, check_choice
from fou.core.paths import ProjectPaths, paths
from fou.core.registry import GROUP_COLUMNS
from fou.core.schema import VALUES_SCHEMA, coerce_values, validate_values
from fou.core.vocabulary import DATA_SOURCES
from fou.data.provenance import GROUPS_FILE, KPIS_FILE, PROVENANCE_FILE, VALUES_FILE, Provenance


@dataclass(frozen=True)
class Dataset:
    """Values plus comparison groups plus provenance.

    Attributes
    ----------
    values
        Tidy values table (see :mod:`fou.core.schema`).
    groups
        Group membership: ``group_id, title, municipality_id``.
    provenance
        Where it came from.
    kpi_titles
        Titles as delivered with the data (Kolada metadata), by id.
    kpi_descriptions
        Kolada's descriptions of the key figures (how they are computed), by id.
    """

    values: pd.DataFrame
    groups: pd.DataFrame
    provenance: Provenance
    kpi_titles: dict[str, str] = field(default_factory=dict)
    kpi_descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def is_demo(self) -> bool:
        """True for demo data."""
        return self.provenance.is_demo

    @property
    def years(self) -> list[int]:
        """Years present in the values, ascending (a new list on every call)."""
        return list(self._years)

    @cached_property
    def _years(self) -> tuple[int, ...]:
        return tuple(sorted(int(y) for y in self.values["year"].unique()))

    def latest_year(self) -> int:
        """The most recent year with any non-missing value."""
        present = self.values.loc[self.values["value"].notna(), "year"]
        if present.empty:
            raise DataNotFoundError("Datamängden innehåller inga värden.")
        return int(present.max())

    def check_year(self, year: int | str, *, parameter: str = "år") -> int:
        """Validate a year parameter against the data and return it as int."""
        try:
            y = int(year)
        except (TypeError, ValueError):
            raise ParameterError(
                f"{parameter} måste vara ett årtal, men {year!r} angavs."
            ) from None
        if y not in set(self.years):
            span = f"{self.years[0]}–{self.years[-1]}" if self.years else "inga år"
            raise ParameterError(
                f"{parameter}: {y} finns inte i datamängden ({self.provenance.source}); "
                f"tillgängliga år: {span}."
            )
        return y


def read_processed(directory: Path) -> Dataset:
    """Read one processed data set directory (values, groups, provenance).

    Parameters
    ----------
    directory
        A directory written by the fetch or the demo generator.

    Returns
    -------
    Dataset

    Raises
    ------
    DataNotFoundError
        The directory holds no data set, or a file of it cannot be read (the
        message names the file and how to rebuild it from a raw snapshot).
    """
    from fou.data.snapshots import read_processed as read_tables

    found = read_tables(directory)
    if found is None:
        raise DataNotFoundError(f"{directory} innehåller ingen datamängd.")
    tables, prov = found
    values = validate_values(coerce_values(tables.values), origin=str(directory / VALUES_FILE))
    groups = (
        tables.groups.astype(str)
        if len(tables.groups)
        else pd.DataFrame(columns=list(GROUP_COLUMNS))
    )
    titles: dict[str, str] = {}
    descriptions: dict[str, str] = {}
    if len(tables.kpis) and "title" in tables.kpis:
        kpis = tables.kpis
        titles = dict(zip(kpis["kpi"].astype(str), kpis["title"].astype(str), strict=True))
    if len(tables.kpis) and "description" in tables.kpis:
        kpis = tables.kpis[tables.kpis["description"].notna()]
        descriptions = dict(
            zip(kpis["kpi"].astype(str), kpis["description"].astype(str), strict=True)
        )
    return Dataset(values=values, groups=groups, provenance=prov, kpi_titles=titles,
                   kpi_descriptions=descriptions)  # fmt: skip


def _has_processed(directory: Path) -> bool:
    return all((directory / f).exists() for f in (VALUES_FILE, PROVENANCE_FILE))


def _partly_there(directory: Path) -> bool:
    return any((directory / f).exists() for f in (VALUES_FILE, PROVENANCE_FILE, GROUPS_FILE))


def load_dataset(source: str = "auto", *, root: Path | str | None = None) -> Dataset:
    """Load the data set in use.

    Parameters
    ----------
    source
        ``auto`` (the latest Kolada fetch if there is one, else demo data),
        ``kolada`` (fail if there is no fetch) or ``demo``.
    root
        Project root (default :func:`fou.core.paths.project_root`).

    Returns
    -------
    Dataset

    Raises
    ------
    ParameterError
        Unknown *source*.
    DataNotFoundError
        ``source="kolada"`` and nothing has been fetched.
    """
    check_choice(source, DATA_SOURCES, "datakälla")
    p = paths(root)
    kolada_dir = p.processed / "kolada"
    if source in ("auto", "kolada") and _has_processed(kolada_dir):
        return _remembered(kolada_dir, p)
    if source in ("auto", "kolada") and _partly_there(kolada_dir):
        # Never fall back to demo data in silence when a fetch is half there.
        missing = [f for f in (VALUES_FILE, PROVENANCE_FILE) if not (kolada_dir / f).exists()]
        from fou.data.snapshots import unreadable_message

        raise DataNotFoundError(
            unreadable_message(
                kolada_dir,
                FileNotFoundError(f"{', '.join(missing)} saknas"),
                hint="eller välj datakällan demo",
            )
        )
    if source == "kolada":
        raise DataNotFoundError(
            "Inga hämtade Kolada-data finns. Kör `fou fetch` (kräver nätverk) "
            "eller använd datakällan 'demo'."
        )
    return _remembered(ensure_demo(p), p)


#: The files of a processed data set that :func:`read_processed` reads.
PROCESSED_FILES = (VALUES_FILE, GROUPS_FILE, KPIS_FILE, PROVENANCE_FILE)


def files_signature(files: Iterable[Path]) -> tuple[tuple[str, int, int, int] | str, ...]:
    """What identifies the files' current contents: inode, size and modification time.

    Files are replaced atomically (a new inode), so a rewritten file never has
    the signature of the one it replaced. A missing file is its name alone.
    """
    out: list[tuple[str, int, int, int] | str] = []
    for f in files:
        try:
            st = f.stat()
        except OSError:
            out.append(str(f))
            continue
        out.append((str(f), st.st_ino, st.st_size, st.st_mtime_ns))
    return tuple(out)


@dataclass(frozen=True)
class _Loaded:
    key: tuple[object, ...]
    dataset: Dataset


_last: _Loaded | None = None
_last_lock = threading.Lock()


def _remembered(directory: Path, p: ProjectPaths) -> Dataset:
    """The data set in *directory* plus local submissions, read again only when a file changed."""
    from fou.data.submissions import accepted_files

    global _last
    local = list(accepted_files(p.local))
    key = (
        str(directory.resolve()),
        files_signature(directory / f for f in PROCESSED_FILES),
        files_signature(local),
    )
    with _last_lock:
        if _last is None or _last.key != key:
            _last = None  # let the previous tables go before reading the next ones
            _last = _Loaded(key, _with_local(read_processed(directory), p))
        return _view(_last.dataset)


def _view(ds: Dataset) -> Dataset:
    """*ds* with copy-on-write views of its tables and copies of its dicts."""
    return replace(
        ds,
        values=ds.values.copy(deep=False),
        groups=ds.groups.copy(deep=False),
        kpi_titles=dict(ds.kpi_titles),
        kpi_descriptions=dict(ds.kpi_descriptions),
    )


def forget_loaded() -> None:
    """Drop the remembered data set (the next :func:`load_dataset` reads the files)."""
    global _last
    with _last_lock:
        _last = None


def ensure_demo(p: ProjectPaths) -> Path:
    """Generate the demo data set if it is missing or stale; return its directory."""
    from fou.data import demo  # the generator is only needed when demo data is used

    return demo.ensure_demo_dataset(p.processed / "demo")


def _with_local(ds: Dataset, p: ProjectPaths) -> Dataset:
    from fou.data import submissions

    local = submissions.load_accepted(p.local)
    if local is None or local.empty:
        return ds
    values = with_local_rows(ds.values, local)
    files = tuple(sorted(local["source"].unique()))
    prov = Provenance(**{**ds.provenance.__dict__, "local_files": files})
    titles = {**ds.kpi_titles, **submissions.load_accepted_titles(p.local)}
    return Dataset(values=values, groups=ds.groups, provenance=prov, kpi_titles=titles,
                   kpi_descriptions=ds.kpi_descriptions)  # fmt: skip


def with_local_rows(values: pd.DataFrame, local: pd.DataFrame) -> pd.DataFrame:
    """*values* followed by the rows of local submissions, checked where they can clash.

    Both tables are valid on their own (:func:`read_processed` and
    :func:`fou.data.submissions.load_accepted` validate them), so the combined
    table needs only what joining them adds: the same dtypes, and no source
    that delivers a key twice, which can happen only where the two tables
    share a source name. Validating the whole combined table again would
    cost as much memory as the table itself and find nothing more.

    Parameters
    ----------
    values
        A validated values table (a Kolada fetch or the demo data).
    local
        Validated rows of accepted local submissions.

    Returns
    -------
    pandas.DataFrame
        The rows of *values*, then those of *local*, with a fresh index.

    Raises
    ------
    DataValidationError
        A source delivers the same key figure, municipality, year and gender twice.
    """
    shared = set(values["source"].unique()) & set(local["source"].unique())
    combined = pd.concat([values, local], ignore_index=True)
    if shared or not combined.dtypes.equals(values.dtypes):
        return validate_values_allow_sources(combined)
    keys = ["kpi", "municipality_id", "year", "gender", "source"]
    dup = local.duplicated(keys, keep=False)
    if dup.any():
        _repeated(local[dup])
    return combined


def _repeated(rows: pd.DataFrame) -> NoReturn:
    raise DataValidationError(
        f"Samma nyckeltal, kommun, år och kön förekommer flera gånger från samma källa "
        f"({len(rows)} rader), t.ex. {rows.iloc[0].to_dict()}.",
        rows,
    )


def validate_values_allow_sources(values: pd.DataFrame) -> pd.DataFrame:
    """Validate a combined table in which keys may repeat across sources.

    Kolada/demo rows and local submissions may describe the same key figure,
    municipality and year; both rows are kept (the quality checks report any
    contradiction), but one source may not deliver the same key twice.
    """
    VALUES_SCHEMA.validate(values)
    keys = ["kpi", "municipality_id", "year", "gender", "source"]
    dup = values.duplicated(keys, keep=False)
    if dup.any():
        _repeated(values[dup])
    return values
