"""Women and men: the gap between Kolada's K and M values, with its uncertainty where counts allow.

Kolada divides many key figures by gender (the catalogue's ``by_gender``,
Kolada's ``is_divided_by_gender``): besides the total (``T``) there is a value
for women (``K``) and for men (``M``). :func:`gender_gaps` puts them side by
side per municipality; :func:`group_gender_gap` gives a group's mean gap.

The uncertainty of a gap
------------------------
* For a survey share (unit per cent; not the survey's mean indices), the gap
  gets Newcombe's interval when Kolada has the respondents per gender (the
  respondents companion with gender ``K`` and ``M``). Kolada publishes the
  survey's respondents for the total only, so on real data the gap of a single
  municipality has no interval and nothing is claimed about it; the demo data
  have them.
* Register data count everyone (all employees, all hospital stays): the gap
  is not a sample estimate, and it is shown as it is, without an interval and
  without a claim that it is "significant".
* A group's mean gap (e.g. over GR's 13) has a t interval over its members'
  gaps, computed over the members with both values; a claim about the group
  is made only where that interval excludes 0.

A gap is never computed when one of the two values is missing (suppressed or
not published): it is missing, and ``status`` says which side is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from fou.core.catalog import Catalog
from fou.core.registry import GR_MUNICIPALITIES
from fou.stats._input import _check_year, _values_table
from fou.stats.position import mean_interval
from fou.stats.survey_change import newcombe

__all__ = ["GAP_COLUMNS", "GROUP_GAP_COLUMNS", "gender_gaps", "group_gender_gap"]

#: Columns of :func:`gender_gaps`.
GAP_COLUMNS: tuple[str, ...] = (
    "kpi", "municipality_id", "year", "value_t", "value_k", "value_m", "gap",
    "respondents_k", "respondents_m", "ci_low", "ci_high", "method", "status",
)  # fmt: skip
#: Columns of :func:`group_gender_gap`.
GROUP_GAP_COLUMNS: tuple[str, ...] = (
    "kpi", "year", "n_members", "n_both", "mean_k", "mean_m", "gap", "ci_low", "ci_high",
    "n_women_higher", "n_men_higher", "missing_members",
)  # fmt: skip


def _status(k: float, m: float) -> str:
    if np.isfinite(k) and np.isfinite(m):
        return "båda"
    if np.isfinite(k):
        return "män saknas"
    if np.isfinite(m):
        return "kvinnor saknas"
    return "båda saknas"


def gender_gaps(
    values: pd.DataFrame,
    *,
    kpis: Iterable[str],
    year: int,
    catalog: Catalog,
    municipalities: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Women, men and the gap (women − men) per key figure and municipality.

    Parameters
    ----------
    values
        Tidy values table with genders ``T``, ``K`` and ``M``.
    kpis
        Key figures; those the catalogue does not mark ``by_gender`` are left out.
    year
        The year.
    catalog
        The key-figure catalogue.
    municipalities
        Ids to include (None: every id with a total that year).
    confidence
        Level of the survey intervals.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`GAP_COLUMNS`. ``gap = value_k − value_m`` (missing unless
        both are there); ``ci_low, ci_high`` Newcombe's interval for survey
        shares with respondents per gender, else missing; ``method``
        ``Newcombe`` or empty; ``status`` ``båda``, ``kvinnor saknas``,
        ``män saknas`` or ``båda saknas``.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> v = pd.DataFrame({"kpi": "N20206", "municipality_id": ["1480"] * 3 + ["1440"] * 2,
    ...     "year": 2022, "gender": ["T", "K", "M", "T", "K"],
    ...     "value": [93.7, 94.0, 92.0, 80.0, 81.0]})
    >>> g = gender_gaps(v, kpis=["N20206"], year=2022, catalog=load_catalog())
    >>> g[["municipality_id", "gap", "status"]].values.tolist()
    [['1440', nan, 'män saknas'], ['1480', 2.0, 'båda']]
    """
    year = _check_year(year)
    wanted = [k for k in dict.fromkeys(kpis) if catalog.gender_split(k)]
    # The rows of these key figures (and their respondents) once, not the whole table per call.
    needed = set(wanted) | {
        r for r in (catalog.row(k)["respondents_kpi"] for k in wanted) if isinstance(r, str)
    }
    if "kpi" in values:
        values = values[values["kpi"].isin(needed)]
    rows = []
    for kpi in wanted:
        row = catalog.row(kpi)
        resp_kpi = row["respondents_kpi"] if isinstance(row["respondents_kpi"], str) else None
        tables = {g: _values_table(values, kpis=[kpi], gender=g) for g in ("T", "K", "M")}
        series = {
            g: t[t["year"] == year].set_index("municipality_id")["value"] for g, t in tables.items()
        }
        ids = (
            list(municipalities)
            if municipalities is not None
            else sorted(series["T"].dropna().index)
        )
        t_, k_, m_ = (series[g].reindex(ids).to_numpy(dtype=float) for g in ("T", "K", "M"))
        nk = nm = np.full(len(ids), np.nan)
        if resp_kpi is not None and bool(row["survey"]) and row["unit"] == "percent":
            resp = {g: _values_table(values, kpis=[resp_kpi], gender=g) for g in ("K", "M")}
            nk, nm = (
                r[r["year"] == year].set_index("municipality_id")["value"].reindex(ids)
                .to_numpy(dtype=float)
                for r in (resp["K"], resp["M"])
            )  # fmt: skip
        gap = k_ - m_
        _, lo, hi = newcombe(k_, nk, m_, nm, confidence=confidence)
        method = np.where(np.isfinite(lo), "Newcombe", "")
        for i, mid in enumerate(ids):
            rows.append(
                (kpi, mid, year, t_[i], k_[i], m_[i], gap[i], nk[i], nm[i], lo[i], hi[i],
                 str(method[i]), _status(k_[i], m_[i]))
            )  # fmt: skip
    return pd.DataFrame(rows, columns=list(GAP_COLUMNS)).astype(
        {"year": "int64", "gap": "float64", "ci_low": "float64", "ci_high": "float64"}
    )


