"""How the data-quality checks *run*: one pure function per check.

Every function takes the tidy values table (see :mod:`fou.core.schema`; rows from
several sources and Riket/regions allowed) and returns rows of the issue table
(:data:`fou.quality.ISSUE_COLUMNS`). What the kinds of finding *mean* is
declared in :mod:`fou.quality._registry`.

Common arguments
----------------
values
    The tidy values table described above.
catalog
    Key-figure catalogue (None: the packaged one). Only catalogue key figures
    are checked.
municipalities
    Municipality ids or names to report on (None: every municipality in the
    data). Distributions (jumps, outliers, level shifts, "published this year")
    are always computed over *all* municipalities in the data, never over the
    selection alone; Riket and regions (``00NN``) never enter them.
years
    Years to report on (None: all). Earlier years are still used as the base
    of year-over-year changes.
gender
    ``T`` (default), ``K``, ``M`` or None for all genders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from fou.core import sv
from fou.core.catalog import UNIT_LABELS, Catalog, is_ending
from fou.core.schema import KEY_COLUMNS
from fou.quality._common import (
    MAD_SCALE,
    MEAN_AD_SCALE,
    Scope,
    catalog_phrase,
    compose_text,
    empty_issues,
    fmt_counts,
    fmt_measure,
    fmt_series,
    fmt_years,
    grouped_robust_z,
    ids_for_roles,
    issues_frame,
    make_scope,
    national,
    normalise_years,
    source_rank,
    survey_ids,
)
from fou.quality._registry import SIZE_DEPENDENT_UNITS, UNIT_RULES

KEY = list(KEY_COLUMNS)
KPI_YEAR = ["kpi", "gender", "year"]

#: Reasons a grid cell lacks a value, in the order they are decided.
MISSING_REASONS: tuple[str, ...] = (
    "kpi_absent",
    "survey_not_run",
    "outside_series",
    "not_published",
    "missing_row",
    "suppressed",
)
_REASON_PHRASES: dict[str, str] = {
    "suppressed": "{n} tomma (ej publicerade)",
    "missing_row": "{n} saknade rader",
    "survey_not_run": "{n} från brukarundersökningen som inte genomfördes",
    "not_published": "{n} inte publicerade detta år",
}


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_issues()
    return pd.concat(frames, ignore_index=True)


def _kpi_genders(scope: Scope, kpis: list[str]) -> pd.DataFrame:
    """The (kpi, gender) pairs of the grid: those in the data, ``T`` for key figures without rows.

    Key figures that are not divided by gender have only ``T`` rows, so with
    ``gender=None`` they are not expected for ``K`` and ``M``.
    """

    def compute() -> pd.DataFrame:
        rows = scope.rows[scope.rows["kpi"].isin(kpis)]
        pairs = rows[["kpi", "gender"]].drop_duplicates()
        genders = sorted(scope.rows["gender"].astype(str).unique())
        fallback = genders[0] if len(genders) == 1 else "T"
        absent = [k for k in kpis if k not in set(pairs["kpi"])]
        pairs = pd.concat([pairs, pd.DataFrame({"kpi": absent, "gender": fallback})])
        order = {k: i for i, k in enumerate(kpis)}
        return pairs.sort_values(
            ["kpi", "gender"], key=lambda c: c.map(order) if c.name == "kpi" else c
        )

    return national(scope.data_key, ("kpi_genders", tuple(kpis)), compute)


def _all_years(scope: Scope) -> tuple[int, ...]:
    """Every year from the first to the last in the data (a year nobody has is a gap too)."""
    if scope.rows.empty:
        return ()
    return tuple(range(int(scope.rows["year"].min()), int(scope.rows["year"].max()) + 1))


# --------------------------------------------------------------------------- #
# Missing cells: shared by completeness and suppression
# --------------------------------------------------------------------------- #
def classify_cells(scope: Scope, *, kpis: list[str], years: Iterable[int]) -> pd.DataFrame:
    """Classify every cell of the grid key figures × selected municipalities × years.

    Parameters
    ----------
    scope
        Prepared input (see :func:`fou.quality._common.make_scope`).
    kpis
        Key figures of the grid.
    years
        Years of the grid.

    Returns
    -------
    pandas.DataFrame
        One row per cell: ``kpi, municipality_id, year, gender, value, has_row,
        reason`` (``ok`` or one of :data:`MISSING_REASONS`), and for context
        ``n_sel`` (selected municipalities with a value that kpi-year),
        ``n_nat`` (municipalities in the data with a value), ``first, last``
        (the key figure's first and last year with values), ``prev_has,
        next_has`` (the municipality has a value the year before/after).
    """
    others = pd.MultiIndex.from_product(
        [list(scope.municipalities), list(years)], names=["municipality_id", "year"]
    ).to_frame(index=False)
    grid = _kpi_genders(scope, kpis).merge(others, how="cross").loc[:, KEY]
    grid["year"] = grid["year"].astype("int64")
    prim = scope.primary[scope.primary["kpi"].isin(kpis)]
    cells = grid.merge(prim, on=KEY, how="left", indicator=True)
    cells["has_row"] = cells.pop("_merge").eq("both")
    n_nat, span = _national_counts(scope, kpis)
    mun = scope.municipal()
    sel = mun[
        mun["kpi"].isin(kpis)
        & mun["value"].notna()
        & mun["municipality_id"].isin(scope.municipalities)
    ]
    n_sel = sel.groupby(KPI_YEAR).size().rename("n_sel")
    cells = cells.merge(n_nat, on=KPI_YEAR, how="left").merge(n_sel, on=KPI_YEAR, how="left")
    cells = cells.merge(span, on=["kpi", "gender"], how="left")
    cells[["n_nat", "n_sel"]] = cells[["n_nat", "n_sel"]].fillna(0).astype("int64")
    prim_sel = scope.primary[scope.primary["municipality_id"].isin(scope.municipalities)]
    have = pd.MultiIndex.from_frame(prim_sel.loc[prim_sel["value"].notna(), KEY])
    for col, step in (("prev_has", -1), ("next_has", 1)):
        shifted = cells[KEY].assign(year=cells["year"] + step)
        cells[col] = pd.MultiIndex.from_frame(shifted).isin(have)
    survey = cells["kpi"].isin(survey_ids(scope.catalog)) & cells["year"].isin(
        scope.catalog.survey_not_run
    )
    missing = cells["value"].isna()
    conditions = [
        ~missing,
        cells["first"].isna(),
        survey,
        (cells["year"] < cells["first"]) | (cells["year"] > cells["last"]),
        cells["n_nat"] == 0,
        ~cells["has_row"],
    ]
    cells["reason"] = np.select(conditions, ["ok", *MISSING_REASONS[:-1]], default="suppressed")
    return cells


def _national_counts(scope: Scope, kpis: list[str]) -> tuple[pd.Series, pd.DataFrame]:
    """How many municipalities have a value of *kpis*, and in which years.

    ``(n_nat, span)``: ``n_nat`` counts the municipalities in the data with a
    value per ``kpi, year, gender``; ``span`` is each key figure's first and
    last year with values. The same for every selection, so computed once per
    data set (:func:`fou.quality._common.national`).
    """

    def compute() -> tuple[pd.Series, pd.DataFrame]:
        mun = scope.municipal()
        mun = mun[mun["kpi"].isin(kpis) & mun["value"].notna()]
        n_nat = mun.groupby(KPI_YEAR).size().rename("n_nat")
        span = mun.groupby(["kpi", "gender"])["year"].agg(first="min", last="max")
        return n_nat, span

    return national(scope.data_key, ("counts", tuple(kpis)), compute)


def _n_of(cells: pd.DataFrame, scope: Scope, n_total_national: int) -> pd.Series:
    """Phrase such as ``"9 av 13 GR-kommuner har värden 2022 (250 av 290 kommuner i data)"``."""
    n = len(scope.municipalities)
    text = (
        fmt_counts(cells["n_sel"])
        + f" av {sv.integer(n)} {scope.group_word} har värden "
        + fmt_years(cells["year"])
    )
    if scope.chosen:
        text = (
            text
            + " ("
            + fmt_counts(cells["n_nat"])
            + f" av {sv.integer(n_total_national)} kommuner i data)"
        )
    return text


def _n_municipalities(scope: Scope) -> int:
    ids = scope.rows["municipality_id"]
    return int(ids[~ids.str.startswith("00")].nunique())


# --------------------------------------------------------------------------- #
# 1 completeness
# --------------------------------------------------------------------------- #
def completeness_cells(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    years: int | Iterable[int] | None = None,
    expected_years: int | Iterable[int] | None = None,
    gender: str | None = "T",
) -> pd.DataFrame:
    """The expected grid (catalogue key figures × municipalities × years), classified.

    Parameters
    ----------
    values, catalog, municipalities, years, gender
        See the module docstring.
    expected_years
        Years of the grid; default *years*, or every year in the data.

    Returns
    -------
    pandas.DataFrame
        See :func:`classify_cells`.
    """
    scope = make_scope(
        values, catalog=catalog, municipalities=municipalities, years=years, gender=gender
    )
    return _completeness_grid(scope, expected_years)


def _completeness_grid(scope: Scope, expected_years: int | Iterable[int] | None) -> pd.DataFrame:
    """The classified grid of the completeness check: catalogue key figures × years.

    Parameters
    ----------
    scope
        Prepared input.
    expected_years
        Years of the grid; None: the selected years, or else every year from
        the first to the last in the data.

    Returns
    -------
    pandas.DataFrame
        See :func:`classify_cells`.
    """
    grid_years = normalise_years(expected_years) or scope.years or _all_years(scope)
    return classify_cells(
        scope, kpis=ids_for_roles(scope.catalog, ("key_figure",)), years=grid_years
    )


def check_completeness(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    expected_years: Iterable[int] | None = None,
    gender: str | None = "T",
) -> pd.DataFrame:
    """Compare the expected grid with what the data holds.

    Reports key figures with no values at all (``kpi_absent``), years inside a
    key figure's series without any values (``not_published``), municipalities
    without a row where others have values (``missing_row``), and one summary
    per municipality and year (``completeness_summary``). Empty values where
    others have values are reported by :func:`check_suppression`, survey years
    that were not run as ``survey_not_run`` there too.

    Parameters
    ----------
    values, catalog, municipalities, years, gender
        See the module docstring.
    expected_years
        Years of the grid; default *years*, or every year from the first to the
        last in the data.

    Returns
    -------
    pandas.DataFrame
        Issue table; ``value`` is empty, except for ``completeness_summary``:
        the number of key figures without a value.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> v = pd.DataFrame({"kpi": "N20900", "municipality_id": ["1440", "1441"],
    ...                   "year": 2022, "gender": "T", "value": [1.0, 2.0], "source": "demo"})
    >>> out = check_completeness(v.iloc[[0]], municipalities=["1440", "1441"])
    >>> out.loc[out["check"] == "missing_row", "municipality_id"].tolist()
    ['1441']
    """
    scope = make_scope(
        values, catalog=catalog, municipalities=municipalities, years=years, gender=gender
    )
    cells = _completeness_grid(scope, expected_years)
    n_total = _n_municipalities(scope)
    out: list[pd.DataFrame] = []

    absent = cells.loc[cells["reason"] == "kpi_absent", ["kpi", "gender"]].drop_duplicates()
    absent = absent.assign(
        detail="Nyckeltalet har inga värden för någon kommun i datamängden. Troligen hämtades "
        "det aldrig, har fått ett nytt id eller publiceras bara för andra än kommuner."
    )
    out.append(issues_frame("kpi_absent", absent))

    gaps = cells.loc[cells["reason"] == "not_published", ["kpi", "gender", "year", "first", "last"]]
    gaps = gaps.drop_duplicates(KPI_YEAR)
    gaps = gaps.assign(
        detail="Ingen kommun har värde "
        + fmt_years(gaps["year"])
        + ", fast serien har värden "
        + pd.Series(
            [sv.year_span(a, b) for a, b in zip(gaps["first"], gaps["last"], strict=True)],
            index=gaps.index,
            dtype="str",
        )
        + ": året saknas för alla kommuner (saknas hos Kolada eller hämtades aldrig)."
    )
    out.append(issues_frame("not_published", gaps))

    rows = cells[cells["reason"] == "missing_row"]
    rows = rows.assign(
        detail="Raden saknas i datamängden (levererades eller hämtades aldrig), men "
        + _n_of(rows, scope, n_total)
        + "."
    )
    out.append(issues_frame("missing_row", rows))
    out.append(issues_frame("completeness_summary", _summary_issues(cells)))
    return _concat(out)


def summarise_cells(cells: pd.DataFrame) -> pd.DataFrame:
    """Count the grid's cells per municipality, year and gender by reason.

    Parameters
    ----------
    cells
        Output of :func:`classify_cells`.

    Returns
    -------
    pandas.DataFrame
        ``municipality_id, year, gender, n_kpis, n_values, n_<reason>…,
        n_expected, n_missing, share_with_value``. ``n_expected`` leaves out key
        figures outside their series that year and key figures absent from the
        data; ``n_missing = n_expected − n_values``.
    """
    keys = ["municipality_id", "year", "gender"]
    counts = (
        cells.groupby([*keys, "reason"])
        .size()
        .unstack("reason", fill_value=0)
        .reindex(columns=["ok", *MISSING_REASONS], fill_value=0)
    )
    counts.columns = ["n_values" if c == "ok" else f"n_{c}" for c in counts.columns]
    counts = counts.reset_index()
    counts.columns.name = None
    counts.insert(3, "n_kpis", counts.filter(like="n_").sum(axis=1))
    counts["n_expected"] = counts["n_kpis"] - counts["n_outside_series"] - counts["n_kpi_absent"]
    counts["n_missing"] = counts["n_expected"] - counts["n_values"]
    counts["share_with_value"] = counts["n_values"] / counts["n_expected"].where(
        counts["n_expected"] > 0
    )
    return counts


def _summary_issues(cells: pd.DataFrame) -> pd.DataFrame:
    s = summarise_cells(cells)
    s = s[s["n_missing"] > 0]
    details = []
    for r in s.itertuples(index=False):
        parts = [
            phrase.format(n=sv.integer(getattr(r, f"n_{reason}")))
            for reason, phrase in _REASON_PHRASES.items()
            if getattr(r, f"n_{reason}") > 0
        ]
        details.append(
            f"{sv.integer(r.n_missing)} av {sv.integer(r.n_expected)} nyckeltal saknar värde "
            f"{sv.year(r.year)}: " + sv.join(parts) + "."
        )
    return s.assign(kpi=None, value=s["n_missing"].astype("float64"), detail=details)


# --------------------------------------------------------------------------- #
# 2 suppression and small numbers
# --------------------------------------------------------------------------- #
def check_suppression(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    gender: str | None = "T",
    min_response_rate: float = 40.0,
) -> pd.DataFrame:
    """Find suppressed values, small numbers and low response rates.

    * ``suppressed``: the value is empty (the row exists) while other
      municipalities have values that year; the detail says how many, and
      whether the municipality has values the year before or after.
    * ``survey_not_run``: survey key figures (and their companions) missing in
      a year of ``catalog.survey_not_run``: one row per key figure and year.
    * ``few_respondents``: a survey value whose companion says it rests on
      fewer than ``catalog.min_respondents`` respondents (flag = 1 or
      respondents below the threshold).
    * ``low_response_rate``: a survey value whose response rate is below
      *min_response_rate* percent.

    Parameters
    ----------
    values, catalog, municipalities, years, gender
        See the module docstring.
    min_response_rate
        Response rates (percent) below this are reported.

    Returns
    -------
    pandas.DataFrame
        Issue table; ``value`` is the survey value the finding concerns (empty
        for ``suppressed`` and ``survey_not_run``).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": "N20900", "municipality_id": ["1440", "1441"],
    ...                   "year": 2022, "gender": "T", "value": [float("nan"), 2.0],
    ...                   "source": "kolada"})
    >>> check_suppression(v)[["check", "municipality_id"]].values.tolist()
    [['suppressed', '1440']]
    """
    scope = make_scope(
        values, catalog=catalog, municipalities=municipalities, years=years, gender=gender
    )
    cat = scope.catalog
    grid_years = scope.years or _all_years(scope)
    cells = classify_cells(scope, kpis=cat.all_ids, years=grid_years)
    n_total = _n_municipalities(scope)
    out: list[pd.DataFrame] = []

    notrun = cells[cells["reason"] == "survey_not_run"]
    notrun = notrun.groupby(KPI_YEAR, as_index=False).size()
    n = len(scope.municipalities)
    notrun = notrun.assign(
        detail="Brukarundersökningen (Vad tycker de äldre om äldreomsorgen) genomfördes inte "
        + fmt_years(notrun["year"])
        + ": värdet saknas för "
        + fmt_counts(notrun["size"])
        + f" av {sv.integer(n)} {scope.group_word}. Luckan beror inte på sekretess och säger "
        "inget om kommunerna."
    )
    out.append(issues_frame("survey_not_run", notrun))

    sup = cells[cells["reason"] == "suppressed"].copy()
    sup = _with_companions(sup, scope)
    neighbours = np.select(
        [sup["prev_has"] & sup["next_has"], sup["prev_has"], sup["next_has"]],
        [
            "; kommunen har värden året före och året efter",
            "; kommunen har värde året före",
            "; kommunen har värde året efter",
        ],
        default="",
    )
    least = sv.integer(cat.min_respondents)
    companion = np.select(
        [sup["flag"] == 1, sup["respondents"] < cat.min_respondents, sup["respondents"].notna()],
        [
            f" Kolada anger att färre än {least} svarade.",
            " Antal svarande: " + fmt_counts(sup["respondents"]) + ".",
            " Antal svarande: " + fmt_counts(sup["respondents"]) + ".",
        ],
        default="",
    )
    # Only the survey has a publication threshold; other key figures are unpublished or unreported.
    is_survey = sup["kpi"].isin(survey_ids(cat))
    why = np.where(
        is_survey,
        f"Värdet saknas (troligen färre än {least} svarande eller sekretess) men ",
        "Värdet saknas (ej publicerat eller ej inrapporterat) men ",
    )
    sup["detail"] = why + _n_of(sup, scope, n_total) + neighbours + "." + companion
    out.append(issues_frame("suppressed", sup))

    kv = scope.primary[
        scope.primary["kpi"].isin(cat.kpis.loc[cat.kpis["survey"].astype(bool), "kpi"])
        & scope.primary["value"].notna()
    ]
    kv = _with_companions(kv[scope.in_selection(kv)].copy(), scope)
    few = kv[(kv["flag"] == 1) | (kv["respondents"] < cat.min_respondents)]
    few = few.assign(
        detail=np.where(
            few["respondents"].notna(),
            "Värdet bygger på "
            + fmt_counts(few["respondents"])
            + f" svarande, färre än publiceringsgränsen {least}.",
            f"Kolada anger att färre än {least} svarade: värdet vilar på ett litet underlag.",
        )
    )
    out.append(issues_frame("few_respondents", few))
    low = kv[kv["rate"] < min_response_rate]
    low = low.assign(
        detail="Svarsfrekvensen är "
        + fmt_series(low["rate"])
        + f"{sv.NBSP}% (under {sv.prose(min_response_rate)}{sv.NBSP}%): de som svarat kan "
        "skilja sig från dem som inte svarat."
    )
    out.append(issues_frame("low_response_rate", low))
    return _concat(out)


def _with_companions(df: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """Add ``respondents, rate, flag`` from the survey companions of each key figure."""
    comp = scope.catalog.kpis[
        ["kpi", "respondents_kpi", "response_rate_kpi", "few_respondents_kpi"]
    ]
    out = df.merge(comp, on="kpi", how="left")
    prim = scope.primary
    for col, name in (
        ("respondents_kpi", "respondents"),
        ("response_rate_kpi", "rate"),
        ("few_respondents_kpi", "flag"),
    ):
        part = prim.rename(columns={"kpi": col, "value": name})[
            [col, "municipality_id", "year", "gender", name]
        ]
        out[col] = out[col].astype("object").where(out[col].notna(), None)
        out = out.merge(part, on=[col, "municipality_id", "year", "gender"], how="left")
    out.index = df.index
    return out


# --------------------------------------------------------------------------- #
# 3 range and unit plausibility
# --------------------------------------------------------------------------- #
def check_range(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    gender: str | None = "T",
) -> pd.DataFrame:
    """Find values impossible for the key figure's unit (``out_of_range``).

    Every row is checked, from every source, including Riket and regions (unless
    *municipalities* is given). Bounds per unit are declared in
    :data:`fou.quality.UNIT_RULES`: percentages and indices 0–100, counts,
    days, rates and costs not negative, cost deviations not below −100 %,
    flags 0 or 1; infinite values are always wrong.

    Parameters
    ----------
    values, catalog, municipalities, years, gender
        See the module docstring.

    Returns
    -------
    pandas.DataFrame
        Issue table; ``value`` is the impossible value.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": "U21468", "municipality_id": ["1440", "1441"],
    ...                   "year": 2022, "gender": "T", "value": [104.0, 90.0], "source": "demo"})
    >>> check_range(v)[["municipality_id", "value"]].values.tolist()
    [['1440', 104.0]]
    """
    scope = make_scope(
        values, catalog=catalog, municipalities=municipalities, years=years, gender=gender
    )
    rows = scope.rows[scope.rows["kpi"].isin(scope.catalog.all_ids) & scope.rows["value"].notna()]
    rows = rows[_selected_any(rows, scope)]
    units = scope.catalog.kpis.set_index("kpi")["unit"]
    rows = rows.assign(unit=rows["kpi"].astype(str).map(units))
    bounds = rows["unit"].map(lambda u: UNIT_RULES.get(u, (None, None, "")))
    low = bounds.map(lambda b: -np.inf if b[0] is None else b[0]).astype("float64")
    high = bounds.map(lambda b: np.inf if b[1] is None else b[1]).astype("float64")
    v = rows["value"]
    not_finite = ~np.isfinite(v)
    outside = (v < low) | (v > high)
    not_flag = ((rows["unit"] == "flag") & ~v.isin([0.0, 1.0])) | (
        (rows["unit"] == "level") & ~v.isin([0.0, 1.0, 2.0])
    )
    bad = rows[not_finite | outside | not_flag].copy()
    if bad.empty:
        return empty_issues()
    rule = bounds[bad.index].map(lambda b: b[2])
    label = bad["unit"].map(lambda u: UNIT_LABELS.get(u, u))
    source = _source_note(bad)
    bad["detail"] = np.where(
        ~np.isfinite(bad["value"]),
        "Värdet är inget giltigt tal (oändligt)." + source,
        "Värdet "
        + fmt_series(bad["value"])
        + " är omöjligt för enheten "
        + label
        + ": "
        + rule
        + "."
        + source,
    )
    return issues_frame("out_of_range", bad)


def _selected_any(df: pd.DataFrame, scope: Scope) -> pd.Series:
    """Selection mask that keeps Riket/regions when no municipalities were chosen."""
    if not scope.chosen:
        mask = pd.Series(True, index=df.index)
    else:
        mask = df["municipality_id"].isin(scope.municipalities)
    return mask & scope.year_selected(df["year"])


def _source_note(df: pd.DataFrame) -> pd.Series:
    if "source" not in df:
        return pd.Series("", index=df.index)
    src = df["source"].astype(str)
    note = np.where(src.isin(["kolada", "demo"]), "", " Källa: " + src + ".")
    return pd.Series(note, index=df.index, dtype="str")


# --------------------------------------------------------------------------- #
# Year-over-year changes: shared by jumps and level shifts
# --------------------------------------------------------------------------- #
def year_changes(scope: Scope, *, kpis: list[str]) -> pd.DataFrame:
    """Change of each municipality's value from the key figure's previous year with values.

    The base year is the previous year in which any municipality has a value
    (so survey values of 2022 are compared with 2020 when 2021 is missing).

    Returns
    -------
    pandas.DataFrame
        ``kpi, municipality_id, year, gender, value, base_year, base_value,
        change`` for municipalities (not Riket or regions).
    """
    mun = scope.municipal()
    mun = mun[mun["kpi"].isin(kpis)]
    present = mun.loc[mun["value"].notna(), KPI_YEAR].drop_duplicates()
    present = present.sort_values(KPI_YEAR)
    present["base_year"] = present.groupby(["kpi", "gender"])["year"].shift(1).astype("Int64")
    df = mun.merge(present.dropna(subset=["base_year"]), on=KPI_YEAR, how="inner")
    base = mun.rename(columns={"year": "base_year", "value": "base_value"})
    base["base_year"] = base["base_year"].astype("Int64")
    df = df.merge(base, on=["kpi", "municipality_id", "base_year", "gender"], how="left")
    df["change"] = df["value"] - df["base_value"]
    return df


def shift_table(
    changes: pd.DataFrame,
    *,
    min_municipalities: int = 10,
    shift_ratio: float = 1.5,
    shift_share: float = 0.8,
) -> pd.DataFrame:
    """Per key figure and year: is there a level shift shared by most municipalities?

    For each key figure (and gender) and year with at least
    *min_municipalities* changes:

    * ``median``: median change across municipalities;
    * ``baseline``: the median of the other years' median changes (the usual
      trend), 0 when there is no other year;
    * ``scale``: typical spread of changes, the median over years of the
      within-year scaled MAD (mean-absolute-deviation fallback when 0);
    * ``ratio = |median − baseline| / scale``;
    * ``share``: share of municipalities whose change departs from the
      baseline in the same direction as the median;
    * ``shifted``: ``ratio >= shift_ratio`` and ``share >= shift_share``.

    Parameters
    ----------
    changes
        Output of :func:`year_changes`.
    min_municipalities
        Fewest changes needed to judge a year.
    shift_ratio
        How many typical spreads the median change must depart from the trend.
    shift_share
        Share of municipalities that must move in that direction.

    Returns
    -------
    pandas.DataFrame
        ``kpi, gender, year, base_year, n, median, mad, baseline, scale, ratio,
        share, shifted``.
    """
    cols = [
        "kpi",
        "gender",
        "year",
        "base_year",
        "n",
        "median",
        "mad",
        "baseline",
        "scale",
        "ratio",
        "share",
        "shifted",
    ]
    ch = changes.dropna(subset=["change"])
    if ch.empty:
        return pd.DataFrame(columns=cols)
    z = grouped_robust_z(ch["change"], [ch["kpi"], ch["gender"], ch["year"]])
    ch = ch.assign(center=z["center"], spread=z["scale"])
    per_year = ch.groupby(KPI_YEAR, as_index=False).agg(
        base_year=("base_year", "first"),
        n=("change", "size"),
        median=("center", "first"),
        mad=("spread", "first"),
    )
    per_year = per_year[per_year["n"] >= min_municipalities]
    if per_year.empty:
        return pd.DataFrame(columns=cols)
    parts = []
    for _, g in per_year.groupby(["kpi", "gender"], sort=False):
        med = g["median"].to_numpy()
        loo = np.array(
            [np.median(np.delete(med, i)) if len(med) > 1 else 0.0 for i in range(len(med))]
        )
        mads = g["mad"].to_numpy()
        scale = float(np.nanmedian(mads)) if np.isfinite(mads).any() else np.nan
        parts.append(g.assign(baseline=loo, scale=scale))
    per_year = pd.concat(parts)
    per_year["ratio"] = (per_year["median"] - per_year["baseline"]).abs() / per_year["scale"].where(
        per_year["scale"] > 0
    )
    ch = ch.merge(per_year[[*KPI_YEAR, "baseline", "median"]], on=KPI_YEAR, how="inner")
    direction = np.sign(ch["median"] - ch["baseline"])
    ch["same"] = (np.sign(ch["change"] - ch["baseline"]) == direction) & (direction != 0)
    share = ch.groupby(KPI_YEAR)["same"].mean().rename("share")
    per_year = per_year.merge(share, on=KPI_YEAR, how="left")
    per_year["shifted"] = (per_year["ratio"] >= shift_ratio) & (per_year["share"] >= shift_share)
    return per_year.loc[:, cols].reset_index(drop=True)


def _statistical_kpis(catalog: Catalog) -> list[str]:
    k = catalog.kpis
    return k.loc[
        (k["role"] == "key_figure") & ~k["unit"].isin(SIZE_DEPENDENT_UNITS), "kpi"
    ].tolist()


# --------------------------------------------------------------------------- #
# 4 jumps
# --------------------------------------------------------------------------- #
def check_jumps(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    gender: str | None = "T",
    z_threshold: float = 5.0,
    min_municipalities: int = 10,
    shift_ratio: float = 1.5,
    shift_share: float = 0.8,
) -> pd.DataFrame:
    """Find implausible year-over-year changes (``jump``).

    The change of a municipality's value from the key figure's previous year is
    compared with the changes of all municipalities in the data for the same key
    figure and year: robust z = (change − median) / (1.4826 · MAD). Changes with
    ``|z| > z_threshold`` are reported, except in years with a level shift
    (see :func:`check_level_shifts`) or a known definition break, where large
    changes are explained by the definition. Key figures measured in million
    kronor (size-dependent) are skipped.

    Parameters
    ----------
    values, catalog, municipalities, years, gender
        See the module docstring.
    z_threshold
        Report changes with a larger absolute robust z.
    min_municipalities
        Fewest municipalities with a change for the year to be judged.
    shift_ratio, shift_share
        Level-shift definition, see :func:`shift_table`.

    Returns
    -------
    pandas.DataFrame
        Issue table; ``value`` is the value after the change.
    """
    scope = make_scope(
        values, catalog=catalog, municipalities=municipalities, years=years, gender=gender
    )

    def national_jumps() -> pd.DataFrame:
        """Every municipality's jumps (the same whichever are selected)."""
        ch = year_changes(scope, kpis=_statistical_kpis(scope.catalog)).dropna(subset=["change"])
        if ch.empty:
            return ch
        ch = ch.join(grouped_robust_z(ch["change"], [ch["kpi"], ch["gender"], ch["year"]]))
        shifts = shift_table(
            ch,
            min_municipalities=min_municipalities,
            shift_ratio=shift_ratio,
            shift_share=shift_share,
        )
        explained = shifts.loc[shifts["shifted"].astype(bool), ["kpi", "year"]]
        explained = pd.concat([explained, scope.catalog.breaks[["kpi", "year"]]]).drop_duplicates()
        ex = pd.MultiIndex.from_frame(explained.astype({"year": "int64"}))
        hit = (
            (ch["n"] >= min_municipalities)
            & (ch["z"].abs() > z_threshold)
            & ~pd.MultiIndex.from_frame(ch[["kpi", "year"]]).isin(ex)
        )
        return ch[hit]

    what = ("jumps", z_threshold, min_municipalities, shift_ratio, shift_share)
    every = national(scope.data_key, what, national_jumps)
    if every.empty:
        return empty_issues()
    jumps = every[scope.in_selection(every)]
    jumps = jumps.assign(
        detail=compose_text(
            "Ovanligt stort hopp {base_year}–{year}: {change} (från {base_value} till {value}). "
            "Bland {n} kommuner var medianförändringen {center} och en typisk kommun låg "
            "{scale} från den; det här hoppet ligger ungefär {times} gånger så långt bort "
            "(robust z = {z}).",
            base_year=fmt_years(jumps["base_year"]),
            year=fmt_years(jumps["year"]),
            change=fmt_measure(jumps["change"], sign=True),
            base_value=fmt_measure(jumps["base_value"]),
            value=fmt_measure(jumps["value"]),
            n=fmt_counts(jumps["n"]),
            center=fmt_measure(jumps["center"], sign=True),
            scale=fmt_measure(jumps["scale"]),
            times=fmt_series(jumps["z"].abs()),
            z=fmt_series(jumps["z"]),
        )
    )
    return issues_frame("jump", jumps)


