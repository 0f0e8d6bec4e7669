"""Fetch key figures from Kolada into the project: client → raw snapshot → processed table.

:func:`fetch_to_project` is what ``fou fetch`` runs. It asks Kolada for the
catalogue's key figures (metadata, all municipality groups, values), stores
every answer in a new raw snapshot, derives the processed table *from that
snapshot* (:func:`fou.data.snapshots.build_tables`), validates it, and only then
swaps it in. If anything fails – an HTTP error after all retries, an answer
that breaks the schema, Ctrl-C – the previous processed data and all earlier
snapshots stay as they were and no partial snapshot is left behind.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from fou.core.errors import DataNotFoundError, DataValidationError, FetchError, ParameterError
from fou.core.paths import paths
from fou.core.registry import resolve_municipalities
from fou.core.schema import KPI_ID_PATTERN
from fou.data.kolada import (
    DEFAULT_MAX_RATE,
    KoladaClient,
    RawPage,
    RequestLog,
    data_paths,
    group_paths,
    kpi_paths,
    package_version,
)
from fou.data.provenance import PROVENANCE_FILE, Provenance
from fou.data.snapshots import (
    KOLADA_DIRNAME,
    FetchScope,
    ProcessedTables,
    SnapshotWriter,
    build_tables,
    clear_stale_partials,
    merge_tables,
    provenance_for,
    read_pages_file,
    read_processed,
    write_processed,
)

#: Years fetched by default: this many, ending with the current year.
DEFAULT_YEAR_SPAN = 12
FIRST_YEAR = 1990

KIND_LABELS: dict[str, str] = {
    "kpi": "nyckeltalsbeskrivningar",
    "municipality": "kommuner",
    "municipality_groups": "kommungrupper",
    "data": "värden",
}


@dataclass(frozen=True)
class FetchResult:
    """What a fetch did.

    Attributes
    ----------
    snapshot_id, snapshot_dir
        The new raw snapshot.
    processed_dir
        The processed data set that now is in use.
    base_url
        API used.
    n_requests, n_retries, n_pages
        HTTP requests made (retries included), how many were retries, and
        answers stored.
    n_rows, n_values, n_deleted
        Rows in the values table, rows with a value (not missing), values
        Kolada marked deleted (dropped).
    n_kpis, n_municipalities
        Distinct key figures and municipalities/regions with rows.
    years
        Years asked for (first, last).
    seconds
        Wall-clock duration.
    missing_kpis
        Requested ids Kolada has no description for (unknown ids).
    kpis_without_values
        Requested ids without a single row for the years asked.
    based_on
        For a narrow fetch laid over the data in use: the snapshot whose
        values outside the fetch were kept (None when the fetch replaced it all).
    n_kept
        Rows kept from *based_on*.
    n_before
        Rows of the data in use before the fetch (None when there was none).
    cleared_partials
        Temporary folders of earlier, killed fetches that were removed.
    """

    snapshot_id: str
    snapshot_dir: Path
    processed_dir: Path
    base_url: str
    n_requests: int
    n_retries: int
    n_pages: int
    n_rows: int
    n_values: int
    n_deleted: int
    n_kpis: int
    n_municipalities: int
    years: tuple[int, int]
    seconds: float
    missing_kpis: tuple[str, ...] = ()
    kpis_without_values: tuple[str, ...] = ()
    based_on: str | None = None
    n_kept: int = 0
    n_before: int | None = None
    cleared_partials: tuple[Path, ...] = ()


def default_years(*, today: date | None = None, span: int = DEFAULT_YEAR_SPAN) -> tuple[int, int]:
    """Return ``(first, last)``: the last *span* years up to the current year.

    Examples
    --------
    >>> default_years(today=date(2026, 11, 23))
    (2015, 2026)
    """
    last = (today or datetime.now(UTC).date()).year
    return last - span + 1, last


def check_years(years: Sequence[int] | None, *, today: date | None = None) -> tuple[int, int]:
    """Validate a ``(first, last)`` year span (None: :func:`default_years`).

    Raises
    ------
    ParameterError
        Not two integers, first after last, or outside 1990 … next year.

    Examples
    --------
    >>> check_years((2012, 2022))
    (2012, 2022)
    """
    if years is None:
        return default_years(today=today)
    this_year = (today or datetime.now(UTC).date()).year
    try:
        first, last = (int(y) for y in years)
    except (TypeError, ValueError):
        raise ParameterError(
            f"years måste vara två årtal (första, sista), t.ex. (2012, 2022), men {years!r} angavs."
        ) from None
    if first > last:
        raise ParameterError(f"Första året ({first}) ligger efter sista året ({last}).")
    if first < FIRST_YEAR or last > this_year + 1:
        raise ParameterError(
            f"Åren {first}–{last} ligger utanför det som går att hämta "
            f"({FIRST_YEAR}–{this_year + 1})."
        )
    return first, last


def default_kpis(root: Path | str | None = None) -> list[str]:
    """What a full fetch asks for: the catalogue's ids and every follow-up profile's.

    Examples
    --------
    >>> ids = default_kpis()
    >>> "N20900" in ids and "N28018" in ids   # the catalogue's and a profile's
    True
    """
    from fou.core.catalog import load_catalog
    from fou.core.profiles import profile_kpi_ids

    catalog = list(load_catalog().all_ids)
    extra = [k for k in profile_kpi_ids(paths(root).parameters) if k not in set(catalog)]
    return catalog + extra


def check_kpis(kpis: Iterable[str] | None) -> list[str]:
    """Validate key-figure ids (None: every catalogue id, companions and covariates included).

    Raises
    ------
    ParameterError
        An id that does not look like a Kolada id (letter + five digits).

    Examples
    --------
    >>> check_kpis(["n20900", "N20029"])
    ['N20900', 'N20029']
    """
    if kpis is None:
        return default_kpis()
    if isinstance(kpis, str):
        kpis = [kpis]
    out: list[str] = []
    for k in kpis:
        kid = str(k).strip().upper()
        if not re.match(KPI_ID_PATTERN, kid):
            raise ParameterError(
                f"Nyckeltals-id {k!r} ser inte ut som ett Kolada-id: en bokstav och fem siffror, "
                "t.ex. 'N20900' (se `fou catalog`)."
            )
        out.append(kid)
    if not out:
        raise ParameterError(
            "Listan med nyckeltal är tom: ange minst ett id eller utelämna den för hela katalogen."
        )
    return list(dict.fromkeys(out))


# --------------------------------------------------------------------------- progress


@contextlib.contextmanager
def _progress_callback(
    progress: bool | Callable[[RawPage], None], *, total: int, client: KoladaClient
) -> Iterator[Callable[[RawPage], None] | None]:
    """Yield the per-page callback: a rich progress bar, the caller's function, or None."""
    if callable(progress):
        yield progress
        return
    if not progress:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[requests]} anrop"),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )
    task = bar.add_task("Hämtar från Kolada", total=total, requests=0)

    def on_page(page: RawPage) -> None:
        bar.update(
            task,
            description=f"Hämtar {KIND_LABELS.get(page.kind, page.kind)}",
            advance=1 if page.next_url is None else 0,
            requests=client.n_requests,
        )

    with bar:
        yield on_page
        bar.update(task, description="Klart")


