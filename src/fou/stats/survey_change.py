"""Survey results across the pandemic years: each change with its interval from the respondents.

The user survey *Vad tycker de äldre om äldreomsorgen* was run in 2019 (before
the covid-19 pandemic), in 2020 (during it) and in 2022 (after the worst of
it); 2021 had no survey. :func:`survey_changes` compares a survey share
between those years for every municipality, for GR as a whole and for Riket:

* a municipality's change has Newcombe's hybrid score interval (:func:`newcombe`,
  the array form of :func:`fou.stats.position.two_proportion_interval`) from its respondents in
  each year;
* GR is the 13 municipalities' respondents taken together (each member's share
  weighted by its respondents), the same way Kolada computes Riket from all
  respondents; only members with a value and a respondent count in *both*
  years count, so a change compares the same municipalities;
* Riket is Kolada's national value with its respondent count.

A change is called an increase or a decrease only when its interval excludes
0 also after it is widened by how much rounding can move the change: Kolada
publishes the shares rounded to whole per cent, so a published change can be
up to one percentage point off the change of the unrounded shares
(``rounding``; 0 for shares with decimals). Without that, Riket's narrow
interval would call a change of one rounded point real. The interval treats
the two years as independent samples; many of the same people answer in both
years, which makes the true uncertainty of a change somewhat smaller, so the
interval errs on the cautious side.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from fou.core.catalog import Catalog
from fou.core.registry import GR_MUNICIPALITIES, RIKET
from fou.stats._input import _values_table
from fou.stats.survey import _survey_row, wilson_interval

__all__ = [
    "CHANGE_COLUMNS",
    "GR_POOLED",
    "PANDEMIC_YEARS",
    "newcombe",
    "pooled_share",
    "rounding_slack",
    "survey_changes",
]

#: The survey before (2019), during (2020) and after (2022) the pandemic.
PANDEMIC_YEARS: tuple[int, int, int] = (2019, 2020, 2022)
#: Id of GR's 13 municipalities' respondents taken together.
GR_POOLED = "GR"
#: Columns of :func:`survey_changes`.
CHANGE_COLUMNS: tuple[str, ...] = (
    "kpi", "municipality_id", "level", "from_year", "to_year", "value_from", "value_to",
    "respondents_from", "respondents_to", "change", "ci_low", "ci_high", "direction",
    "verdict", "rounding", "n_members", "missing_members", "confidence", "method",
)  # fmt: skip
METHOD = "Newcombe"


def pooled_share(shares: Sequence[float], respondents: Sequence[float]) -> tuple[float, float]:
    """Share of all respondents together: the respondent-weighted mean, and their sum.

    Parameters
    ----------
    shares
        Each unit's share (per cent).
    respondents
        Each unit's respondents.

    Returns
    -------
    tuple of float
        ``(share, respondents)``; NaN share when no unit has both.

    Examples
    --------
    >>> pooled_share([80.0, 90.0], [100, 300])
    (87.5, 400.0)
    """
    p = np.asarray(shares, dtype=float)
    n = np.asarray(respondents, dtype=float)
    ok = np.isfinite(p) & np.isfinite(n) & (n > 0)
    total = float(n[ok].sum())
    if total <= 0:
        return np.nan, 0.0
    return float((p[ok] * n[ok]).sum() / total), total


def newcombe(
    p1: Sequence[float] | np.ndarray,
    n1: Sequence[float] | np.ndarray,
    p2: Sequence[float] | np.ndarray,
    n2: Sequence[float] | np.ndarray,
    *,
    confidence: float = 0.95,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Differences ``p1 − p2`` (per cent) with Newcombe's hybrid score interval, elementwise.

    The array form of :func:`fou.stats.position.two_proportion_interval` (the
    two agree to rounding; see the tests): each share's Wilson interval from its
    own respondents, combined. Missing (NaN) where a share or count is missing
    or a count is not positive, and where a share lies outside 0–100 % (an error in
    the data, which the quality checks report).

    Examples
    --------
    >>> d, lo, hi = newcombe([85.0], [400], [80.0], [380])
    >>> round(float(d[0]), 1), round(float(lo[0]), 2), round(float(hi[0]), 2)
    (5.0, -0.34, 10.35)
    """
    a = np.asarray(p1, dtype=float) / 100.0
    b = np.asarray(p2, dtype=float) / 100.0
    m = np.asarray(n1, dtype=float)
    n = np.asarray(n2, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b) & np.isfinite(m) & np.isfinite(n) & (m > 0) & (n > 0)
    ok &= (a >= 0) & (a <= 1) & (b >= 0) & (b <= 1)  # a share outside 0–100 % gets no interval
    safe_m, safe_n = np.where(ok, m, 1.0), np.where(ok, n, 1.0)
    l1, u1 = wilson_interval(np.where(ok, a, 0.5), safe_m, confidence=confidence,
                             scale="proportion")  # fmt: skip
    l2, u2 = wilson_interval(np.where(ok, b, 0.5), safe_n, confidence=confidence,
                             scale="proportion")  # fmt: skip
    d = a - b
    low = d - np.sqrt((a - l1) ** 2 + (u2 - b) ** 2)
    high = d + np.sqrt((u1 - a) ** 2 + (b - l2) ** 2)
    nan = np.full(d.shape, np.nan)
    return (np.where(ok, d, nan) * 100.0, np.where(ok, low, nan) * 100.0,
            np.where(ok, high, nan) * 100.0)  # fmt: skip


