"""Running the checks and summarising the issue table."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from fou.core.catalog import Catalog
from fou.core.errors import ParameterError, one_of_message
from fou.quality._common import (
    check_values_table,
    empty_issues,
    ids_for_roles,
    make_scope,
    normalise_years,
    one_scope_per_run,
    resolve_catalog,
)
from fou.quality._registry import CHECKS, ISSUES_SCHEMA, KINDS, SEVERITIES
from fou.quality.checks import IMPLEMENTATIONS, completeness_cells, summarise_cells

_COMMON_ARGS = {"catalog", "municipalities", "years", "gender", "expected_years"}


def _resolve_checks(checks: str | Iterable[str] | None) -> tuple[list[str], set[str] | None]:
    """Split requested names into checks to run and kinds to keep (None: all kinds)."""
    if checks is None:
        return list(CHECKS), None
    items = [checks] if isinstance(checks, str) else list(checks)
    run: set[str] = set()
    kinds: set[str] = set()
    for name in items:
        if name in CHECKS:
            run.add(name)
            kinds |= set(CHECKS[name].kinds)
        elif name in KINDS:
            run.add(KINDS[name].check)
            kinds.add(name)
        else:
            raise ParameterError(one_of_message("kontroll", [*CHECKS, *KINDS], name, limit=40))
    return [c for c in CHECKS if c in run], kinds


def _check_options(options: Mapping[str, Mapping[str, Any]] | None) -> dict[str, dict[str, Any]]:
    """Validate per-check options against the implementing functions' keyword arguments."""
    if not options:
        return {}
    out: dict[str, dict[str, Any]] = {}
    for name, opts in options.items():
        if name not in IMPLEMENTATIONS:
            raise ParameterError(one_of_message("inställningar för kontroll", list(CHECKS), name))
        params = inspect.signature(IMPLEMENTATIONS[name]).parameters
        allowed = [p for p in params if p not in _COMMON_ARGS and p != "values"]
        for key in opts:
            if key not in allowed:
                raise ParameterError(
                    f"Kontrollen '{name}': " + one_of_message("inställning", allowed, key)
                )
        out[name] = dict(opts)
    return out


def sort_issues(issues: pd.DataFrame) -> pd.DataFrame:
    """Sort issues: most serious first, then in declaration order, key figure, municipality, year.

    The sort is stable, so rows that tie keep the order the checks gave them.
    """
    order = {k: i for i, k in enumerate(KINDS)}
    keyed = issues.assign(
        _sev=-issues["severity"].cat.codes.astype("int64"),
        _kind=issues["check"].map(order).astype("int64"),
    )
    keyed = keyed.sort_values(
        ["_sev", "_kind", "kpi", "municipality_id", "year", "gender"],
        kind="stable",
        na_position="first",
    )
    return keyed.drop(columns=["_sev", "_kind"]).reset_index(drop=True)