# --------------------------------------------------------------------------- fetch


def fetch_to_project(
    *,
    base_url: str | None = None,
    years: Sequence[int] | None = None,
    kpis: Iterable[str] | None = None,
    municipalities: Iterable[str] | None = None,
    root: Path | str | None = None,
    client: KoladaClient | None = None,
    progress: bool | Callable[[RawPage], None] = True,
    max_rate: float = DEFAULT_MAX_RATE,
    replace: bool = False,
) -> FetchResult:
    """Fetch key figures from Kolada, store a raw snapshot and update the processed table.

    A fetch that covers everything in use replaces it. A narrow fetch (a few
    key figures, municipalities or years) is laid over the data in use: inside
    its scope the new values, outside it the old ones, so nothing is lost
    (:func:`fou.data.snapshots.merge_tables`); ``replace=True`` replaces the
    data in use with the narrow fetch instead.

    Parameters
    ----------
    base_url
        Kolada API base URL (default ``$FOU_KOLADA_URL`` or the public API);
        ignored when *client* is given.
    years
        ``(first, last)``; default the last 12 years up to the current year.
    kpis
        Key-figure ids; default every id in the catalogue (key figures,
        covariates and survey companions).
    municipalities
        Ids or names (:func:`fou.core.registry.resolve_municipality`); default all
        municipalities, regions and Riket.
    root
        Project root (default ``FOU_HOME`` or the repository).
    client
        A ready :class:`~fou.data.kolada.KoladaClient` (tests, custom settings);
        left open.
    progress
        True for a progress bar on stderr, False for none, or a function
        called with every raw answer.
    max_rate
        Requests per second when the client is created here (default 5).
    replace
        Replace the data in use even when this fetch covers less of it.

    Returns
    -------
    FetchResult

    Raises
    ------
    ParameterError
        Bad years, key-figure ids or municipalities (before any request).
    FetchError
        Kolada could not be reached or answered wrongly, or the answer failed
        validation. The previous data set and snapshots are unchanged.
    """
    first, last = check_years(years)
    kpi_ids = check_kpis(kpis) if kpis is not None else default_kpis(root)
    mun_ids = _check_municipalities(municipalities)
    p = paths(root)
    cleared = tuple(clear_stale_partials(p.raw))
    # Read before any request: a narrow fetch needs the data in use, and says so if it is broken.
    try:
        previous = read_processed(p.processed / KOLADA_DIRNAME, hint="eller hämta med --replace")
    except DataNotFoundError:
        if not replace:
            raise
        previous = None  # replaced anyway
    scope = FetchScope(tuple(kpi_ids), None if mun_ids is None else tuple(mun_ids), (first, last))
    base = None
    if previous is not None and not replace and not scope.contains(previous[0].values).all():
        base = previous
    own_client = client is None
    client = client or KoladaClient(base_url, max_rate=max_rate)
    plan = fetch_plan(kpi_ids, mun_ids, (first, last))
    n_log = len(client.request_log)
    t0 = time.perf_counter()
    started = datetime.now(UTC).replace(microsecond=0)
    previous_progress = client.progress
    try:
        with _progress_callback(progress, total=len(plan), client=client) as on_page:
            client.progress = on_page
            with SnapshotWriter(p.raw, started_at=started) as snap:
                for kind, path in plan:  # pages go straight to disk, not kept in memory
                    snap.write_pages(client.iter_pages(path, kind=kind))
                # The processed table is derived from the raw snapshot, never from memory.
                fetched = _derive_tables(snap, kpi_ids=kpi_ids, years=(first, last))
                tables = fetched if base is None else merge_tables(base[0], fetched, scope)
                manifest = _manifest(
                    client.request_log[n_log:],
                    base_url=client.base_url,
                    started=started,
                    kpi_ids=kpi_ids,
                    mun_ids=mun_ids,
                    years=(first, last),
                    tables=fetched,
                )
                if base is not None:
                    manifest["based_on"] = base[1].snapshot_id
                snapshot_dir = snap.commit(manifest)
            manifest["snapshot_id"] = snapshot_dir.name
            if base is not None:
                manifest["based_on_chain"] = [base[1].snapshot_id, *base[1].based_on]
            target = write_processed(
                tables, provenance_for(manifest, tables.values), p.processed / KOLADA_DIRNAME
            )
    finally:
        client.progress = previous_progress
        if own_client:
            client.close()
    result = _result(
        tables,
        manifest,
        snapshot_dir=snapshot_dir,
        processed_dir=target,
        kpi_ids=kpi_ids,
        seconds=time.perf_counter() - t0,
    )
    return dataclasses.replace(
        result,
        based_on=None if base is None else base[1].snapshot_id,
        n_kept=0 if base is None else int((~scope.contains(base[0].values)).sum()),
        n_before=None if previous is None else len(previous[0].values),
        cleared_partials=cleared,
    )