def _steps(years: Sequence[int]) -> list[tuple[int, int]]:
    """Consecutive pairs, and first to last when there are more than two years."""
    ys = list(years)
    pairs = list(itertools.pairwise(ys))
    if len(ys) > 2:
        pairs.append((ys[0], ys[-1]))
    return pairs


def rounding_slack(a: float, b: float) -> float:
    """How far Kolada's rounding to whole per cent can move a difference of two shares.

    Parameters
    ----------
    a, b
        The two shares, in per cent.

    Returns
    -------
    float
        1 (point) when both are whole numbers, as Kolada publishes them
        rounded; 0 otherwise (and for a missing or infinite share).

    Examples
    --------
    >>> rounding_slack(61.0, 58.0), rounding_slack(61.4, 58.0), rounding_slack(61.0, float("nan"))
    (1.0, 0.0, 0.0)
    """
    whole = all(np.isfinite(x) and abs(x - round(x)) < 1e-9 for x in (a, b))
    return 1.0 if whole else 0.0


def _direction(change: float, low: float, high: float, rounding: float = 0.0) -> str:
    if not np.isfinite(change):
        return "saknas"
    if np.isfinite(low) and low - rounding > 0:
        return "upp"
    if np.isfinite(high) and high + rounding < 0:
        return "ned"
    return "oklar"


def _verdict(direction: str, better: str) -> str:
    if direction in ("saknas", "oklar"):
        return {"saknas": "saknas", "oklar": "neutral"}[direction]
    if better == "neither":
        return "avviker"
    up_is_better = better == "higher"
    return "bättre" if (direction == "upp") == up_is_better else "sämre"


def _wide(df: pd.DataFrame, kpi: str | None, years: Sequence[int]) -> pd.DataFrame:
    """Municipality × year table of one key figure (empty when *kpi* is missing)."""
    if kpi is None or (isinstance(kpi, float) and np.isnan(kpi)):
        return pd.DataFrame(columns=list(years), dtype=float)
    part = df[(df["kpi"] == kpi) & df["year"].isin(list(years))]
    return part.pivot_table(
        index="municipality_id", columns="year", values="value", aggfunc="first", dropna=False
    ).reindex(columns=list(years))