def group_gender_gap(
    gaps: pd.DataFrame,
    *,
    members: Sequence[str] = GR_MUNICIPALITIES,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """A group's mean gap (women − men) with a t interval over its members' gaps.

    Parameters
    ----------
    gaps
        Output of :func:`gender_gaps` (the members among its municipalities).
    members
        The group (default: GR's 13).
    confidence
        Level of the t interval.

    Returns
    -------
    pandas.DataFrame
        One row per key figure: columns :data:`GROUP_GAP_COLUMNS`. The means
        of women and men are over the ``n_both`` members with both values
        (unweighted, as Kolada averages groups); ``ci_low, ci_high`` is missing
        with fewer than two; ``missing_members`` names the members left out.

    Examples
    --------
    >>> import pandas as pd
    >>> g = pd.DataFrame({"kpi": "N20206", "year": 2022, "municipality_id": ["a", "b", "c"],
    ...                   "value_k": [90.0, 80.0, 85.0], "value_m": [85.0, 78.0, None]})
    >>> g["gap"] = g["value_k"] - g["value_m"]
    >>> r = group_gender_gap(g, members=["a", "b", "c"]).iloc[0]
    >>> int(r["n_both"]), float(r["gap"]), r["missing_members"]
    (2, 3.5, ('c',))
    """
    rows = []
    ids = list(dict.fromkeys(members))
    for (kpi, year), part in gaps.groupby(["kpi", "year"], sort=False):
        own = part.set_index("municipality_id").reindex(ids)
        both = own["value_k"].notna() & own["value_m"].notna()
        d = (own["value_k"] - own["value_m"])[both].to_numpy(dtype=float)
        n = int(both.sum())
        lo, hi = mean_interval(d, confidence)
        rows.append(
            {
                "kpi": kpi,
                "year": int(year),
                "n_members": len(ids),
                "n_both": n,
                "mean_k": float(own.loc[both, "value_k"].mean()) if n else np.nan,
                "mean_m": float(own.loc[both, "value_m"].mean()) if n else np.nan,
                "gap": float(d.mean()) if n else np.nan,
                "ci_low": lo,
                "ci_high": hi,
                "n_women_higher": int((d > 0).sum()),
                "n_men_higher": int((d < 0).sum()),
                "missing_members": tuple(m for m, ok in zip(ids, both, strict=True) if not ok),
            }
        )
    return pd.DataFrame(rows, columns=list(GROUP_GAP_COLUMNS))
