"""Shared building blocks of the checks: scope, de-duplication, robust statistics, wording.

Everything here is pure: tables in, tables out.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import math
import pickle
import string
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from scipy import stats

from fou.core import sv
from fou.core.catalog import Catalog, load_catalog
from fou.core.errors import DataValidationError, ParameterError, one_of_message
from fou.core.registry import GR_MUNICIPALITIES, resolve_municipalities
from fou.core.schema import ANALYSIS_COLUMNS, GENDERS, KEY_COLUMNS, require_analysis_columns
from fou.quality._registry import ISSUE_COLUMNS, KINDS, SEVERITY_DTYPE

#: Factor that makes the median absolute deviation a consistent estimator of
#: the standard deviation under normality: ``1 / Φ⁻¹(3/4) ≈ 1.4826``.
MAD_SCALE: float = float(1.0 / stats.norm.ppf(0.75))
#: Same for the mean absolute deviation around the median: ``√(π/2) ≈ 1.2533``
#: (used when more than half of the deviations are zero and the MAD is 0).
MEAN_AD_SCALE: float = float(np.sqrt(np.pi / 2.0))

#: Which source wins when the same key comes from several sources (lower first).
SOURCE_PRIORITY: dict[str, int] = {"kolada": 0, "demo": 1}
PRIMARY_COLUMNS: tuple[str, ...] = ANALYSIS_COLUMNS


# --------------------------------------------------------------------------- #
# Robust statistics
# --------------------------------------------------------------------------- #
def robust_z(x: Sequence[float] | np.ndarray | pd.Series) -> np.ndarray:
    """Robust z-scores: distance from the median in units of the scaled MAD.

    ``z = (x − median) / (1.4826 · MAD)``. When the MAD is 0 (more than half
    of the values equal the median) the mean absolute deviation around the
    median times ``√(π/2)`` is used instead (Iglewicz & Hoaglin's
    fallback); when that is 0 too, every z is NaN. Missing values are ignored
    and give NaN.

    Parameters
    ----------
    x
        Values of one group (e.g. all municipalities for one key figure and year).

    Returns
    -------
    numpy.ndarray
        One z per value.

    Examples
    --------
    >>> robust_z([1.0, 2.0, 3.0, 4.0, 100.0]).round(2).tolist()
    [-1.35, -0.67, 0.0, 0.67, 65.43]
    """
    arr = np.asarray(x, dtype="float64")
    ok = ~np.isnan(arr)
    if not ok.any():
        return np.full(arr.shape, np.nan)
    center = float(np.median(arr[ok]))
    scale = robust_scale(arr[ok])
    if not scale > 0:
        return np.full(arr.shape, np.nan)
    return (arr - center) / scale


def robust_scale(x: Sequence[float] | np.ndarray) -> float:
    """Scaled MAD of *x* (NaN ignored), falling back to the scaled mean absolute deviation.

    Examples
    --------
    >>> round(robust_scale([1.0, 2.0, 3.0, 4.0, 100.0]), 4)
    1.4826
    >>> round(robust_scale([5.0, 5.0, 5.0, 9.0]), 4)  # MAD is 0
    1.2533
    """
    arr = np.asarray(x, dtype="float64")
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return math.nan
    dev = np.abs(arr - np.median(arr))
    mad = float(np.median(dev)) * MAD_SCALE
    if mad > 0:
        return mad
    return float(np.mean(dev)) * MEAN_AD_SCALE


def grouped_robust_z(x: pd.Series, keys: list[pd.Series] | pd.DataFrame) -> pd.DataFrame:
    """:func:`robust_z` within groups, vectorised.

    Parameters
    ----------
    x
        Values.
    keys
        Group keys aligned with *x*.

    Returns
    -------
    pandas.DataFrame
        Indexed like *x*: ``center`` (group median), ``scale`` (scaled MAD or
        fallback), ``n`` (non-missing values in the group), ``z``.
    """
    g = x.groupby(keys, sort=False)
    center = g.transform("median")
    dev = (x - center).abs()
    gd = dev.groupby(keys, sort=False)
    mad = gd.transform("median") * MAD_SCALE
    mean_ad = gd.transform("mean") * MEAN_AD_SCALE
    scale = mad.where(mad > 0, mean_ad)
    scale = scale.where(scale > 0)
    n = g.transform("count")
    return pd.DataFrame({"center": center, "scale": scale, "n": n, "z": (x - center) / scale})


# --------------------------------------------------------------------------- #
# Scope: what to look at
# --------------------------------------------------------------------------- #
@dataclass(frozen=True)
class Scope:
    """The prepared input of a check.

    Attributes
    ----------
    rows
        Input rows for the requested gender(s) (all sources, all ids).
    primary
        One row per key (``kpi, municipality_id, year, gender, value``) after
        choosing among sources (see :func:`primary_values`), catalogue key
        figures/covariates/companions only.
    catalog
        The catalogue.
    municipalities
        Selected municipality ids (issues are reported for these).
    years
        Selected years, or None for all.
    group_word
        How the selection is named in details (``GR-kommuner``, ``valda kommuner``, ``kommuner``).
    chosen
        True when municipalities were chosen by the caller (not every one in the data).
    data_key
        What *rows* and *primary* were made from (the values' content, the
        gender, the catalogue), for :func:`national`; empty: nothing is shared.
    """

    rows: pd.DataFrame
    primary: pd.DataFrame
    catalog: Catalog
    municipalities: tuple[str, ...]
    years: tuple[int, ...] | None
    group_word: str
    chosen: bool = False
    data_key: str = ""

    def municipal(self) -> pd.DataFrame:
        """Primary rows of municipalities only (no Riket or regions)."""
        p = self.primary
        return p[~p["municipality_id"].str.startswith("00")]

    def in_selection(self, df: pd.DataFrame) -> pd.Series:
        """Mask of rows of *df* inside the selected municipalities and years."""
        mask = df["municipality_id"].isin(self.municipalities)
        if self.years is not None:
            mask &= df["year"].isin(self.years)
        return mask

    def year_selected(self, year: pd.Series) -> pd.Series:
        """Mask of *year* values inside the selected years."""
        if self.years is None:
            return pd.Series(True, index=year.index)
        return year.isin(self.years)


def check_values_table(values: pd.DataFrame) -> None:
    """Raise a Swedish error if *values* lacks the columns the checks need."""
    require_analysis_columns(values, error=DataValidationError)


def resolve_catalog(catalog: Catalog | None) -> Catalog:
    """The given catalogue or the packaged one."""
    return load_catalog() if catalog is None else catalog


def normalise_years(
    years: int | Iterable[int] | None, *, parameter: str = "år"
) -> tuple[int, ...] | None:
    """Years as a sorted tuple of ints (None stays None).

    Examples
    --------
    >>> normalise_years([2022, "2021"])
    (2021, 2022)
    """
    if years is None:
        return None
    items = [years] if isinstance(years, (int, str, np.integer)) else list(years)
    out: set[int] = set()
    for y in items:
        try:
            out.add(int(y))
        except (TypeError, ValueError):
            raise ParameterError(f"{parameter} måste vara årtal, men {y!r} angavs.") from None
    return tuple(sorted(out))


def check_gender(gender: str | None) -> None:
    """Raise if *gender* is not T/K/M/None."""
    if gender is not None and gender not in GENDERS:
        raise ParameterError(one_of_message("kön", GENDERS, gender))


def source_rank(source: pd.Series) -> pd.Series:
    """Priority of each row's source (Kolada first, demo next, local submissions last)."""
    rank = np.full(len(source), len(SOURCE_PRIORITY), dtype="int64")
    text = source.astype(str).to_numpy()
    for name, r in SOURCE_PRIORITY.items():
        rank[text == name] = r
    return pd.Series(rank, index=source.index)