def run_checks(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    checks: str | Iterable[str] | None = None,
    municipalities: Iterable[str] | None = None,
    years: int | Iterable[int] | None = None,
    expected_years: int | Iterable[int] | None = None,
    gender: str | None = "T",
    options: Mapping[str, Mapping[str, Any]] | None = None,
) -> pd.DataFrame:
    """Run the data-quality checks and return one issue table.

    Parameters
    ----------
    values
        Tidy values table (:mod:`fou.core.schema`); may hold rows from several
        sources and Riket/regions.
    catalog
        Key-figure catalogue (None: the packaged one).
    checks
        Names of checks (``completeness``, ``suppression``, ``range``,
        ``jumps``, ``level_shifts``, ``outliers``, ``duplicates``, ``stale``)
        or of issue kinds (``suppressed``, ``jump`` …; see
        :data:`fou.quality.KINDS`); None runs all.
    municipalities
        Ids or names to report on (None: every municipality in the data).
        Distributions are always computed over all municipalities in the data.
    years
        Years to report on (None: all).
    expected_years
        Years in which every key figure is expected (completeness); default
        *years*, or every year in the data.
    gender
        ``T`` (default), ``K``, ``M`` or None for all genders.
    options
        Per-check settings, e.g. ``{"jumps": {"z_threshold": 4.0},
        "suppression": {"min_response_rate": 45.0}}`` (see each
        ``check_<name>`` function).

    Returns
    -------
    pandas.DataFrame
        Columns ``check, severity, kpi, municipality_id, year, gender, value,
        detail`` (:data:`fou.quality.ISSUES_SCHEMA`), most serious first.
        ``severity`` is an ordered categorical (``info < varning < fel``).

    Raises
    ------
    ParameterError
        Unknown check, option, municipality, gender or bad year.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": "U21468", "municipality_id": ["1440", "1441", "1441"],
    ...                   "year": 2022, "gender": "T", "value": [104.0, 90.0, 91.0],
    ...                   "source": ["kolada", "kolada", "lokal:lerum.csv"]})
    >>> run_checks(v, checks=["range", "duplicates"])[["check", "severity"]].values.tolist()
    [['out_of_range', 'fel'], ['contradiction', 'fel']]
    """
    check_values_table(values)
    cat = resolve_catalog(catalog)
    names, kinds = _resolve_checks(checks)
    opts = _check_options(options)
    if municipalities is not None and not isinstance(municipalities, str):
        municipalities = list(municipalities)  # every check reads it (a generator only once)
    common: dict[str, Any] = {
        "catalog": cat,
        "municipalities": municipalities,
        "years": normalise_years(years),
        "gender": gender,
    }
    frames = []
    with one_scope_per_run():
        for name in names:
            kwargs = {**common, **opts.get(name, {})}
            if name == "completeness":
                kwargs["expected_years"] = normalise_years(
                    expected_years, parameter="förväntade år"
                )
            frames.append(IMPLEMENTATIONS[name](values, **kwargs))
    frames = [f for f in frames if len(f)]
    issues = pd.concat(frames, ignore_index=True) if frames else empty_issues()
    if kinds is not None:
        issues = issues[issues["check"].isin(kinds)]
    issues = sort_issues(issues)
    return ISSUES_SCHEMA.validate(issues)


#: Checks whose findings for a year depend on which years are asked for: the
#: completeness grid spans the years asked for, and a key figure is stale or
#: discontinued relative to the latest of them. The other checks judge each
#: cell from the data around it and only report the cells of the years asked for.
YEAR_SCOPED_CHECKS: tuple[str, ...] = ("completeness", "stale")


def run_checks_by_year(
    values: pd.DataFrame,
    *,
    year: int,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    gender: str | None = "T",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The issues of one year and of every year, checking the history once.

    The same two tables as ``run_checks(..., years=[year])`` and
    ``run_checks(...)``, for the cost of one run over every year and a run of
    :data:`YEAR_SCOPED_CHECKS` for *year*: the year's issues of every other
    check are the all-years issues of that year (and those about no year in
    particular).

    Parameters
    ----------
    values, catalog, municipalities, gender
        As for :func:`run_checks`.
    year
        The report's year.

    Returns
    -------
    tuple of pandas.DataFrame
        ``(issues of year, issues of every year)``, each as :func:`run_checks` returns it.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": "U21468", "municipality_id": "1440", "year": [2021, 2022],
    ...                   "gender": "T", "value": [104.0, 80.0], "source": "kolada"})
    >>> one, every = run_checks_by_year(v, year=2022)
    >>> every.loc[every["check"] == "out_of_range", "year"].tolist()
    [2021]
    >>> "out_of_range" in set(one["check"])
    False
    """
    if municipalities is not None and not isinstance(municipalities, str):
        municipalities = list(municipalities)
    with one_scope_per_run():  # both runs read the same table
        every = run_checks(values, catalog=catalog, municipalities=municipalities, gender=gender)
        again = run_checks(
            values,
            catalog=catalog,
            checks=list(YEAR_SCOPED_CHECKS),
            municipalities=municipalities,
            years=[year],
            gender=gender,
        )
    scoped = {kind for name in YEAR_SCOPED_CHECKS for kind in CHECKS[name].kinds}
    same = every[
        ~every["check"].isin(scoped) & (every["year"].isna() | (every["year"] == int(year)))
    ]
    frames = [f for f in (same, again) if len(f)]
    one = pd.concat(frames, ignore_index=True) if frames else empty_issues()
    return ISSUES_SCHEMA.validate(sort_issues(one)), every


def filter_issues(
    issues: pd.DataFrame,
    *,
    min_severity: str | None = None,
    municipalities: Iterable[str] | None = None,
    kpis: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Keep issues at least as serious as *min_severity*, about these municipalities/key figures.

    Rows that concern every municipality (empty ``municipality_id``, e.g. a
    level shift) are kept by a municipality filter.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": "U21468", "municipality_id": ["1440", "1441"], "year": 2022,
    ...                   "gender": "T", "value": [104.0, float("nan")], "source": "demo"})
    >>> filter_issues(run_checks(v), min_severity="fel")["check"].tolist()
    ['out_of_range']
    """
    mask = pd.Series(True, index=issues.index)
    if min_severity is not None:
        if min_severity not in SEVERITIES:
            raise ParameterError(one_of_message("allvarlighetsgrad", SEVERITIES, min_severity))
        mask &= issues["severity"] >= min_severity
    if municipalities is not None:
        mask &= issues["municipality_id"].isna() | issues["municipality_id"].isin(
            list(municipalities)
        )
    if kpis is not None:
        mask &= issues["kpi"].isna() | issues["kpi"].isin(list(kpis))
    return issues[mask].reset_index(drop=True)