def _check_municipalities(municipalities: Iterable[str] | None) -> list[str] | None:
    if municipalities is None:
        return None
    mun_ids = resolve_municipalities(list(municipalities), parameter="kommun")
    if not mun_ids:
        raise ParameterError("Listan med kommuner är tom: utelämna den för alla kommuner.")
    return mun_ids


def fetch_plan(
    kpi_ids: Sequence[str], mun_ids: Sequence[str] | None, years: tuple[int, int]
) -> list[tuple[str, str]]:
    """The requests of a fetch (before paging): ``(kind, path)`` pairs.

    Key-figure metadata (≤ 25 ids per request), all municipality groups (one
    request), then the values (≤ 25 key figures, municipalities and years per
    request; without municipalities every municipality, region and Riket).

    Examples
    --------
    >>> fetch_plan(["N20900"], None, (2021, 2022))
    [('kpi', 'kpi/N20900'), ('municipality_groups', 'municipality_groups'), \
('data', 'data/kpi/N20900/year/2021,2022')]
    """
    year_list = list(range(years[0], years[1] + 1))
    return [
        *(("kpi", path) for path in kpi_paths(kpi_ids)),
        *(("municipality_groups", path) for path in group_paths(None)),
        *(("data", path) for path in data_paths(kpi_ids, mun_ids, year_list)),
    ]


