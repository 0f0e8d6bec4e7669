"""Where a municipality stands and how a group mean moved, with the uncertainty behind a claim.

Reports make a claim ("Ale ligger över GR-snittet", "GR-snittet ökade") only
where the difference is larger than the uncertainty. These functions decide
that once, with rules that are the same in every report, figure and slide:

:func:`position_table`
    For each key figure and municipality: the value, the GR mean of the 13
    (unweighted, as Kolada), and a *position* against it:

    * survey shares with respondent counts (the user survey): the
      municipality's Wilson 95 % interval (from its respondents) must exclude
      the GR mean;
    * all other key figures (register data, costs, indices; and survey items
      without counts): the difference must exceed one standard deviation of
      the 13 municipalities' values, i.e. the municipality lies outside the
      middle of the group, not just on the other side of the mean.

    ``position`` is ``över``/``under`` (beyond the uncertainty), ``nära``
    (within it) or ``saknas`` (no value); ``verdict`` turns it into
    ``bättre``/``sämre`` by the catalogue's direction, ``avviker`` where the
    difference exceeds the uncertainty but neither direction is better
    (costs), and ``neutral`` where the difference is within the uncertainty.
    ``score`` is the signed distance in the units of the rule
    (per cent of the interval's half-width, or standard deviations), oriented
    so that positive is better where a direction is known, else higher.

:func:`two_proportion_interval`
    Newcombe's interval for the difference of two shares with their own
    respondent counts (e.g. a survey question in two years).

:func:`group_against_riket`
    The group mean with a t interval over its members, against Riket: above
    or below only when Riket lies outside the interval.

:func:`group_change`
    The change of a group mean from one year to the next, computed over the
    members with a value in *both* years (a mean over different municipalities
    is not a change), with a t interval of the members' changes and how many
    there were.

Both are pure functions of the tidy values table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from fou.core.catalog import Catalog
from fou.core.registry import GR_MUNICIPALITIES, RIKET, resolve_municipalities
from fou.stats._input import _check_year, _values_table
from fou.stats.survey import wilson_interval

__all__ = [
    "POSITIONS",
    "VERDICTS",
    "group_against_riket",
    "group_change",
    "mean_interval",
    "position_table",
    "two_proportion_interval",
]

#: Position of a value against the GR mean.
POSITIONS: tuple[str, ...] = ("över", "under", "nära", "saknas")
#: The position judged by the key figure's direction.
VERDICTS: tuple[str, ...] = ("bättre", "sämre", "avviker", "neutral", "saknas")
#: How many standard deviations of the 13 a register value must lie from the mean.
SPREAD_RULE = 1.0

METHOD_WILSON = "wilson"
METHOD_SPREAD = "spridning"


def _respondents(df: pd.DataFrame, catalog: Catalog, kpi: str, year: int) -> pd.Series | None:
    """Respondents per municipality for a survey share (None when the key figure has none)."""
    row = catalog.kpis.loc[catalog.kpis["kpi"] == kpi]
    if row.empty or not bool(row.iloc[0]["survey"]) or row.iloc[0]["unit"] != "percent":
        return None
    comp = row.iloc[0]["respondents_kpi"]
    if not isinstance(comp, str):
        return None
    sel = df[(df["kpi"] == comp) & (df["year"] == year)]
    return sel.set_index("municipality_id")["value"]


def _orient(better: str) -> float:
    return -1.0 if better == "lower" else 1.0


def position_table(
    values: pd.DataFrame,
    *,
    kpis: Iterable[str],
    year: int,
    catalog: Catalog,
    municipalities: Iterable[str] | None = None,
    confidence: float = 0.95,
    gender: str = "T",
) -> pd.DataFrame:
    """Position of each municipality against the GR mean, per key figure.

    Parameters
    ----------
    values
        Tidy values table.
    kpis
        Key figures (in the catalogue, for their direction and unit).
    year
        The year.
    catalog
        The key-figure catalogue.
    municipalities
        Whose positions to return (default: the 13 GR municipalities). The GR
        mean and spread are always those of the 13.
    confidence
        Level of the Wilson intervals.
    gender
        ``"T"``, ``"K"`` or ``"M"``.

    Returns
    -------
    pandas.DataFrame
        One row per key figure and municipality: ``kpi, municipality_id,
        year, value, gr_mean, n_gr, gr_sd, riket, diff_gr, respondents,
        ci_low, ci_high, method`` (``wilson`` or ``spridning``), ``score,
        position, verdict``.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> from fou.core.registry import GR_MUNICIPALITIES
    >>> rows = [("N20403", m, 2022, float(i)) for i, m in enumerate(GR_MUNICIPALITIES)]
    >>> v = pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"])
    >>> v = v.assign(gender="T")
    >>> t = position_table(v, kpis=["N20403"], year=2022, catalog=load_catalog())
    >>> pick = t.set_index("municipality_id").loc[["1384", "1440", "1489"]]
    >>> pick[["position", "verdict"]].values.tolist()
    [['under', 'bättre'], ['nära', 'neutral'], ['över', 'sämre']]
    """
    year = _check_year(year)
    kpi_list = list(dict.fromkeys(kpis))
    members = list(GR_MUNICIPALITIES)
    wanted = members if municipalities is None else resolve_municipalities(municipalities)
    companions = [
        c
        for k in kpi_list
        for c in catalog.kpis.loc[catalog.kpis["kpi"] == k, "respondents_kpi"]
        if isinstance(c, str)
    ]
    df = _values_table(values, kpis=[*kpi_list, *companions], gender=gender)
    cur = df[df["year"] == year]
    frames = []
    for kpi in kpi_list:
        row = catalog.row(kpi)
        better = str(row["better"])
        by_mid = cur[cur["kpi"] == kpi].set_index("municipality_id")["value"]
        gr = by_mid.reindex(members).to_numpy(dtype=float)
        ok = np.isfinite(gr)
        gr_mean = float(gr[ok].mean()) if ok.any() else np.nan
        gr_sd = float(gr[ok].std(ddof=1)) if ok.sum() > 1 else np.nan
        value = by_mid.reindex(wanted).to_numpy(dtype=float)
        resp_s = _respondents(df, catalog, kpi, year)
        if resp_s is not None:
            resp = resp_s.reindex(wanted).to_numpy(dtype=float)
            low, high = wilson_interval(value, resp, confidence=confidence, scale="percent")
            low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        else:
            resp = np.full(len(wanted), np.nan)
            low = high = np.full(len(wanted), np.nan)
        diff = value - gr_mean
        use_ci = np.isfinite(low) & np.isfinite(high)
        half = np.where(value >= gr_mean, value - low, high - value)
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.where(use_ci, diff / half, diff / gr_sd) * _orient(better)
            beyond = np.where(
                use_ci, (gr_mean < low) | (gr_mean > high), np.abs(diff) > SPREAD_RULE * gr_sd
            )
        position = np.where(
            ~np.isfinite(value) | np.isnan(gr_mean),
            "saknas",
            np.where(beyond, np.where(diff > 0, "över", "under"), "nära"),
        )
        judged = np.where(score > 0, "bättre", "sämre") if better != "neither" else "avviker"
        verdict = np.where(
            position == "saknas", "saknas", np.where(position == "nära", "neutral", judged)
        )
        frames.append(
            pd.DataFrame(
                {
                    "kpi": kpi,
                    "municipality_id": wanted,
                    "year": year,
                    "value": value,
                    "gr_mean": gr_mean,
                    "n_gr": int(ok.sum()),
                    "gr_sd": gr_sd,
                    "riket": float(by_mid.get(RIKET, np.nan)),
                    "diff_gr": diff,
                    "respondents": resp,
                    "ci_low": low,
                    "ci_high": high,
                    "method": np.where(use_ci, METHOD_WILSON, METHOD_SPREAD),
                    "score": np.where(np.isfinite(value), score, np.nan),
                    "position": position,
                    "verdict": verdict,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def group_change(
    values: pd.DataFrame,
    *,
    kpis: Iterable[str],
    year: int,
    members: Sequence[str] = GR_MUNICIPALITIES,
    previous: int | None = None,
    confidence: float = 0.95,
    gender: str = "T",
) -> pd.DataFrame:
    """Change of a group's unweighted mean, over the members with values in both years.

    Parameters
    ----------
    values
        Tidy values table.
    kpis
        Key figures.
    year
        The later year.
    members
        The group (default: the 13 GR municipalities).
    previous
        The earlier year (default ``year - 1``).
    confidence
        Level of the t interval of the members' changes.
    gender
        ``"T"``, ``"K"`` or ``"M"``.

    Returns
    -------
    pandas.DataFrame
        One row per key figure: ``kpi, year, previous_year, n_members,
        n_current, n_previous, n_both, mean_current, mean_previous`` (each
        over all members with a value that year), ``mean_current_both,
        mean_previous_both, change`` (over the ``n_both`` members with both
        years), ``ci_low, ci_high`` (t interval of the members' changes;
        missing with fewer than 2) and ``same_members`` (both years' means
        cover the same municipalities).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": "N20403", "gender": "T",
    ...     "municipality_id": ["1440", "1441", "1462", "1440", "1441"],
    ...     "year": [2021, 2021, 2021, 2022, 2022], "value": [10.0, 12.0, 30.0, 11.0, 12.0]})
    >>> c = group_change(v, kpis=["N20403"], year=2022, members=["1440", "1441", "1462"])
    >>> c[["n_both", "mean_previous", "mean_current", "change", "same_members"]].values.tolist()
    [[2, 17.333333333333332, 11.5, 0.5, False]]
    """
    year = _check_year(year)
    prev = year - 1 if previous is None else _check_year(previous, parameter="previous")
    kpi_list = list(dict.fromkeys(kpis))
    ids = list(dict.fromkeys(members))
    df = _values_table(values, kpis=kpi_list, gender=gender)
    rows = []
    for kpi in kpi_list:
        part = df[df["kpi"] == kpi]
        cur = part[part["year"] == year].set_index("municipality_id")["value"].reindex(ids)
        old = part[part["year"] == prev].set_index("municipality_id")["value"].reindex(ids)
        both = cur.notna() & old.notna()
        d = (cur - old)[both].to_numpy(dtype=float)
        n = int(both.sum())
        lo, hi = mean_interval(d, confidence)
        rows.append(
            {
                "kpi": kpi,
                "year": year,
                "previous_year": prev,
                "n_members": len(ids),
                "n_current": int(cur.notna().sum()),
                "n_previous": int(old.notna().sum()),
                "n_both": n,
                "mean_current": float(cur.mean()) if cur.notna().any() else np.nan,
                "mean_previous": float(old.mean()) if old.notna().any() else np.nan,
                "mean_current_both": float(cur[both].mean()) if n else np.nan,
                "mean_previous_both": float(old[both].mean()) if n else np.nan,
                "change": float(d.mean()) if n else np.nan,
                "ci_low": lo,
                "ci_high": hi,
                "same_members": bool((cur.notna() == old.notna()).all()),
            }
        )
    return pd.DataFrame(rows)


def mean_interval(d: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """The t interval of the mean of *d* (NaN with fewer than two values).

    Examples
    --------
    >>> lo, hi = mean_interval(np.array([1.0, 2.0, 3.0]))
    >>> float(round(lo, 3)), float(round(hi, 3))
    (-0.484, 4.484)
    """
    n = len(d)
    if n < 2:
        return np.nan, np.nan
    se = float(np.std(d, ddof=1)) / np.sqrt(n)
    t = float(stats.t.ppf(0.5 + confidence / 2, n - 1))
    return float(np.mean(d)) - t * se, float(np.mean(d)) + t * se


def two_proportion_interval(
    p1: float,
    n1: float,
    p2: float,
    n2: float,
    *,
    confidence: float = 0.95,
    scale: str = "percent",
) -> tuple[float, float, float]:
    """Difference ``p1 − p2`` of two independent shares with Newcombe's hybrid score interval.

    Each share gets its Wilson interval from its own respondents; the
    interval of the difference combines them (Newcombe 1998, method 10), which
    keeps its coverage for shares near 0 or 100 % and small counts, where the
    Wald interval does not. Checked against
    ``statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb")``.

    Parameters
    ----------
    p1, n1
        The first share and its respondents.
    p2, n2
        The second share and its respondents.
    confidence
        Confidence level.
    scale
        ``"percent"`` (shares and the result in per cent) or ``"proportion"``.

    Returns
    -------
    tuple of float
        ``(difference, low, high)``; missing (NaN) when a share or count is missing.

    Examples
    --------
    >>> d, lo, hi = two_proportion_interval(85.0, 400, 80.0, 380)
    >>> round(d, 1), round(lo, 2), round(hi, 2)
    (5.0, -0.34, 10.35)
    """
    top = 100.0 if scale == "percent" else 1.0
    if not all(np.isfinite(v) for v in (p1, n1, p2, n2)) or min(n1, n2) <= 0:
        return np.nan, np.nan, np.nan
    l1, u1 = wilson_interval(p1 / top, n1, confidence=confidence, scale="proportion")
    l2, u2 = wilson_interval(p2 / top, n2, confidence=confidence, scale="proportion")
    a, b = p1 / top, p2 / top
    d = a - b
    low = d - np.sqrt((a - l1) ** 2 + (u2 - b) ** 2)
    high = d + np.sqrt((u1 - a) ** 2 + (b - l2) ** 2)
    return float(d * top), float(low * top), float(high * top)


def group_against_riket(
    values: pd.DataFrame,
    *,
    kpis: Iterable[str],
    year: int,
    catalog: Catalog,
    members: Sequence[str] = GR_MUNICIPALITIES,
    confidence: float = 0.95,
    gender: str = "T",
) -> pd.DataFrame:
    """The group's unweighted mean against Riket, with a t interval over the members.

    Parameters
    ----------
    values
        Tidy values table.
    kpis
        Key figures (in the catalogue, for their direction).
    year
        The year.
    catalog
        The key-figure catalogue.
    members
        The group (default: the 13 GR municipalities).
    confidence
        Level of the interval.
    gender
        ``"T"``, ``"K"`` or ``"M"``.

    Returns
    -------
    pandas.DataFrame
        One row per key figure: ``kpi, year, n, mean, ci_low, ci_high, riket,
        diff, position`` (``över``/``under`` when Riket lies outside the
        interval, ``nära`` inside it, ``saknas`` without values) and
        ``verdict`` (``bättre``/``sämre``/``avviker``/``neutral``/``saknas``
        as in :func:`position_table`).

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> from fou.core.registry import GR_MUNICIPALITIES
    >>> rows = [("U21463", m, 2022, 80.0 + i % 3) for i, m in enumerate(GR_MUNICIPALITIES)]
    >>> rows.append(("U21463", "0000", 2022, 84.0))
    >>> v = pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"])
    >>> g = group_against_riket(v.assign(gender="T"), kpis=["U21463"], year=2022,
    ...                         catalog=load_catalog())
    >>> g[["n", "position", "verdict"]].values.tolist()
    [[13, 'under', 'sämre']]
    """
    year = _check_year(year)
    kpi_list = list(dict.fromkeys(kpis))
    df = _values_table(values, kpis=kpi_list, gender=gender)
    cur = df[df["year"] == year]
    rows = []
    for kpi in kpi_list:
        by_mid = cur[cur["kpi"] == kpi].set_index("municipality_id")["value"]
        vals = by_mid.reindex(list(members)).dropna().to_numpy(dtype=float)
        n = len(vals)
        mean = float(vals.mean()) if n else np.nan
        if n >= 2:
            half = float(stats.t.ppf(0.5 + confidence / 2, n - 1)) * vals.std(ddof=1) / np.sqrt(n)
        else:
            half = np.nan
        riket = float(by_mid.get(RIKET, np.nan))
        lo, hi = mean - half, mean + half
        if not (np.isfinite(mean) and np.isfinite(riket) and np.isfinite(half)):
            position = "saknas"
        elif riket < lo:
            position = "över"
        elif riket > hi:
            position = "under"
        else:
            position = "nära"
        better = str(catalog.row(kpi)["better"])
        if position in ("saknas", "nära"):
            verdict = "saknas" if position == "saknas" else "neutral"
        elif better == "neither":
            verdict = "avviker"
        else:
            up = position == "över"
            verdict = "bättre" if up == (better == "higher") else "sämre"
        rows.append(
            {
                "kpi": kpi,
                "year": year,
                "n": n,
                "mean": mean,
                "ci_low": lo,
                "ci_high": hi,
                "riket": riket,
                "diff": mean - riket,
                "position": position,
                "verdict": verdict,
            }
        )
    return pd.DataFrame(rows)