def issue_counts(issues: pd.DataFrame, *, all_kinds: bool = False) -> pd.DataFrame:
    """Count issues by kind and severity.

    Parameters
    ----------
    issues
        Issue table from :func:`run_checks`.
    all_kinds
        Also list declared kinds with no findings (``n = 0``), which a report
        can show as "checked, nothing found".

    Returns
    -------
    pandas.DataFrame
        ``check, label, severity, n, n_kpis, n_municipalities``: rows, distinct
        key figures and distinct municipalities per kind; most serious first.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": "U21468", "municipality_id": ["1440", "1441"], "year": 2022,
    ...                   "gender": "T", "value": [104.0, 101.0], "source": "demo"})
    >>> counts = issue_counts(run_checks(v, checks="range"))
    >>> counts[["check", "n", "n_municipalities"]].values.tolist()
    [['out_of_range', 2, 2]]
    """
    counts = (
        issues.groupby(["check", "severity"], observed=True)
        .agg(
            n=("detail", "size"),
            n_kpis=("kpi", "nunique"),
            n_municipalities=("municipality_id", "nunique"),
        )
        .reset_index()
    )
    if all_kinds:
        declared = pd.DataFrame(
            {"check": list(KINDS), "severity": [k.severity for k in KINDS.values()]}
        )
        missing = declared[~declared["check"].isin(counts["check"])]
        zeros = missing.assign(n=0, n_kpis=0, n_municipalities=0)
        counts = pd.concat([counts.astype({"severity": str}), zeros], ignore_index=True)
    counts["severity"] = counts["severity"].astype(str).astype(issues["severity"].dtype)
    counts.insert(1, "label", counts["check"].map(lambda k: KINDS[k].label))
    counts = counts.astype({"n": "int64", "n_kpis": "int64", "n_municipalities": "int64"})
    order = {k: i for i, k in enumerate(KINDS)}
    counts = counts.assign(_s=-counts["severity"].cat.codes, _k=counts["check"].map(order))
    return (
        counts.sort_values(["_s", "_k"], kind="stable")
        .drop(columns=["_s", "_k"])
        .reset_index(drop=True)
    )


def completeness_summary(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    years: int | Iterable[int] | None = None,
    expected_years: int | Iterable[int] | None = None,
    gender: str | None = "T",
) -> pd.DataFrame:
    """Per municipality and year: how many catalogue key figures have values, and why not.

    Parameters
    ----------
    values
        Tidy values table.
    catalog, municipalities, years, expected_years, gender
        As in :func:`run_checks`.

    Returns
    -------
    pandas.DataFrame
        ``municipality_id, year, gender, n_kpis, n_values, n_kpi_absent,
        n_survey_not_run, n_outside_series, n_not_published, n_missing_row,
        n_suppressed, n_expected, n_missing, share_with_value``.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": "N20900", "municipality_id": ["1440", "1441"], "year": 2022,
    ...                   "gender": "T", "value": [1.0, float("nan")], "source": "demo"})
    >>> completeness_summary(v)[["municipality_id", "n_values", "n_suppressed"]].values.tolist()
    [['1440', 1, 0], ['1441', 0, 1]]
    """
    cells = completeness_cells(
        values,
        catalog=catalog,
        municipalities=municipalities,
        years=years,
        expected_years=expected_years,
        gender=gender,
    )
    return summarise_cells(cells)