def primary_values(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per key: the first non-missing value by source priority.

    When the same (kpi, municipality, year, gender) comes from several
    sources, the checks other than ``duplicates`` look at one value: a
    non-missing one before a missing one, then Kolada before demo before local
    submissions. The ``duplicates`` check reports the disagreement.

    Parameters
    ----------
    rows
        Values rows (with or without ``source``).

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi, municipality_id, year, gender, value``, unique keys.

    Examples
    --------
    >>> v = pd.DataFrame({"kpi": ["U1"] * 2, "municipality_id": ["1440"] * 2,
    ...                   "year": [2022] * 2, "gender": ["T"] * 2,
    ...                   "value": [float("nan"), 70.0], "source": ["kolada", "lokal:a.csv"]})
    >>> primary_values(v)["value"].tolist()
    [70.0]
    """
    df = rows.loc[:, [c for c in (*PRIMARY_COLUMNS, "source") if c in rows.columns]]
    repeated = df.duplicated(list(KEY_COLUMNS), keep=False)
    if not repeated.any():
        return df.loc[:, list(PRIMARY_COLUMNS)].reset_index(drop=True)
    dup = df[repeated]
    rank = source_rank(dup["source"]) if "source" in dup else 0
    dup = dup.assign(_missing=dup["value"].isna(), _rank=rank).sort_values(
        ["_missing", "_rank"], kind="stable"
    )
    first = dup.drop_duplicates(list(KEY_COLUMNS), keep="first")
    out = pd.concat([df[~repeated], first]).sort_index()
    return out.loc[:, list(PRIMARY_COLUMNS)].reset_index(drop=True)


#: Scopes already prepared in this run of the checks (None: outside :func:`one_scope_per_run`).
_SCOPES: contextvars.ContextVar[dict[tuple[Any, ...], Any] | None] = contextvars.ContextVar(
    "fou_quality_scopes", default=None
)


@contextlib.contextmanager
def one_scope_per_run() -> Iterator[None]:
    """Inside, :func:`make_scope` prepares each scope once for all the checks that ask for it.

    :func:`fou.quality.run_checks` runs eight checks on the same table, and
    each used to narrow, convert and de-duplicate the whole values table for
    itself. The table cannot change during one run, so its scope is shared;
    each check gets its own shallow copy of the frames (pandas copies on
    write), so a check that changes its rows changes nobody else's. Nested
    runs (:func:`fou.quality.run_checks_by_year` runs the checks twice) share
    the outer run's scopes.
    """
    if _SCOPES.get() is not None:
        yield
        return
    token = _SCOPES.set({})
    try:
        yield
    finally:
        _SCOPES.reset(token)


# --------------------------------------------------------------------------- #
# National intermediates: the same for every selection of municipalities
# --------------------------------------------------------------------------- #
T = TypeVar("T")

#: Results of :func:`national`, by data key and then by what was computed. A
#: warm kernel makes one municipality's report after another from the same
#: data; what is computed over every municipality is computed once. At most
#: :data:`NATIONAL_DATA_KEYS` data sets are kept (the least recently used goes),
#: and only small results: counts, tables of candidates, not the data itself.
_NATIONAL: OrderedDict[str, dict[Hashable, Any]] = OrderedDict()
NATIONAL_DATA_KEYS = 2


def content_key(values: pd.DataFrame) -> str:
    """A digest of a table's content: its columns, dtypes, index and every value.

    Two tables with the same key hold the same data, whichever object they
    are and however they were made; a table changed in place gets a new key.
    About 0.05 s for the 500 000 rows of a national values table.

    Examples
    --------
    >>> a = pd.DataFrame({"x": [1.0, 2.0]})
    >>> content_key(a) == content_key(a.copy())
    True
    >>> content_key(a) == content_key(a.assign(x=[1.0, 3.0]))
    False
    """
    h = hashlib.blake2b(digest_size=20)
    h.update(repr((list(values.columns), [str(t) for t in values.dtypes])).encode("utf-8"))
    h.update(pd.util.hash_pandas_object(values, index=True).to_numpy().tobytes())
    return h.hexdigest()


def catalog_key(catalog: Catalog) -> str:
    """A digest of what the checks read from a catalogue (key figures, breaks, survey years)."""
    parts = (catalog.kpis, catalog.breaks, catalog.survey_not_run, catalog.min_respondents)
    return hashlib.blake2b(pickle.dumps(parts, protocol=5), digest_size=20).hexdigest()


def _shallow(value: T) -> T:
    """*value* with its tables as shallow copies (pandas copies on write)."""
    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=False)
    if isinstance(value, tuple):
        return tuple(_shallow(v) for v in value)  # type: ignore[return-value]
    return value


def national(data_key: str, what: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, once per process for the same data and the same *what*.

    For small results computed over every municipality in the data (the
    changes and levels far out in the national distribution, the level-shift
    table, the years each key figure has values), which are the same
    whichever municipalities a report is about. Each caller gets shallow
    copies of the tables, so a caller that changes its table cannot change
    what the next one gets.

    Parameters
    ----------
    data_key
        :attr:`Scope.data_key`; empty computes without keeping anything.
    what
        The computation and its arguments (hashable).
    compute
        Computes the result from the data behind *data_key* only.

    Returns
    -------
    The result.
    """
    if not data_key:
        return compute()
    entries = _NATIONAL.get(data_key)
    if entries is None:
        entries = _NATIONAL[data_key] = {}
        while len(_NATIONAL) > NATIONAL_DATA_KEYS:
            _NATIONAL.popitem(last=False)
    _NATIONAL.move_to_end(data_key)
    if what not in entries:
        entries[what] = compute()
    return _shallow(entries[what])


def clear_national() -> None:
    """Forget every result :func:`national` keeps."""
    _NATIONAL.clear()


def _run_memo(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """``compute()`` once per run of the checks (see :func:`one_scope_per_run`)."""
    memo = _SCOPES.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def make_scope(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None,
    municipalities: Iterable[str] | None,
    years: int | Iterable[int] | None,
    gender: str | None,
) -> Scope:
    """Prepare the input of a check (validated parameters, primary values).

    Parameters
    ----------
    values
        Tidy values table.
    catalog
        Catalogue (None: the packaged one).
    municipalities
        Ids or names to report on; None: every municipality (not Riket or
        regions) in *values*.
    years
        Years to report on; None: all.
    gender
        ``T``, ``K``, ``M`` or None (all genders).

    Returns
    -------
    Scope
    """
    if municipalities is None or isinstance(municipalities, str):
        ids: Any = municipalities
    else:
        municipalities = list(municipalities)
        ids = tuple(str(m) for m in municipalities)
    key = ("scope", id(values), id(catalog), ids, normalise_years(years), gender)
    hit = _run_memo(key, lambda: _make_scope(values, catalog, municipalities, years, gender))
    return replace(hit, rows=hit.rows.copy(deep=False), primary=hit.primary.copy(deep=False))


def _national_rows(
    values: pd.DataFrame, cat: Catalog, gender: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows of *gender*, converted, and their primary values (see :func:`primary_values`)."""
    rows = values if gender is None else values[values["gender"] == gender]
    rows = rows.copy(deep=False)  # copy on write: the caller's table is never changed
    for col in ("municipality_id", "kpi", "gender"):
        rows[col] = rows[col].astype(str).astype("category")
    rows["year"] = rows["year"].astype("int64")
    rows["value"] = pd.to_numeric(rows["value"]).astype("float64")
    known = rows["kpi"].isin(cat.all_ids)
    return rows.reset_index(drop=True), primary_values(rows[known])


def _make_scope(
    values: pd.DataFrame,
    catalog: Catalog | None,
    municipalities: Iterable[str] | None,
    years: int | Iterable[int] | None,
    gender: str | None,
) -> Scope:
    check_values_table(values)
    check_gender(gender)
    cat = resolve_catalog(catalog)
    content = _run_memo(("content", id(values)), lambda: content_key(values))
    cat_key = _run_memo(("catalog", id(cat)), lambda: catalog_key(cat))
    data_key = hashlib.blake2b(
        repr((content, cat_key, gender)).encode("utf-8"), digest_size=20
    ).hexdigest()
    rows, primary = _run_memo(
        ("rows", id(values), id(cat), gender), lambda: _national_rows(values, cat, gender)
    )
    if municipalities is None:
        ids = sorted(i for i in rows["municipality_id"].unique() if not i.startswith("00"))
        word = "kommuner"
    else:
        items = [municipalities] if isinstance(municipalities, str) else list(municipalities)
        ids = list(dict.fromkeys(resolve_municipalities(items, parameter="kommuner")))
        word = "GR-kommuner" if set(ids) == set(GR_MUNICIPALITIES) else "valda kommuner"
    return Scope(
        rows=rows,
        primary=primary,
        catalog=cat,
        municipalities=tuple(ids),
        years=normalise_years(years),
        group_word=word,
        chosen=municipalities is not None,
        data_key=data_key,
    )


# --------------------------------------------------------------------------- #
# Catalogue lookups
# --------------------------------------------------------------------------- #
def survey_ids(catalog: Catalog) -> list[str]:
    """Survey key figures and their companions (respondents, response rate, flag).

    Examples
    --------
    >>> "U23592" in survey_ids(load_catalog())
    True
    """
    k = catalog.kpis
    ids = set(k.loc[k["survey"].astype(bool), "kpi"])
    for col in ("respondents_kpi", "response_rate_kpi", "few_respondents_kpi"):
        ids |= set(k[col].dropna().astype(str))
    return sorted(ids)


def ids_for_roles(catalog: Catalog, roles: tuple[str, ...]) -> list[str]:
    """Catalogue ids with the given roles, in catalogue order."""
    return catalog.kpis.loc[catalog.kpis["role"].isin(roles), "kpi"].tolist()


# --------------------------------------------------------------------------- #
# Issue rows and wording
# --------------------------------------------------------------------------- #
def empty_issues() -> pd.DataFrame:
    """An empty issue table with the right columns and dtypes."""
    return issues_frame("duplicate", pd.DataFrame(columns=list(ISSUE_COLUMNS[2:])))


def issues_frame(kind: str, df: pd.DataFrame, *, severity: str | None = None) -> pd.DataFrame:
    """Turn rows with (some of) ``kpi, municipality_id, year, gender, value, detail`` into issues.

    Parameters
    ----------
    kind
        Name of a declared issue kind.
    df
        The rows; missing columns become empty.
    severity
        Override of the kind's default severity.

    Returns
    -------
    pandas.DataFrame
        The issue table's columns and dtypes.
    """
    n = len(df)
    spec = KINDS[kind]

    def col(name: str) -> pd.Series:
        if name in df.columns:
            return df[name].reset_index(drop=True)
        return pd.Series([None] * n, dtype="object")

    return pd.DataFrame(
        {
            "check": pd.Series([kind] * n, dtype="str"),
            "severity": pd.Categorical([severity or spec.severity] * n, dtype=SEVERITY_DTYPE),
            "kpi": col("kpi").astype("str"),
            "municipality_id": col("municipality_id").astype("str"),
            "year": pd.to_numeric(col("year")).astype("Int64"),
            "gender": col("gender").astype("str"),
            "value": pd.to_numeric(col("value")).astype("float64"),
            "detail": col("detail").astype("str"),
        }
    )


def fmt_series(x: pd.Series, *, decimals: int = 1, sign: bool = False) -> pd.Series:
    """:func:`fou.core.sv.prose` over a Series; always a string Series, also when empty."""
    return x.map(lambda v: sv.prose(v, decimals, sign=sign)).astype("str")


def _measure(v: Any, *, sign: bool) -> str:
    """One number with at least two significant digits below 1 (``0,04``, not ``0``)."""
    if sv.is_missing(v):
        return "saknas"
    x = float(v)
    size = abs(x)
    decimals = 1 - math.floor(math.log10(size)) if 0 < size < 1 else 1
    text = sv.prose(x, min(decimals, 6), sign=sign)
    if "," in text:
        text = text.rstrip("0").rstrip(",")
    return text


def fmt_measure(x: pd.Series, *, sign: bool = False) -> pd.Series:
    """Measured values and spreads over a Series: one decimal, but small values keep two digits.

    :func:`fmt_series` rounds 0,04 to ``0``, which makes a spread read as none
    and a change as no change; here 0,04 stays ``0,04`` and 0,123 ``0,12``.

    Examples
    --------
    >>> fmt_measure(pd.Series([0.04, 0.123, 7.44, 0.0, -0.006]), sign=True).tolist()
    ['+0,04', '+0,12', '+7,4', '0', '−0,006']
    """
    return x.map(lambda v: _measure(v, sign=sign)).astype("str")


def catalog_phrase(text: pd.Series) -> pd.Series:
    """Catalogue texts (``breaks.change``) made fit to follow a colon or stand in brackets.

    The trailing full stop goes and the first letter is lower-cased, unless
    the first word is an abbreviation.

    Examples
    --------
    >>> catalog_phrase(pd.Series(["Nyckeltalet upphörde efter 2024.", "SCB byter metod."])).tolist()
    ['nyckeltalet upphörde efter 2024', 'SCB byter metod']
    """

    def one(t: object) -> str:
        phrase = str(t).strip().rstrip(".").strip()
        first = phrase.split(" ", 1)[0]
        if len(first) > 1 and first[:2].isupper():
            return phrase
        return phrase[:1].lower() + phrase[1:]

    return text.map(one).astype("str")


def fmt_years(x: pd.Series) -> pd.Series:
    """Years over a Series: ``2022``, never ``2 022`` or ``2022.0``; text also when empty."""
    return x.map(sv.year).astype("str")


def fmt_counts(x: pd.Series) -> pd.Series:
    """Counts (respondents) as whole numbers over a Series: ``566``, never ``566,0``."""
    return x.map(lambda v: sv.integer(v, missing="saknas")).astype("str")


def compose_text(template: str, **parts: pd.Series) -> pd.Series:
    """Fill *template* row by row: every ``{name}`` takes the row's text in ``parts[name]``.

    A vectorised :meth:`str.format` for issue details: the sentence stays in
    one piece while the numbers are formatted beforehand (:func:`fmt_series`,
    :func:`fmt_counts`, ``astype(str)``). Format specifications are not
    supported.

    Parameters
    ----------
    template
        Text with ``{name}`` fields.
    **parts
        One text Series per field, all with the same index.

    Returns
    -------
    pandas.Series
        The filled texts, indexed like the parts.

    Examples
    --------
    >>> n = pd.Series([9, 2])
    >>> compose_text("{n} av {total}", n=n.astype(str), total=fmt_counts(n + 4)).tolist()
    ['9 av 13', '2 av 6']
    """
    index = next(iter(parts.values())).index
    text = pd.Series("", index=index, dtype="str")
    for literal, name, _, _ in string.Formatter().parse(template):
        text = text + literal
        if name is not None:
            text = text + parts[name]
    return text