# --------------------------------------------------------------------------- #
# 5 level shifts and definition breaks
# --------------------------------------------------------------------------- #
def check_level_shifts(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    gender: str | None = "T",
    min_municipalities: int = 10,
    shift_ratio: float = 1.5,
    shift_share: float = 0.8,
) -> pd.DataFrame:
    """Find level shifts shared by most municipalities and match them with known breaks.

    A year is shifted when the median change across all municipalities departs
    from the key figure's usual yearly change by at least *shift_ratio* typical
    spreads and at least *shift_share* of the municipalities move that way
    (see :func:`shift_table`). Then:

    * shifted and in ``catalog.breaks`` → ``known_break`` (info);
    * shifted, not catalogued → ``level_shift`` (varning, possible undocumented
      definition change);
    * catalogued, the key figure has values that year and the year before, but
      no shift → ``known_break_not_visible`` (info).

    Catalogued breaks in years the data does not reach are not reported. Unlike
    the jump and outlier checks, key figures in million kronor are included:
    the median change and the share moving together do not depend on size.

    Parameters
    ----------
    values, catalog, municipalities, years, gender
        See the module docstring (*municipalities* does not matter: a level
        shift concerns all).
    min_municipalities, shift_ratio, shift_share
        See :func:`shift_table`.

    Returns
    -------
    pandas.DataFrame
        Issue table (municipality empty: the finding concerns every municipality).
    """
    scope = make_scope(
        values, catalog=catalog, municipalities=municipalities, years=years, gender=gender
    )

    def national_shifts() -> pd.DataFrame:
        return shift_table(
            year_changes(scope, kpis=ids_for_roles(scope.catalog, ("key_figure",))),
            min_municipalities=min_municipalities,
            shift_ratio=shift_ratio,
            shift_share=shift_share,
        )

    shifts = national(
        scope.data_key, ("shifts", min_municipalities, shift_ratio, shift_share), national_shifts
    )
    shifts = shifts[scope.year_selected(shifts["year"])] if len(shifts) else shifts
    breaks = scope.catalog.breaks
    merged = shifts.merge(breaks, on=["kpi", "year"], how="left")
    known = merged["change"].notna()
    shifted = merged["shifted"].astype(bool)

    def describe(df: pd.DataFrame) -> pd.Series:
        return compose_text(
            "medianförändringen {base_year}–{year} är {median} mot vanligen {baseline} (en "
            "typisk kommun avviker {scale} från medianen), och {share}" + sv.NBSP + "% av {n} "
            "kommuner rör sig åt samma håll",
            base_year=fmt_years(df["base_year"]),
            year=fmt_years(df["year"]),
            median=fmt_measure(df["median"], sign=True),
            baseline=fmt_measure(df["baseline"], sign=True),
            scale=fmt_measure(df["scale"]),
            share=fmt_series((100 * df["share"]), decimals=0),
            n=fmt_counts(df["n"]),
        )

    out: list[pd.DataFrame] = []
    new = merged[shifted & ~known]
    out.append(
        issues_frame(
            "level_shift",
            new.assign(
                value=new["median"],
                detail="Möjligt odokumenterat definitionsbyte: "
                + describe(new)
                + ". Katalogen känner inte till något brott detta år.",
            ),
        )
    )
    seen = merged[shifted & known]
    out.append(
        issues_frame(
            "known_break",
            seen.assign(
                value=seen["median"],
                detail="Känt definitionsbyte enligt katalogen ("
                + catalog_phrase(seen["change"])
                + "). Det syns i data: "
                + describe(seen)
                + ".",
            ),
        )
    )
    unseen = merged[~shifted & known]
    out.append(
        issues_frame(
            "known_break_not_visible",
            unseen.assign(
                value=unseen["median"],
                detail="Katalogen anger ett definitionsbyte ("
                + catalog_phrase(unseen["change"])
                + "), men ingen gemensam nivåförskjutning syns: "
                + describe(unseen)
                + ".",
            ),
        )
    )
    return _concat(out)