def survey_changes(
    values: pd.DataFrame,
    *,
    kpis: Iterable[str],
    catalog: Catalog,
    years: Sequence[int] = PANDEMIC_YEARS,
    members: Sequence[str] = GR_MUNICIPALITIES,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Changes of survey shares between survey years, with Newcombe intervals.

    Parameters
    ----------
    values
        Tidy values table with the survey key figures and their respondents
        companions (gender ``T``).
    kpis
        Survey key figures with unit ``percent``.
    catalog
        The key-figure catalogue (respondents companion, direction).
    years
        Survey years in order; the steps are each consecutive pair and, with
        more than two years, the first to the last.
    members
        The group whose respondents are taken together (default: GR's 13).
    confidence
        Level of the intervals.

    Returns
    -------
    pandas.DataFrame
        One row per key figure, unit and step, columns :data:`CHANGE_COLUMNS`:
        ``level`` is ``kommun``, ``gr`` (id :data:`GR_POOLED`) or ``riket``;
        ``change = value_to − value_from`` in percentage points with
        ``ci_low, ci_high``; ``direction`` ``upp``/``ned`` (the interval,
        widened by ``rounding``, excludes 0), ``oklar`` or ``saknas``;
        ``verdict`` by the catalogue's direction (``bättre``, ``sämre``,
        ``avviker``, ``neutral``, ``saknas``);
        ``n_members`` and ``missing_members`` (ids) for GR.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> v = pd.DataFrame({"kpi": ["U21468"] * 2 + ["U23592"] * 2,
    ...     "municipality_id": "1480", "gender": "T", "year": [2019, 2020] * 2,
    ...     "value": [81.0, 85.0, 4469.0, 4128.0]})
    >>> t = survey_changes(v, kpis=["U21468"], catalog=load_catalog(), years=(2019, 2020),
    ...                    members=["1480"])
    >>> t[["municipality_id", "change", "direction"]].round(6).values.tolist()
    [['1480', 4.0, 'upp'], ['GR', 4.0, 'upp']]
    """
    kpi_list = list(dict.fromkeys(kpis))
    ys = [int(y) for y in years]
    steps = _steps(ys)
    group = list(dict.fromkeys(members))
    rows: list[dict[str, object]] = []
    for kpi in kpi_list:
        row = _survey_row(catalog, kpi)
        wanted = [kpi] + (
            [row["respondents_kpi"]] if isinstance(row["respondents_kpi"], str) else []
        )
        df = _values_table(values, kpis=wanted, gender="T")
        share = _wide(df, kpi, ys)
        if not share.notna().any().any():
            continue  # no results in the years: nothing to compare
        resp = _wide(df, row["respondents_kpi"], ys).reindex(index=share.index, columns=ys)
        better = str(row["better"])
        ids = [str(m) for m in share.index if m == RIKET or not str(m).startswith("00")]
        for a, b in steps:
            pa = share.loc[ids, a].to_numpy(dtype=float)
            pb = share.loc[ids, b].to_numpy(dtype=float)
            na = resp.loc[ids, a].to_numpy(dtype=float)
            nb = resp.loc[ids, b].to_numpy(dtype=float)
            d, lo, hi = newcombe(pb, nb, pa, na, confidence=confidence)
            d = np.where(np.isnan(d), pb - pa, d)  # no respondents: the change, no interval
            for i, mid in enumerate(ids):
                level = "riket" if mid == RIKET else "kommun"
                rows.append(_row(kpi, mid, level, a, b, pa[i], pb[i], na[i], nb[i], d[i], lo[i],
                                 hi[i], better))  # fmt: skip
            both = [
                m
                for m in group
                if m in share.index
                and all(np.isfinite(x) for x in (share.at[m, a], share.at[m, b]))
                and all(np.isfinite(x) and x > 0 for x in (resp.at[m, a], resp.at[m, b]))
            ]
            ga, gna = pooled_share(share.loc[both, a], resp.loc[both, a])
            gb, gnb = pooled_share(share.loc[both, b], resp.loc[both, b])
            gd, glo, ghi = newcombe([gb], [gnb], [ga], [gna], confidence=confidence)
            whole = bool(np.all(np.abs(share.loc[both, [a, b]].to_numpy() % 1) < 1e-9))
            r = _row(kpi, GR_POOLED, "gr", a, b, ga, gb, gna, gnb, float(gd[0]), float(glo[0]),
                     float(ghi[0]), better, rounding=1.0 if whole and both else 0.0)  # fmt: skip
            r["n_members"] = len(both)
            r["missing_members"] = tuple(m for m in group if m not in both)
            rows.append(r)
    out = pd.DataFrame(
        rows, columns=[c for c in CHANGE_COLUMNS if c not in ("confidence", "method")]
    )
    out["confidence"] = confidence
    out["method"] = METHOD
    out["n_members"] = out["n_members"].astype("Int64")
    return out[list(CHANGE_COLUMNS)]


def _row(
    kpi: str,
    mid: str,
    level: str,
    a: int,
    b: int,
    pa: float,
    pb: float,
    na: float,
    nb: float,
    d: float,
    lo: float,
    hi: float,
    better: str,
    rounding: float | None = None,
) -> dict[str, object]:
    slack = rounding_slack(pa, pb) if rounding is None else rounding
    direction = _direction(d, lo, hi, slack)
    return {
        "kpi": kpi,
        "municipality_id": mid,
        "level": level,
        "from_year": a,
        "to_year": b,
        "value_from": float(pa),
        "value_to": float(pb),
        "respondents_from": float(na),
        "respondents_to": float(nb),
        "change": float(d),
        "ci_low": float(lo),
        "ci_high": float(hi),
        "direction": direction,
        "verdict": _verdict(direction, better),
        "rounding": slack,
        "n_members": pd.NA,
        "missing_members": (),
    }