def usable_summary(
    values: pd.DataFrame,
    issues: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    years: int | Iterable[int] | None = None,
    gender: str = "T",
) -> pd.DataFrame:
    """Share of each domain's key figures that can be used, per municipality and year.

    A key figure is *usable* for a municipality and year when it has a value
    and no issue of severity ``fel`` concerns it (an issue with empty
    municipality or year concerns all municipalities or years).

    Parameters
    ----------
    values
        Tidy values table.
    issues
        Issue table from :func:`run_checks` on the same values.
    catalog
        Catalogue (None: the packaged one).
    municipalities
        Municipalities (None: every municipality in the data).
    years
        Years (None: every year in the data).
    gender
        Gender of the values.

    Returns
    -------
    pandas.DataFrame
        ``municipality_id, year, domain, n_kpis, n_usable, share_usable``
        (one row per municipality, year and domain; domains in report order),
        ready for a table or a heatmap.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": "N20900", "municipality_id": ["1440"], "year": 2022,
    ...                   "gender": "T", "value": [1.0], "source": "demo"})
    >>> s = usable_summary(v, run_checks(v))
    >>> s.loc[s["domain"] == "kostnader", ["n_kpis", "n_usable"]].values.tolist()
    [[9, 1]]
    """
    scope = make_scope(
        values, catalog=catalog, municipalities=municipalities, years=years, gender=gender
    )
    cat = scope.catalog
    yrs = list(scope.years or sorted(int(y) for y in scope.rows["year"].unique()))
    kpis = cat.kpis[cat.kpis["kpi"].isin(ids_for_roles(cat, ("key_figure",)))][["kpi", "domain"]]
    grid = pd.MultiIndex.from_product(
        [kpis["kpi"], list(scope.municipalities), yrs], names=["kpi", "municipality_id", "year"]
    ).to_frame(index=False)
    grid["year"] = grid["year"].astype("int64")
    prim = scope.primary[scope.primary["value"].notna()]
    have = pd.MultiIndex.from_frame(prim[["kpi", "municipality_id", "year"]])
    grid["present"] = pd.MultiIndex.from_frame(grid[["kpi", "municipality_id", "year"]]).isin(have)
    bad = issues[
        (issues["severity"] == "fel") & (issues["gender"].isna() | (issues["gender"] == gender))
    ]
    grid["fel"] = _concerned(grid, bad)
    grid["usable"] = grid["present"] & ~grid["fel"]
    grid = grid.merge(kpis, on="kpi", how="left")
    out = grid.groupby(["municipality_id", "year", "domain"], as_index=False).agg(
        n_kpis=("kpi", "size"), n_usable=("usable", "sum")
    )
    out["n_usable"] = out["n_usable"].astype("int64")
    out["share_usable"] = out["n_usable"] / out["n_kpis"]
    rank = {d: i for i, d in enumerate(cat.domain_order)}
    out = out.assign(_d=out["domain"].map(rank).fillna(len(rank)))
    out = out.sort_values(["municipality_id", "year", "_d"], kind="stable").drop(columns="_d")
    return out.reset_index(drop=True)


def _concerned(grid: pd.DataFrame, issues: pd.DataFrame) -> np.ndarray:
    """Mask of grid cells (kpi, municipality_id, year) that an issue concerns."""
    hit = np.zeros(len(grid), dtype=bool)
    keys = ["kpi", "municipality_id", "year"]
    if issues.empty:
        return hit
    known = issues[keys].notna()
    for pattern, g in issues.groupby([known[k] for k in keys]):
        cols = [k for k, present in zip(keys, pattern, strict=True) if present]
        if not cols:
            return np.ones(len(grid), dtype=bool)
        wanted = g[cols].drop_duplicates().astype({"year": "int64"} if "year" in cols else {})
        hit |= pd.MultiIndex.from_frame(grid[cols]).isin(pd.MultiIndex.from_frame(wanted))
    return hit