# --------------------------------------------------------------------------- #
# 6 outliers
# --------------------------------------------------------------------------- #
def check_outliers(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    gender: str | None = "T",
    z_threshold: float = 5.0,
    min_municipalities: int = 10,
) -> pd.DataFrame:
    """Find levels far out in the distribution of all municipalities (``outlier``).

    For each key figure and year, robust z = (value − median) / (1.4826 · MAD)
    among all municipalities in the data (not Riket or regions); values with
    ``|z| > z_threshold`` are reported for the selected municipalities. Key
    figures in million kronor (size-dependent) are skipped.

    Parameters
    ----------
    values, catalog, municipalities, years, gender
        See the module docstring.
    z_threshold
        Report values with a larger absolute robust z.
    min_municipalities
        Fewest municipalities with values for the year to be judged.

    Returns
    -------
    pandas.DataFrame
        Issue table; ``value`` is the value far out.
    """
    scope = make_scope(
        values, catalog=catalog, municipalities=municipalities, years=years, gender=gender
    )

    def national_outliers() -> pd.DataFrame:
        """Every municipality's values far out (the same whichever are selected)."""
        mun = scope.municipal()
        mun = mun[mun["kpi"].isin(_statistical_kpis(scope.catalog)) & mun["value"].notna()]
        if mun.empty:
            return mun
        mun = mun.join(grouped_robust_z(mun["value"], [mun["kpi"], mun["gender"], mun["year"]]))
        return mun[(mun["n"] >= min_municipalities) & (mun["z"].abs() > z_threshold)]

    every = national(
        scope.data_key, ("outliers", z_threshold, min_municipalities), national_outliers
    )
    if every.empty:
        return empty_issues()
    out = every[scope.in_selection(every)]
    out = out.assign(
        detail=compose_text(
            "Värdet {value} ligger ovanligt långt från övriga kommuners värden {year}: bland {n} "
            "kommuner är medianen {center} och en typisk kommun ligger {scale} från den; det "
            "här värdet ligger ungefär {times} gånger så långt bort (robust z = {z}).",
            value=fmt_measure(out["value"]),
            center=fmt_measure(out["center"]),
            n=fmt_counts(out["n"]),
            year=fmt_years(out["year"]),
            scale=fmt_measure(out["scale"]),
            times=fmt_series(out["z"].abs()),
            z=fmt_series(out["z"]),
        )
    )
    return issues_frame("outlier", out)


