"""A person-centredness index from the user survey, its consistency and its stability.

The index summarises the catalogue's *personcentrering* survey items for one
area (``hemtjänst`` or ``särskilt boende``) in one number per municipality and
year:

1. **Items**: catalogue key figures with ``domain == "personcentrering"``,
   ``survey == True``, the given ``area`` and unit ``percent`` (shares) or
   ``index`` (Kolada's 0–100 mean-value indices). Their directions come from
   the catalogue (``better == "lower"`` is reversed).
2. **Standardise per item and year**: ``z = (x − mean) / sd`` where mean and
   sd (``ddof=1``) describe the reference municipalities that year: all
   municipalities with a value (``reference="national"``, the default) or the
   13 GR municipalities (``reference="gr"``). Municipalities count equally;
   Riket and regions are never part of the reference. An item-year with fewer
   than 3 reference values or no spread cannot be standardised and is
   left out of that year.
3. **Average** the available z scores of a municipality, if it has at least
   ``min_items`` of them. The default is two thirds of the items that could
   be standardised that year, rounded up (4 of 5, 2 of 3), so that a
   municipality's index never rests on a minority of the items; below that
   the index is missing (``eligible`` is False) rather than computed from
   whatever happens to be there.

The index is in standard-deviation units relative to the reference
municipalities that year: 0 is the typical municipality, +0.5 is half a
standard deviation better. Because each year is standardised on its own,
national level shifts (and definition changes such as a new question wording)
do not show up as change in the index; use the raw items for levels.

Two diagnostics come with it:

* :func:`cronbach_alpha_ecological`: Cronbach's alpha over *municipality-level*
  item values, an **ecological consistency** (do municipalities that score
  high on one item score high on the others?), not the reliability of any
  individual's answers.
* :func:`index_stability`: how stable municipalities' index positions are from
  year to year, as an intraclass correlation (ICC) with municipalities as
  targets and years as raters.

All functions are pure (no I/O, no plotting).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from fou.core import sv
from fou.core.catalog import Catalog
from fou.core.errors import ParameterError, one_of_message
from fou.core.registry import GR_MUNICIPALITIES
from fou.stats._input import _check_years, _select_municipalities, _values_table
from fou.stats.survey import _check_confidence

__all__ = [
    "ECOLOGICAL_LABEL",
    "cronbach_alpha_ecological",
    "index_items",
    "index_stability",
    "person_centred_index",
    "standardise_items",
]

INDEX_DOMAIN = "personcentrering"
INDEX_AREAS: tuple[str, ...] = ("hemtjänst", "särskilt boende")
INDEX_UNITS: tuple[str, ...] = ("percent", "index")
REFERENCES: tuple[str, ...] = ("national", "gr")
MIN_REFERENCE = 3
DEFAULT_MIN_SHARE = 2.0 / 3.0
ICC_KINDS: tuple[str, ...] = ("consistency", "agreement")

#: Label that goes with every alpha the workbench reports.
ECOLOGICAL_LABEL = "ekologisk konsistens (kommunnivå), inte individuell reliabilitet"
#: What each kind of ICC measures, in words a reader understands (``icc_type``); the
#: technical names are ICC(3,1), consistency, and ICC(2,1), absolute agreement
#: (two-way models, single measures).
ICC_LABELS: dict[str, str] = {
    "consistency": "hur väl kommunernas inbördes ordning består mellan åren (ICC, konsistens)",
    "agreement": (
        "hur väl kommunernas indexvärden består mellan åren, även nivån "
        "(ICC, absolut överensstämmelse)"
    ),
}
INDEX_COLUMNS: tuple[str, ...] = (
    "municipality_id", "year", "area", "index", "n_items", "n_items_possible",
    "min_items", "items_used", "eligible",
)  # fmt: skip


# --------------------------------------------------------------------------- items


def _check_area(area: str) -> str:
    if area not in INDEX_AREAS:
        raise ParameterError(one_of_message("area", INDEX_AREAS, area))
    return area


def index_items(catalog: Catalog, *, area: str) -> list[str]:
    """Return the catalogue's person-centredness survey items for one area.

    Parameters
    ----------
    catalog
        The key-figure catalogue.
    area
        ``"hemtjänst"`` or ``"särskilt boende"``.

    Returns
    -------
    list of str
        Key-figure ids in catalogue order.

    Examples
    --------
    >>> from fou.core.catalog import load_catalog
    >>> index_items(load_catalog(), area="hemtjänst")
    ['U21463', 'U21466', 'U21504', 'U21455', 'U21462']
    """
    _check_area(area)
    k = catalog.kpis
    mask = (
        (k["nara_domain"] == INDEX_DOMAIN)
        & k["survey"].astype(bool)
        & (k["area"] == area)
        & k["unit"].isin(INDEX_UNITS)
        & (k["role"] == "key_figure")
    )
    return k.loc[mask, "kpi"].tolist()


def _items(catalog: Catalog, area: str, items: Iterable[str] | None) -> list[str]:
    if items is None:
        chosen = index_items(catalog, area=area)
    else:
        chosen = [items] if isinstance(items, str) else list(dict.fromkeys(items))
        for kpi in chosen:
            row = catalog.row(kpi)
            if row["unit"] not in INDEX_UNITS:
                raise ParameterError(
                    f"{kpi} har enheten {row['unit']!r}; indexet tar bara andelar (percent) "
                    "och medelvärdesindex (index)."
                )
    if len(chosen) < 2:
        raise ParameterError(
            f"Indexet behöver minst två frågor för {area!r}, men {len(chosen)} hittades "
            "(domän personcentrering, survey: true, rätt area i katalogen)."
        )
    return chosen


def _municipality_list(municipalities: str | Iterable[str], present: Iterable[str]) -> list[str]:
    return _select_municipalities(
        municipalities,
        present,
        empty="municipalities är tom: ange 'all', 'gr' eller en lista med kommuner.",
    )


# --------------------------------------------------------------------------- standardise


def standardise_items(
    values: pd.DataFrame,
    *,
    area: str,
    catalog: Catalog,
    years: int | Iterable[int] | None = None,
    reference: str = "national",
    items: Iterable[str] | None = None,
    gender: str = "T",
) -> pd.DataFrame:
    """Standardise each index item per year against the reference municipalities.

    Parameters
    ----------
    values
        Tidy values table.
    area
        ``"hemtjänst"`` or ``"särskilt boende"``.
    catalog
        The key-figure catalogue.
    years
        Years to include; None for all years with item values.
    reference
        ``"national"`` (all municipalities with a value that year) or ``"gr"``
        (the 13 GR municipalities).
    items
        Override the catalogue's item list.
    gender
        ``"T"``, ``"K"`` or ``"M"``.

    Returns
    -------
    pandas.DataFrame
        One row per item, municipality (no Riket/regions) and year with a
        value: ``kpi, municipality_id, year, value, ref_mean, ref_sd, n_ref,
        z``; ``z`` is oriented so that higher is better and is missing where
        the item-year has fewer than 3 reference values or no spread.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> v = pd.DataFrame({"kpi": "U21463", "municipality_id": ["1480", "1401", "1402"],
    ...                   "year": 2022, "gender": "T", "value": [80.0, 85.0, 90.0]})
    >>> z = standardise_items(
    ...     v, area="hemtjänst", catalog=load_catalog(), items=["U21463", "U21466"]
    ... )
    >>> z[["municipality_id", "z"]].to_dict("list")
    {'municipality_id': ['1401', '1402', '1480'], 'z': [0.0, 1.0, -1.0]}
    """
    _check_area(area)
    if reference not in REFERENCES:
        raise ParameterError(one_of_message("reference", REFERENCES, reference))
    item_list = _items(catalog, area, items)
    year_list = _check_years(years)
    df = _values_table(values, kpis=item_list, gender=gender)
    df = df[~df["municipality_id"].str.startswith("00") & df["value"].notna()]
    if year_list is not None:
        df = df[df["year"].isin(year_list)]
    ref = df if reference == "national" else df[df["municipality_id"].isin(GR_MUNICIPALITIES)]
    moments = (
        ref.groupby(["kpi", "year"])["value"]
        .agg(ref_mean="mean", ref_sd=lambda s: s.std(ddof=1), n_ref="count")
        .reset_index()
    )
    out = df.merge(moments, on=["kpi", "year"], how="left")
    out["n_ref"] = out["n_ref"].fillna(0).astype("int64")
    ok = (out["n_ref"] >= MIN_REFERENCE) & (out["ref_sd"] > 0)
    lower = {k for k in item_list if catalog.row(k)["better"] == "lower"}
    sign = np.where(out["kpi"].isin(lower).to_numpy(dtype=bool), -1.0, 1.0)
    value = out["value"].to_numpy(dtype=float)
    mean = out["ref_mean"].to_numpy(dtype=float)
    sd = out["ref_sd"].to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (value - mean) / sd * sign
    out["z"] = np.where(ok.to_numpy(dtype=bool), z, np.nan)
    out = out.astype({"value": "float64", "ref_mean": "float64", "ref_sd": "float64"})
    out = out.sort_values(["year", "kpi", "municipality_id"], kind="mergesort")
    return out.reset_index(drop=True)[
        ["kpi", "municipality_id", "year", "value", "ref_mean", "ref_sd", "n_ref", "z"]
    ]


# --------------------------------------------------------------------------- index


def _min_required(min_items: int | None, k_possible: int) -> int:
    """The minimum number of items: *min_items*, or two thirds of *k_possible* rounded up."""
    if min_items is None:
        return math.ceil(round(DEFAULT_MIN_SHARE * k_possible, 9)) if k_possible else 0
    return int(min_items)


def person_centred_index(
    values: pd.DataFrame,
    *,
    area: str,
    catalog: Catalog,
    years: int | Iterable[int] | None = None,
    municipalities: str | Iterable[str] = "all",
    min_items: int | None = None,
    reference: str = "national",
    items: Iterable[str] | None = None,
    gender: str = "T",
) -> pd.DataFrame:
    """Person-centredness index per municipality and year (mean of standardised items).

    Parameters
    ----------
    values
        Tidy values table.
    area
        ``"hemtjänst"`` or ``"särskilt boende"`` (separate indices).
    catalog
        The key-figure catalogue (which items, which direction).
    years
        Years to compute; None for every year with item values. A requested
        year without any values (e.g. 2021, when the survey was not run)
        gives rows with a missing index.
    municipalities
        ``"all"`` (every municipality with rows for the items in the chosen
        years, also when all its values are missing: it then gets rows with a
        missing index instead of vanishing from the table), ``"gr"`` or a
        list of ids/names. The selection does not change the
        standardisation, which *reference* decides.
    min_items
        Minimum number of standardised items for an index; None (default)
        means two thirds of the items that could be standardised that year,
        rounded up.
    reference
        ``"national"`` (z against all municipalities that year) or ``"gr"``
        (against the 13 GR municipalities).
    items
        Override the catalogue's item list (ids with unit percent or index).
    gender
        ``"T"``, ``"K"`` or ``"M"``.

    Returns
    -------
    pandas.DataFrame
        One row per municipality and year: ``municipality_id, year, area,
        index`` (missing unless eligible), ``n_items`` (standardised items the
        municipality has), ``n_items_possible`` (items that could be
        standardised that year), ``min_items`` (the rule applied),
        ``items_used`` (comma-separated ids), ``eligible``.

    Raises
    ------
    ParameterError
        Unknown area, reference or municipality; fewer than two items;
        *min_items* outside 1 … number of items.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> items = (("U21463", 0.0), ("U21466", 5.0), ("U21455", -3.0))
    >>> levels = (("1480", 80.0), ("1401", 85.0), ("1402", 90.0))
    >>> rows = [(k, m, 2022, x + d) for k, d in items for m, x in levels]
    >>> cols = ["kpi", "municipality_id", "year", "value"]
    >>> v = pd.DataFrame(rows, columns=cols).assign(gender="T")
    >>> idx = person_centred_index(v, area="hemtjänst", catalog=load_catalog())
    >>> print(idx[["municipality_id", "index", "n_items", "min_items"]].to_string(index=False))
    municipality_id  index  n_items  min_items
               1401    0.0        3          2
               1402    1.0        3          2
               1480   -1.0        3          2
    """
    item_list = _items(catalog, _check_area(area), items)
    if min_items is not None:
        if isinstance(min_items, bool) or not isinstance(min_items, (int, np.integer)):
            raise ParameterError(
                f"min_items måste vara ett heltal eller None, men {min_items!r} angavs."
            )
        if not 1 <= min_items <= len(item_list):
            raise ParameterError(
                f"min_items måste ligga mellan 1 och {len(item_list)} (antal frågor), "
                f"men {min_items} angavs."
            )
    z = standardise_items(
        values, area=area, catalog=catalog, years=years, reference=reference,
        items=item_list, gender=gender,
    )  # fmt: skip
    year_list = _check_years(years)
    if year_list is None:
        year_list = sorted(int(y) for y in z["year"].unique())
    rows = _values_table(values, kpis=item_list, gender=gender)
    if year_list is not None:
        rows = rows[rows["year"].isin(year_list)]
    # A municipality whose item rows are all empty still belongs to "all": without its rows
    # index_stability could not count it among the municipalities left out.
    ids = _municipality_list(municipalities, rows["municipality_id"])
    usable = z[z["z"].notna()]
    possible = usable.groupby("year")["kpi"].nunique()
    frames = []
    for year in year_list:
        part = usable[usable["year"] == year]
        wide = part.pivot(index="municipality_id", columns="kpi", values="z")
        wide = wide.reindex(index=ids, columns=item_list)
        k_possible = int(possible.get(year, 0))
        need = _min_required(min_items, k_possible)
        present = wide.notna().to_numpy()
        n_items = present.sum(axis=1).astype("int64")
        eligible = (n_items >= need) & (n_items > 0)
        total = np.nansum(wide.to_numpy(dtype=float), axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.where(n_items > 0, total / n_items, np.nan)
        frames.append(
            pd.DataFrame(
                {
                    "municipality_id": ids,
                    "year": year,
                    "area": area,
                    "index": np.where(eligible, mean, np.nan),
                    "n_items": n_items,
                    "n_items_possible": k_possible,
                    "min_items": need,
                    "items_used": [
                        ",".join(k for k, has in zip(item_list, r, strict=True) if has)
                        for r in present
                    ],
                    "eligible": eligible,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=INDEX_COLUMNS)
    out = out.astype({"year": "int64", "n_items": "int64", "n_items_possible": "int64",
                      "min_items": "int64", "eligible": bool, "index": "float64"})  # fmt: skip
    return out.loc[:, list(INDEX_COLUMNS)]


# --------------------------------------------------------------------------- alpha


def _alpha_from(data: np.ndarray, *, standardized: bool) -> float:
    """Cronbach's alpha of a complete n × k matrix (covariances or, standardised, correlations)."""
    k = data.shape[1]
    c = np.corrcoef(data, rowvar=False) if standardized else np.cov(data, rowvar=False, ddof=1)
    return float(k / (k - 1) * (1.0 - np.trace(c) / c.sum()))