def _derive_tables(
    snap: SnapshotWriter, *, kpi_ids: Sequence[str], years: tuple[int, int]
) -> ProcessedTables:
    """Build and check the processed tables from the (still temporary) snapshot."""
    try:
        tables = build_tables(
            read_pages_file(snap.close_pages()), origin=f"hämtning {snap.base_id}"
        )
    except DataValidationError as exc:
        raise FetchError(f"Koladas svar klarade inte kontrollen av tabellformatet:\n{exc}") from exc
    if tables.values.empty:
        raise FetchError(
            f"Kolada returnerade inga värden för de {len(kpi_ids)} nyckeltalen åren "
            f"{years[0]}–{years[1]}; inget har ersatts."
        )
    return tables


def _manifest(
    log: Sequence[RequestLog],
    *,
    base_url: str,
    started: datetime,
    kpi_ids: Sequence[str],
    mun_ids: Sequence[str] | None,
    years: tuple[int, int],
    tables: ProcessedTables,
) -> dict[str, Any]:
    """What the snapshot's manifest records (the id is added on commit)."""
    return {
        "source": "kolada",
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_url": base_url,
        "kpis": list(kpi_ids),
        "municipalities": None if mun_ids is None else list(mun_ids),
        "years": list(years),
        "n_requests": len(log),
        "n_retries": sum(1 for r in log if r.status != 200),
        "urls": [r.url for r in log if r.status == 200],
        "requests": [r.to_dict() for r in log],
        "n_rows": len(tables.values),
        "n_deleted": tables.n_deleted,
        "package_version": package_version(),
    }


def _result(
    tables: ProcessedTables,
    manifest: dict[str, Any],
    *,
    snapshot_dir: Path,
    processed_dir: Path,
    kpi_ids: Sequence[str],
    seconds: float,
) -> FetchResult:
    values = tables.values
    found_meta = set(tables.kpis["kpi"])
    with_rows = set(values["kpi"])
    return FetchResult(
        snapshot_id=snapshot_dir.name,
        snapshot_dir=snapshot_dir,
        processed_dir=processed_dir,
        base_url=manifest["base_url"],
        n_requests=manifest["n_requests"],
        n_retries=manifest["n_retries"],
        n_pages=len(manifest["urls"]),
        n_rows=len(values),
        n_values=int(values["value"].notna().sum()),
        n_deleted=tables.n_deleted,
        n_kpis=len(with_rows),
        n_municipalities=int(values["municipality_id"].nunique()),
        years=tuple(manifest["years"]),
        seconds=seconds,
        missing_kpis=tuple(k for k in kpi_ids if k not in found_meta),
        kpis_without_values=tuple(k for k in kpi_ids if k not in with_rows),
    )


def current_provenance(root: Path | str | None = None) -> Provenance | None:
    """Provenance of the data set ``load_dataset("auto")`` would use now (nothing is generated).

    Returns
    -------
    Provenance or None
        The latest Kolada fetch, else existing demo data, else None.
    """
    p = paths(root)
    for name in (KOLADA_DIRNAME, "demo"):
        f = p.processed / name / PROVENANCE_FILE
        if f.exists():
            try:
                return Provenance.from_dict(json.loads(f.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError):
                continue
    return None


def describe_data_in_use(root: Path | str | None = None) -> str:
    """One Swedish phrase naming the data set in use (for messages after a failed fetch).

    Examples
    --------
    >>> import tempfile
    >>> describe_data_in_use(tempfile.mkdtemp())
    'inga hämtade data ännu; demodata (syntetiska värden) används tills en hämtning lyckas'
    """
    prov = current_provenance(root)
    if prov is None:
        return (
            "inga hämtade data ännu; demodata (syntetiska värden) används tills en hämtning lyckas"
        )
    if prov.is_demo:
        return "demodata (syntetiska värden, inte verkliga resultat)"
    return f"Kolada-ögonblicksbild {prov.snapshot_id}, hämtad {prov.date}"