# --------------------------------------------------------------------------- #
# 7 duplicates and contradictions
# --------------------------------------------------------------------------- #
def check_duplicates(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    gender: str | None = "T",
    tolerance: float = 1e-9,
) -> pd.DataFrame:
    """Find keys (kpi, municipality, year, gender) that occur more than once.

    Identical values (within *tolerance*, relative) are a ``duplicate``; different
    values, or a value in one row and an empty one in another, a
    ``contradiction``. One row per key; the detail lists every source and value.
    All key figures are checked, also those outside the catalogue, and Riket and
    regions unless *municipalities* is given.

    Parameters
    ----------
    values, catalog, municipalities, years, gender
        See the module docstring.
    tolerance
        Relative tolerance for "the same value".

    Returns
    -------
    pandas.DataFrame
        Issue table; ``value`` is the value from the first source by priority
        (Kolada, demo, local submissions).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": "U21468", "municipality_id": "1440", "year": 2022,
    ...                   "gender": "T", "value": [80.0, 75.0],
    ...                   "source": ["kolada", "lokal:ale.csv"]})
    >>> check_duplicates(v)["check"].tolist()
    ['contradiction']
    """
    scope = make_scope(
        values, catalog=catalog, municipalities=municipalities, years=years, gender=gender
    )
    rows = scope.rows[_selected_any(scope.rows, scope)]
    rows = rows[rows.duplicated(KEY, keep=False)]
    if rows.empty:
        return empty_issues()
    src = (
        rows["source"].astype(str)
        if "source" in rows
        else pd.Series("okänd källa", index=rows.index)
    )
    rows = rows.assign(_src=src, _rank=source_rank(src))
    rows = rows.sort_values([*KEY, "_rank"], kind="stable")
    records = []
    for key, g in rows.groupby(KEY, sort=False):
        v = g["value"].to_numpy(dtype="float64")
        present = v[~np.isnan(v)]
        same = (present.size == 0) or (
            present.size == v.size
            and np.ptp(present) <= tolerance * max(1.0, float(np.max(np.abs(present))))
        )
        listing = "; ".join(f"{s}: {sv.prose(x)}" for s, x in zip(g["_src"], v, strict=True))
        if same:
            detail = f"Samma värde finns {sv.integer(len(g))} gånger ({listing})."
        else:
            detail = f"Olika värden för samma nyckel ({listing}); utred vilket som gäller."
        records.append(
            {**dict(zip(KEY, key, strict=True)), "value": v[0], "detail": detail, "same": same}
        )
    df = pd.DataFrame(records)
    return _concat(
        [issues_frame("duplicate", df[df["same"]]), issues_frame("contradiction", df[~df["same"]])]
    )