def _feldt_ci(alpha: float, n: int, k: int, confidence: float) -> tuple[float, float]:
    """Feldt's (1987) F-based confidence interval for alpha."""
    a = 1.0 - confidence
    df1, df2 = n - 1, (n - 1) * (k - 1)
    lower = 1.0 - (1.0 - alpha) * stats.f.isf(a / 2.0, df1, df2)
    upper = 1.0 - (1.0 - alpha) * stats.f.isf(1.0 - a / 2.0, df1, df2)
    return float(lower), float(upper)


def cronbach_alpha_ecological(
    values: pd.DataFrame,
    *,
    area: str,
    catalog: Catalog,
    years: int | Iterable[int] | None = None,
    municipalities: str | Iterable[str] = "all",
    items: Iterable[str] | None = None,
    standardized: bool = True,
    confidence: float = 0.95,
    gender: str = "T",
) -> pd.DataFrame:
    """Cronbach's alpha over municipality-level item values: an *ecological* consistency.

    Each municipality is a "respondent" and each survey item (a share or a
    mean index for the whole municipality) an "item". A high alpha says that
    municipalities that do well on one item tend to do well on the others: it
    supports averaging the items into a municipal index. It says nothing
    about how reliably any individual answered (ecological fallacy); the
    output says so in its ``measure`` column.

    Parameters
    ----------
    values
        Tidy values table.
    area
        ``"hemtjänst"`` or ``"särskilt boende"``.
    catalog
        The key-figure catalogue.
    years
        One alpha per year (items are not pooled over years, whose values
        are not independent); None for every year with item values.
    municipalities
        ``"all"`` (default), ``"gr"`` (13 municipalities give a very wide
        interval) or a list.
    items
        Override the catalogue's item list.
    standardized
        True (default): standardised alpha from the correlation matrix, which
        matches an index of z scores and does not let the item with the
        largest spread dominate; False: raw alpha from covariances.
    confidence
        Level of Feldt's F-based interval (approximate for standardised alpha).
    gender
        ``"T"``, ``"K"`` or ``"M"``.

    Returns
    -------
    pandas.DataFrame
        One row per year: ``area, year, alpha, ci_low, ci_high, n`` (complete
        municipalities; listwise deletion), ``n_items, items, standardized,
        measure`` (:data:`ECOLOGICAL_LABEL`), ``note``. Alpha is missing with
        fewer than 3 complete municipalities or 2 items, or with an item
        without spread.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> rows = [("U21463", "1480", 80.0), ("U21463", "1401", 85.0), ("U21463", "1402", 90.0),
    ...         ("U21466", "1480", 70.0), ("U21466", "1401", 80.0), ("U21466", "1402", 78.0)]
    >>> cols = ["kpi", "municipality_id", "value"]
    >>> v = pd.DataFrame(rows, columns=cols).assign(year=2022, gender="T")
    >>> a = cronbach_alpha_ecological(v, area="hemtjänst", catalog=load_catalog(),
    ...                               items=["U21463", "U21466"])
    >>> round(float(a.at[0, "alpha"]), 3), int(a.at[0, "n"])
    (0.861, 3)
    >>> a.at[0, "measure"]
    'ekologisk konsistens (kommunnivå), inte individuell reliabilitet'
    """
    confidence = _check_confidence(confidence)
    item_list = _items(catalog, _check_area(area), items)
    year_list = _check_years(years)
    df = _values_table(values, kpis=item_list, gender=gender)
    df = df[~df["municipality_id"].str.startswith("00") & df["value"].notna()]
    if year_list is None:
        year_list = sorted(int(y) for y in df["year"].unique())
    ids = _municipality_list(municipalities, df["municipality_id"])
    rows = []
    for year in year_list:
        part = df[(df["year"] == year)]
        wide = part.pivot(index="municipality_id", columns="kpi", values="value")
        wide = wide.reindex(index=ids, columns=[k for k in item_list if k in wide.columns])
        wide = wide.dropna(axis=1, how="all")
        wide = wide.dropna(axis=0, how="any") if wide.shape[1] else wide.iloc[0:0]
        n, k = wide.shape
        alpha = lo = hi = np.nan
        note = ""
        if k < 2:
            note = f"färre än två frågor har värden {year}"
        elif n < 3:
            note = f"färre än tre kommuner har alla frågor {year}"
        elif (wide.std(ddof=1) == 0).any():
            note = "någon fråga saknar spridning mellan kommunerna"
        else:
            alpha = _alpha_from(wide.to_numpy(dtype=float), standardized=standardized)
            lo, hi = _feldt_ci(alpha, n, k, confidence)
        rows.append(
            {
                "area": area,
                "year": int(year),
                "alpha": alpha,
                "ci_low": lo,
                "ci_high": hi,
                "n": int(n),
                "n_items": int(k),
                "items": ",".join(wide.columns),
                "standardized": bool(standardized),
                "measure": ECOLOGICAL_LABEL,
                "note": note,
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- ICC


def _icc(data: np.ndarray, *, kind: str, confidence: float) -> dict[str, float]:
    """Two-way ICC, single measures, of a complete n (targets) × k (raters) matrix.

    Mean squares of the two-way ANOVA without replication (Shrout & Fleiss
    1979; McGraw & Wong 1996) and the F-based intervals that pingouin and
    R's ``psych::ICC`` use.
    """
    n, k = data.shape
    grand = data.mean()
    ss_rows = k * ((data.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((data.mean(axis=0) - grand) ** 2).sum()
    ss_err = ((data - grand) ** 2).sum() - ss_rows - ss_cols
    df1, df2 = n - 1, (n - 1) * (k - 1)
    msr, msc, mse = ss_rows / df1, ss_cols / (k - 1), ss_err / df2
    f_value = msr / mse
    p_val = float(stats.f.sf(f_value, df1, df2))
    a = 1.0 - confidence
    if kind == "consistency":
        icc = (msr - mse) / (msr + (k - 1) * mse)
        fl = f_value / stats.f.ppf(1 - a / 2, df1, df2)
        fu = f_value * stats.f.ppf(1 - a / 2, df2, df1)
        lo, hi = (fl - 1) / (fl + (k - 1)), (fu - 1) / (fu + (k - 1))
    else:
        icc = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
        fj = msc / mse
        vn = df2 * (k * icc * fj + n * (1 + (k - 1) * icc) - k * icc) ** 2
        vd = df1 * k**2 * icc**2 * fj**2 + (n * (1 + (k - 1) * icc) - k * icc) ** 2
        v = vn / vd
        f2u = stats.f.ppf(1 - a / 2, n - 1, v)
        f2l = stats.f.ppf(1 - a / 2, v, n - 1)
        lo = n * (msr - f2u * mse) / (f2u * (k * msc + (k * n - k - n) * mse) + n * msr)
        hi = n * (f2l * msr - mse) / (k * msc + (k * n - k - n) * mse + n * f2l * msr)
    return {
        "icc": float(icc), "ci_low": float(lo), "ci_high": float(hi),
        "F": float(f_value), "df1": int(df1), "df2": int(df2), "p_val": p_val,
    }  # fmt: skip


def index_stability(
    index: pd.DataFrame,
    *,
    years: int | Iterable[int] | None = None,
    kind: str = "consistency",
    confidence: float = 0.95,
    consecutive: bool = False,
) -> pd.DataFrame:
    """Year-to-year stability of the index as an intraclass correlation.

    Municipalities are the targets and years the raters: the ICC is the share
    of the index's variance that lies between municipalities and persists
    across years.

    Parameters
    ----------
    index
        Output of :func:`person_centred_index` (columns ``municipality_id,
        year, area, index``), possibly for both areas; one result per area.
    years
        Years to use; None for all. Years in which no municipality has an
        index (2021) are dropped; then municipalities without an index in
        every remaining year are dropped (listwise, as ICC needs a complete
        table).
    kind
        ``"consistency"`` (default): ICC(3,1), two-way mixed, consistency,
        single measures. Years are fixed (we ask about these years, not a
        sample of years) and a common shift of all municipalities in a year
        is not instability; the index is standardised per year anyway, so
        such shifts are largely removed before the ICC sees them. Single
        measures, because a report shows one year's index.
        ``"agreement"``: ICC(2,1), two-way random, absolute agreement, which
        also counts year-wide shifts as disagreement.
    confidence
        Level of the F-based interval.
    consecutive
        False: one ICC over all years; True: one ICC per pair of consecutive
        years with data (e.g. 2020–2022 across the 2021 gap).

    Returns
    -------
    pandas.DataFrame
        One row per area (and per year pair): ``area, first_year, last_year,
        years, k`` (years), ``n`` (municipalities), ``icc, ci_low, ci_high,
        F, df1, df2, p_val, icc_type, note``. Missing ICC with fewer than 3
        municipalities or 2 years.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.DataFrame({"municipality_id": ["a", "b", "c", "d"] * 2,
    ...                     "year": [2019] * 4 + [2020] * 4, "area": "hemtjänst",
    ...                     "index": [-1.0, 0.0, 0.5, 1.0, -0.8, -0.2, 0.6, 1.1]})
    >>> s = index_stability(idx)
    >>> round(float(s.at[0, "icc"]), 4), int(s.at[0, "n"])
    (0.9791, 4)
    >>> s.at[0, "icc_type"]
    'hur väl kommunernas inbördes ordning består mellan åren (ICC, konsistens)'
    """
    if kind not in ICC_KINDS:
        raise ParameterError(one_of_message("kind", ICC_KINDS, kind))
    confidence = _check_confidence(confidence)
    if not isinstance(index, pd.DataFrame):
        raise ParameterError("index måste vara tabellen från person_centred_index.")
    need = ["municipality_id", "year", "area", "index"]
    missing = [c for c in need if c not in index.columns]
    if missing:
        raise ParameterError(
            f"index saknar kolumnerna {', '.join(missing)}; "
            "använd tabellen från person_centred_index."
        )
    year_list = _check_years(years)
    if index.duplicated(["municipality_id", "year", "area"]).any():
        raise ParameterError("index har flera rader per kommun, år och område.")
    rows = []
    for area, part in index.groupby("area", sort=True):
        wide = part.pivot(index="municipality_id", columns="year", values="index")
        if year_list is not None:
            wide = wide.reindex(columns=year_list)
        wide = wide.dropna(axis=1, how="all")
        cols = sorted(int(c) for c in wide.columns)
        sets = [cols] if not consecutive else [cols[i : i + 2] for i in range(len(cols) - 1)]
        if not sets:
            sets = [cols]
        for ys in sets:
            rows.append(_stability_row(str(area), wide.reindex(columns=ys), kind, confidence))
    return pd.DataFrame(rows)


def _stability_row(area: str, wide: pd.DataFrame, kind: str, confidence: float) -> dict:
    complete = wide.dropna(axis=0, how="any")
    n, k = complete.shape
    ys = [int(c) for c in wide.columns]
    row: dict = {
        "area": area,
        "first_year": min(ys) if ys else pd.NA,
        "last_year": max(ys) if ys else pd.NA,
        "years": ", ".join(sv.year(y) for y in ys),
        "k": int(k),
        "n": int(n),
        "icc": np.nan, "ci_low": np.nan, "ci_high": np.nan,
        "F": np.nan, "df1": pd.NA, "df2": pd.NA, "p_val": np.nan,
        "icc_type": ICC_LABELS[kind],
        "note": "",
    }  # fmt: skip
    if k < 2:
        row["note"] = "färre än två år med index"
    elif n < 3:
        row["note"] = "färre än tre kommuner har index alla år"
    else:
        data = complete.to_numpy(dtype=float)
        within = data - data.mean(axis=1, keepdims=True)
        if np.allclose(within, 0.0, atol=1e-12):
            if np.ptp(data) > 0:
                row.update(icc=1.0)
                row["note"] = (
                    "varje kommun har samma index alla år: ordningen består helt "
                    f"(ICC = {sv.integer(1)}), men ett osäkerhetsintervall kan inte beräknas"
                )
            else:
                row["note"] = (
                    "alla kommuner har samma index alla år: stabiliteten kan inte beräknas"
                )
        else:
            row.update(_icc(data, kind=kind, confidence=confidence))
        dropped = len(wide) - n
        if dropped:
            extra = (
                f"{sv.quantity(dropped, 'kommun', 'kommuner')} saknar index något av åren och "
                f"ingår inte ({sv.integer(n)} av {sv.integer(len(wide))} har index alla år)"
            )
            row["note"] = "; ".join(filter(None, [row["note"], extra]))
    return row