# --------------------------------------------------------------------------- #
# 8 stale data
# --------------------------------------------------------------------------- #
def check_stale(
    values: pd.DataFrame,
    *,
    catalog: Catalog | None = None,
    municipalities: Iterable[str] | None = None,
    years: Iterable[int] | None = None,
    gender: str | None = "T",
) -> pd.DataFrame:
    """Find key figures whose latest year with values is older than the others'.

    The reference is the latest year of any catalogue key figure or covariate in
    the data. A key figure that ends earlier is ``stale`` (varning), or
    ``discontinued`` (info) when the catalogue lists a break in the following
    year saying it ended ("upphörde"). With *years*, only key figures that lack
    a requested year are reported.

    Parameters
    ----------
    values, catalog, municipalities, years, gender
        See the module docstring (*municipalities* does not matter).

    Returns
    -------
    pandas.DataFrame
        Issue table; ``year`` is the key figure's latest year.
    """
    scope = make_scope(
        values, catalog=catalog, municipalities=municipalities, years=years, gender=gender
    )
    mun = scope.municipal()
    ids = ids_for_roles(scope.catalog, ("key_figure", "covariate"))
    mun = mun[mun["kpi"].isin(ids) & mun["value"].notna()]
    if mun.empty:
        return empty_issues()
    latest = mun.groupby(["kpi", "gender"], as_index=False)["year"].max()
    reference = int(latest["year"].max())
    old = latest[latest["year"] < reference]
    if scope.years is not None:
        old = old[old["year"] < max(scope.years)]
    breaks = scope.catalog.breaks
    ended = breaks[breaks["change"].map(is_ending)]
    old = old.merge(ended.rename(columns={"year": "break_year"}), on="kpi", how="left")
    old["ended"] = old["break_year"].notna() & (old["break_year"] == old["year"] + 1)
    old = old.sort_values("ended", ascending=False, kind="stable").drop_duplicates(
        ["kpi", "gender"]
    )
    is_ended = old["ended"]
    stale = old[~is_ended]
    stale = stale.assign(
        detail="Senaste år med värden är "
        + fmt_years(stale["year"])
        + f", medan andra nyckeltal har värden till {sv.year(reference)}. Troligen är "
        "senare år ännu inte publicerade eller hämtade, eller så har nyckeltalet upphört."
    )
    done = old[is_ended]
    done = done.assign(
        detail="Senaste år med värden är "
        + fmt_years(done["year"])
        + ". Enligt katalogen: "
        + catalog_phrase(done["change"])
        + "."
    )
    return _concat([issues_frame("stale", stale), issues_frame("discontinued", done)])


#: The implementation of each declared check, by name.
IMPLEMENTATIONS: dict[str, Callable[..., pd.DataFrame]] = {
    "completeness": check_completeness,
    "suppression": check_suppression,
    "range": check_range,
    "jumps": check_jumps,
    "level_shifts": check_level_shifts,
    "outliers": check_outliers,
    "duplicates": check_duplicates,
    "stale": check_stale,
}

__all__ = [
    "IMPLEMENTATIONS",
    "MAD_SCALE",
    "MEAN_AD_SCALE",
    "MISSING_REASONS",
    "check_completeness",
    "check_duplicates",
    "check_jumps",
    "check_level_shifts",
    "check_outliers",
    "check_range",
    "check_stale",
    "check_suppression",
    "classify_cells",
    "completeness_cells",
    "shift_table",
    "summarise_cells",
    "year_changes",
]
