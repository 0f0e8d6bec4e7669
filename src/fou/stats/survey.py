"""Uncertainty of user-survey shares: Wilson intervals and funnel plots.

The user survey *Vad tycker de äldre om äldreomsorgen* publishes each result as
a share in per cent, and the number of respondents per municipality as a
separate key figure (the catalogue's ``respondents_kpi``: U23592 for home care,
U23594 for nursing homes; Kolada has them from 2019). With both, a share can
be given an interval and the municipalities can be compared in a funnel plot
instead of a league table.

What the intervals do and do not cover
--------------------------------------
* ``n`` is the number of respondents to the *survey* in the municipality. An
  item's own denominator is somewhat smaller (item non-response, "vet ej"),
  so the intervals are, if anything, a little too narrow.
* Shares are published rounded to whole per cent; the number of "yes"
  answers is reconstructed as ``value / 100 * n`` (not rounded).
* The intervals describe random variation (which respondents happened to
  answer); they do not cover non-response bias (response rates are
  40–70 %) or answers given with help from relatives.
* When the respondent count is missing the interval is missing: no ``n`` is
  made up.

The functions are pure: no I/O, no plotting (see ``fou.plotting.funnel_plot``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pandas as pd
from scipy import stats

from fou.core import sv
from fou.core.catalog import Catalog
from fou.core.errors import DataNotFoundError, ParameterError, one_of_message
from fou.core.registry import GR_MUNICIPALITIES, RIKET
from fou.stats._input import _check_year, _select_municipalities, _values_table

__all__ = [
    "FunnelData",
    "binomial_limits",
    "funnel_data",
    "normal_limits",
    "survey_uncertainty",
    "wilson_interval",
]

SCALES: tuple[str, ...] = ("auto", "count", "proportion", "percent")
FUNNEL_METHODS: tuple[str, ...] = ("binomial", "normal")
FUNNEL_TARGETS: tuple[str, ...] = ("riket", "vägt")
METHOD_LABEL = "Wilson"
#: Above this dispersion (mean squared z) :class:`FunnelData` carries a caption note.
OVERDISPERSION_NOTE_ABOVE = 1.5
#: How funnel limits may allow for overdispersion (Spiegelhalter 2005).
OVERDISPERSION_METHODS: tuple[str, ...] = ("auto", "none", "additive")
#: Share of z scores winsorised in each tail before the dispersion is estimated.
WINSOR = 0.10
#: Overdispersion is declared when I·φ exceeds this quantile of χ²(I − 1).
OVERDISPERSION_TEST = 0.95


# --------------------------------------------------------------------------- checks


def _check_confidence(confidence: float, *, parameter: str = "confidence") -> float:
    try:
        c = float(confidence)
    except (TypeError, ValueError):
        raise ParameterError(
            f"{parameter} måste vara ett tal mellan 0 och 1 (t.ex. 0.95), "
            f"men {confidence!r} angavs."
        ) from None
    if not 0.0 < c < 1.0:
        raise ParameterError(
            f"{parameter} måste vara ett tal mellan 0 och 1 (t.ex. 0.95), "
            f"men {confidence!r} angavs."
        )
    return c


def _z(confidence: float) -> float:
    """Two-sided standard-normal quantile for *confidence*."""
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def _level_label(confidence: float) -> str:
    """Column suffix for a confidence level: 0.95 → ``"95"``, 0.998 → ``"998"``."""
    return f"{confidence * 100:g}".replace(".", "")


# --------------------------------------------------------------------------- Wilson


def wilson_interval(
    successes_or_share: Any,
    n: Any,
    *,
    confidence: float = 0.95,
    scale: str = "auto",
) -> tuple[Any, Any]:
    """Wilson score interval for a binomial proportion (vectorised).

    Parameters
    ----------
    successes_or_share
        Number of successes, a proportion (0–1) or a percentage (0–100);
        scalar or array-like, broadcast against *n*.
    n
        Number of trials (respondents); scalar or array-like. ``n == 0`` or a
        missing ``n`` gives a missing interval.
    confidence
        Confidence level, between 0 and 1.
    scale
        How to read *successes_or_share*: ``"count"`` (0 … n), ``"proportion"``
        (0 … 1), ``"percent"`` (0 … 100) or ``"auto"``: proportions if every
        given value lies in [0, 1], otherwise counts. ``"auto"`` never guesses
        percentages (85 could be 85 respondents), and it refuses the
        ambiguous case where all values are 0 or 1 and some ``n`` exceeds 1
        (one success or 100 %?): pass *scale* then.

    Returns
    -------
    tuple
        ``(low, high)``, floats for scalar input, else numpy arrays; on the
        proportion scale (0–1), or in per cent with ``scale="percent"``.
        Missing input gives a missing interval.

    Raises
    ------
    ParameterError
        Negative *n*, values outside their range, a bad *confidence* or *scale*.

    Notes
    -----
    With :math:`\\hat p = x/n` and :math:`z` the two-sided normal quantile,

    .. math:: \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    (Wilson 1927). Unlike the Wald interval it stays inside [0, 1] and keeps
    close to its nominal coverage for shares near 0 or 100 %, which is where
    many survey results lie. The tests compare it with
    ``statsmodels.stats.proportion.proportion_confint(method="wilson")``.

    Examples
    --------
    >>> lo, hi = wilson_interval(45, 50)
    >>> round(lo, 4), round(hi, 4)
    (0.7864, 0.9565)
    >>> lo, hi = wilson_interval([90.0, 50.0], [50, 200], scale="percent")
    >>> lo.round(2).tolist(), hi.round(2).tolist()
    ([78.64, 43.14], [95.65, 56.86])
    """
    if scale not in SCALES:
        raise ParameterError(one_of_message("scale", SCALES, scale))
    confidence = _check_confidence(confidence)
    scalar = np.ndim(successes_or_share) == 0 and np.ndim(n) == 0
    try:
        x = np.asarray(successes_or_share, dtype=float)
        nn = np.asarray(n, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(
            "successes_or_share och n måste vara tal eller listor av tal."
        ) from None
    x, nn = np.broadcast_arrays(x, nn)
    if np.any(nn[np.isfinite(nn)] < 0):
        raise ParameterError("n (antal svarande) kan inte vara negativt.")
    if np.any(np.isinf(nn)) or np.any(np.isinf(x)):
        raise ParameterError("successes_or_share och n måste vara ändliga tal (eller saknade).")
    given = np.isfinite(x)
    if scale == "auto":
        if np.all((x[given] >= 0) & (x[given] <= 1)):
            zero_one = np.all(np.isin(x[given], (0.0, 1.0)))
            if zero_one and np.any(x[given] == 1) and np.any(nn[given] > 1):
                raise ParameterError(
                    "Tvetydigt: alla värden är 0 eller 1, vilket kan vara antal eller andelar. "
                    "Ange scale='count' eller scale='proportion'."
                )
            scale = "proportion"
        else:
            scale = "count"
    with np.errstate(invalid="ignore", divide="ignore"):
        if scale == "count":
            if np.any(x[given] < 0) or np.any(x[given] > nn[given]):
                raise ParameterError("Antalet lyckade utfall måste ligga mellan 0 och n.")
            p = x / nn
        else:
            top = 100.0 if scale == "percent" else 1.0
            if np.any(x[given] < 0) or np.any(x[given] > top):
                raise ParameterError(
                    f"Andelarna måste ligga mellan 0 och {top:g} (scale={scale!r})."
                )
            p = x / top
        z = _z(confidence)
        z2 = z * z
        denom = 1.0 + z2 / nn
        centre = (p + z2 / (2.0 * nn)) / denom
        half = z / denom * np.sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    bad = ~(np.isfinite(p) & (nn > 0))
    low = np.where(bad, np.nan, low)
    high = np.where(bad, np.nan, high)
    if scale == "percent":
        low, high = low * 100.0, high * 100.0
    if scalar:
        return float(low), float(high)
    return low, high


# --------------------------------------------------------------------------- survey tables


def _survey_row(catalog: Catalog, kpi: str, *, need_percent: bool = True) -> pd.Series:
    row = catalog.row(kpi)
    if not bool(row["survey"]):
        raise ParameterError(
            f"{kpi} kommer inte från brukarundersökningen (survey: true i katalogen); "
            "osäkerhet med antal svarande går bara att beräkna för enkätnyckeltal."
        )
    if need_percent and row["unit"] != "percent":
        raise ParameterError(
            f"{kpi} har enheten {row['unit']!r}, inte en andel (%): Wilson-intervall och "
            "trattdiagram kräver en andel. Medelvärdesindex saknar spridningsmått i Kolada."
        )
    return row


def _select_ids(
    municipalities: str | Iterable[str] | None, present: Iterable[str], *, default: str
) -> list[str]:
    """Municipality selection: None → *default*; ``"all"``, ``"present"``, ``"gr"`` or ids/names."""
    return _select_municipalities(
        default if municipalities is None else municipalities,
        present,
        empty="municipalities är tom: ange minst en kommun, 'gr' eller 'all'.",
        with_present=True,
    )


def _companion(df: pd.DataFrame, kpi: str | None, year: int, ids: list[str]) -> np.ndarray:
    if kpi is None or pd.isna(kpi):
        return np.full(len(ids), np.nan)
    part = df[(df["kpi"] == kpi) & (df["year"] == year)].set_index("municipality_id")["value"]
    return part.reindex(ids).to_numpy(dtype=float)


def survey_uncertainty(
    values: pd.DataFrame,
    *,
    kpi: str,
    year: int,
    catalog: Catalog,
    municipalities: str | Iterable[str] | None = None,
    confidence: float = 0.95,
    gender: str = "T",
) -> pd.DataFrame:
    """Wilson intervals for a survey share, using the respondent counts from Kolada.

    Parameters
    ----------
    values
        Tidy values table; must hold the key figure and its respondents
        companion (catalogue column ``respondents_kpi``).
    kpi
        A survey key figure with unit ``percent`` (e.g. ``"U21463"``).
    year
        Survey year.
    catalog
        The key-figure catalogue.
    municipalities
        None (every id with a row for the key figure that year: municipalities,
        regions and Riket), ``"all"`` (the municipalities present), ``"gr"``
        (the 13) or a list of ids/names.
    confidence
        Confidence level of the interval.
    gender
        ``"T"``, ``"K"`` or ``"M"``.

    Returns
    -------
    pandas.DataFrame
        One row per municipality: ``kpi, municipality_id, year, value`` (%),
        ``respondents, response_rate`` (%), ``ci_low, ci_high`` (%),
        ``confidence, method`` (``"Wilson"``) and ``note`` (Swedish: why the
        interval is missing, or that it rests on few respondents).

    Notes
    -----
    ``n`` is the survey's respondent count, not the item's (see the module
    notes); the interval is missing when the count is missing, e.g. before
    2019, when Kolada has no respondent counts.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> v = pd.DataFrame({"kpi": ["U21463", "U23592", "U21463"],
    ...                   "municipality_id": ["1480", "1480", "1401"],
    ...                   "year": 2022, "gender": "T", "value": [81.0, 3725.0, 87.0]})
    >>> t = survey_uncertainty(v, kpi="U21463", year=2022, catalog=load_catalog())
    >>> print(t[["municipality_id", "respondents", "ci_low", "ci_high"]].round(2).to_string())
      municipality_id  respondents  ci_low  ci_high
    0            1401          NaN     NaN      NaN
    1            1480       3725.0   79.71    82.23
    """
    year = _check_year(year)
    confidence = _check_confidence(confidence)
    row = _survey_row(catalog, kpi)
    comp = [row["respondents_kpi"], row["response_rate_kpi"], row["few_respondents_kpi"]]
    wanted = [kpi] + [c for c in comp if isinstance(c, str)]
    df = _values_table(values, kpis=wanted, gender=gender)
    main = df[(df["kpi"] == kpi) & (df["year"] == year)]
    ids = _select_ids(municipalities, main["municipality_id"], default="present")
    value = main.set_index("municipality_id")["value"].reindex(ids).to_numpy(dtype=float)
    resp = _companion(df, row["respondents_kpi"], year, ids)
    rate = _companion(df, row["response_rate_kpi"], year, ids)
    few = _companion(df, row["few_respondents_kpi"], year, ids)
    low, high = wilson_interval(value, resp, confidence=confidence, scale="percent")
    notes = [
        _uncertainty_note(v, r, f, kpi=kpi, year=year, catalog=catalog, row=row)
        for v, r, f in zip(value, resp, few, strict=True)
    ]
    return pd.DataFrame(
        {
            "kpi": kpi,
            "municipality_id": ids,
            "year": year,
            "value": value,
            "respondents": resp,
            "response_rate": rate,
            "ci_low": np.asarray(low, dtype=float),
            "ci_high": np.asarray(high, dtype=float),
            "confidence": confidence,
            "method": METHOD_LABEL,
            "note": notes,
        }
    )


def _uncertainty_note(
    value: float, resp: float, few: float, *, kpi: str, year: int, catalog: Catalog, row: pd.Series
) -> str:
    least = sv.integer(catalog.min_respondents)
    if np.isnan(value):
        if year in catalog.survey_not_run:
            return f"värde saknas: brukarundersökningen genomfördes inte {sv.year(year)}"
        return (
            f"värde saknas: ej publicerat (t.ex. färre än {least} svarande) eller ej inrapporterat"
        )
    if np.isnan(resp):
        if row["respondents_kpi"] is None or pd.isna(row["respondents_kpi"]):
            return "antal svarande finns inte i katalogen: inget intervall"
        extra = f" (Kolada anger att färre än {least} svarade)" if few == 1 else ""
        return f"antal svarande ({row['respondents_kpi']}) saknas: inget intervall{extra}"
    if resp < catalog.min_respondents:
        return f"färre än {least} svarande: mycket osäkert"
    return ""


# --------------------------------------------------------------------------- funnel


def normal_limits(p0: float, n: Any, *, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Funnel limits from the normal approximation to the binomial.

    ``p0 ± z·sqrt(p0(1 − p0)/n)``, clipped to [0, 1].

    Parameters
    ----------
    p0
        Target proportion (0–1).
    n
        Sample sizes (array-like).
    confidence
        Two-sided coverage, e.g. 0.95.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits (proportions).

    Examples
    --------
    >>> lo, hi = normal_limits(0.5, [100], confidence=0.95)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.402, 0.598)
    """
    p0 = _check_p0(p0)
    confidence = _check_confidence(confidence)
    nn = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = _z(confidence) * np.sqrt(p0 * (1.0 - p0) / nn)
    return np.clip(p0 - half, 0.0, 1.0), np.clip(p0 + half, 0.0, 1.0)


def binomial_limits(p0: float, n: Any, *, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """Exact binomial funnel limits, interpolated on the mid-p scale.

    For ``X ~ Bin(n, p0)`` let ``G`` be the continuous distribution function
    that runs linearly through the points ``(r + ½, P(X ≤ r))``; at a whole
    count ``y`` it equals the mid-p lower tail ``P(X < y) + ½·P(X = y)``. The
    limits are ``G⁻¹(q)/n`` for ``q = (1 − c)/2`` and ``(1 + c)/2``:
    with ``r`` the smallest count with ``P(X ≤ r) ≥ q``,

    ``limit = (r + ½ − (P(X ≤ r) − q) / P(X = r)) / n``.

    So a whole count lies below the lower limit exactly when its mid-p lower
    tail probability is below ``(1 − c)/2`` (and symmetrically above the
    upper limit), and for ``p0 = ½`` the funnel is symmetric. Spiegelhalter
    (2005, *Statistics in Medicine* 24:1185, appendix A.1.1) interpolates the
    same way but through ``(r, P(X ≤ r))``, which puts both limits half a
    count lower; the mid-p version treats both tails alike.

    Parameters
    ----------
    p0
        Target proportion, strictly between 0 and 1.
    n
        Whole-number sample sizes (array-like, ≥ 1).
    confidence
        Two-sided coverage, e.g. 0.95.

    Returns
    -------
    tuple of numpy.ndarray
        Lower and upper limits (proportions), clipped to [0, 1].

    Examples
    --------
    >>> lo, hi = binomial_limits(0.5, [100], confidence=0.95)
    >>> round(float(lo[0]), 4), round(float(hi[0]), 4)
    (0.4018, 0.5982)
    """
    p0 = _check_p0(p0)
    confidence = _check_confidence(confidence)
    nn = np.atleast_1d(np.asarray(n, dtype=float))
    if np.any(~np.isfinite(nn)) or np.any(nn < 1) or np.any(nn != np.round(nn)):
        raise ParameterError("n måste vara heltal ≥ 1 för binomialgränser.")
    alpha = 1.0 - confidence
    out = []
    for q in (alpha / 2.0, 1.0 - alpha / 2.0):
        r = stats.binom.ppf(q, nn, p0)
        cdf_r = stats.binom.cdf(r, nn, p0)
        pmf_r = stats.binom.pmf(r, nn, p0)
        y = r + 0.5 - (cdf_r - q) / pmf_r
        out.append(np.clip(y / nn, 0.0, 1.0))
    return out[0], out[1]


def _check_p0(p0: float) -> float:
    try:
        p = float(p0)
    except (TypeError, ValueError):
        raise ParameterError(f"Målvärdet måste vara ett tal, men {p0!r} angavs.") from None
    if not 0.0 < p < 1.0:
        raise ParameterError(
            f"Målvärdet måste ligga strikt mellan 0 och 100 %, men {p * 100:g} % angavs."
        )
    return p


@dataclass(frozen=True)
class FunnelData:
    """Everything a funnel plot needs, computed but not drawn.

    Attributes
    ----------
    kpi, year
        What is plotted.
    points
        One row per municipality: ``kpi, year, municipality_id, is_gr, value``
        (%), ``respondents, target`` (%), ``z`` (normal-approximation z
        score), and per confidence level ``c`` (suffix ``95``, ``998``, …):
        ``lower_c, upper_c`` (limits at the municipality's own n, %) and
        ``outside_c`` (nullable boolean; missing when value or respondents
        are missing).
    limits
        The funnel itself on a grid of n: ``n, confidence, level`` (e.g.
        ``"95 %"``, ``"99,8 %"``), ``lower, upper`` (%).
    target
        The target ``p0`` in per cent.
    target_label
        Swedish label for the target line that reads well alone and inside
        a sentence or brackets, e.g. ``"riket, 84 %"``, ``"vägt medel av 286
        kommuner, 84,1 %"`` or ``"målvärde, 80 %"`` (non-breaking space
        before ``%``).
    method
        ``"binomial"`` or ``"normal"``.
    method_label
        Plain Swedish description of the limits: levels, centre and how they
        were computed, e.g. ``"95 % och 99,8 % kring riket, exakt
        beräknade ur binomialfördelningen för varje antal svarande"``.
    dispersion
        Mean squared z score of the plotted municipalities. About 1 if they
        differ only by chance; clearly above 1 (overdispersion) means real
        differences *and* that many points will fall outside limits built
        for chance alone.
    note
        Swedish sentence for the caption when ``dispersion`` exceeds
        :data:`OVERDISPERSION_NOTE_ABOVE`, else empty.
    phi, tau2
        Spiegelhalter's winsorised dispersion and the additive between-municipality
        variance (proportions squared; 0 when the data are not overdispersed).
    adjusted
        True when the limits (and ``outside_*``) allow for overdispersion:
        ``p0 ± z·sqrt(p0(1 − p0)/n + tau2)``; then ``chance_limits`` holds the
        limits for chance alone.
    chance_limits
        The unadjusted limits (same columns as ``limits``), or None.
    """

    kpi: str
    year: int
    points: pd.DataFrame
    limits: pd.DataFrame
    target: float
    target_label: str
    method: str
    method_label: str
    dispersion: float
    note: str = ""
    phi: float = float("nan")
    tau2: float = 0.0
    adjusted: bool = False
    chance_limits: pd.DataFrame | None = None


def _target(
    df: pd.DataFrame,
    target: str | float,
    *,
    kpi: str,
    year: int,
    respondents_kpi: str,
) -> tuple[float, str]:
    """Return the target in per cent and its Swedish label."""
    if isinstance(target, str):
        if target not in FUNNEL_TARGETS:
            raise ParameterError(one_of_message("target", FUNNEL_TARGETS, target))
        cur = df[df["year"] == year]
        val = cur[cur["kpi"] == kpi].set_index("municipality_id")["value"]
        if target == "riket":
            p = float(val.get(RIKET, np.nan))
            if np.isnan(p):
                raise DataNotFoundError(
                    f"Riket saknar värde för {kpi} {year}; ange target='vägt' "
                    "(respondentvägt riksmedel) eller ett tal i procent."
                )
            return p, f"riket, {_pct(p)}"
        resp = cur[cur["kpi"] == respondents_kpi].set_index("municipality_id")["value"]
        both = pd.concat([val.rename("v"), resp.rename("n")], axis=1, join="inner").dropna()
        both = both[~both.index.str.startswith("00")]
        if both.empty or both["n"].sum() <= 0:
            raise DataNotFoundError(
                f"Inga kommuner har både värde och antal svarande för {kpi} {year}."
            )
        p = float((both["v"] * both["n"]).sum() / both["n"].sum())
        return p, f"vägt medel av {sv.quantity(len(both), 'kommun', 'kommuner')}, {_pct(p)}"
    if isinstance(target, bool):
        raise ParameterError(f"target måste vara 'riket', 'vägt' eller ett tal, inte {target!r}.")
    try:
        p = float(target)
    except (TypeError, ValueError):
        raise ParameterError(
            f"target måste vara 'riket', 'vägt' eller ett tal i procent, men {target!r} angavs."
        ) from None
    return p, f"målvärde, {_pct(p)}"


def _pct(p: float) -> str:
    """A share in a label: ``88 %``, ``84,1 %`` (no needless decimal, non-breaking space)."""
    return f"{sv.prose(p, 1)}{sv.NBSP}%"


_TARGET_WORDS: dict[str, str] = {"riket": "riket", "vägt": "det vägda medlet"}


def _method_label(method: str, levels: Sequence[float], target: str | float) -> str:
    """How the limits were computed, in plain Swedish (levels and centre included).

    Examples
    --------
    >>> label = _method_label("binomial", [0.95, 0.998], "riket").replace(sv.NBSP, " ")
    >>> print(label[:28])
    95 % och 99,8 % kring riket,
    >>> print(label[29:])
    exakt beräknade ur binomialfördelningen för varje antal svarande
    >>> _method_label("normal", [0.95], 80.0).replace(sv.NBSP, " ")
    '95 % kring målvärdet, ungefärligt beräknade med normalfördelningen'
    """
    shown = sv.join([_pct(c * 100.0) for c in levels])
    centre = _TARGET_WORDS.get(target, "målvärdet") if isinstance(target, str) else "målvärdet"
    how = (
        "exakt beräknade ur binomialfördelningen för varje antal svarande"
        if method == "binomial"
        else "ungefärligt beräknade med normalfördelningen"
    )
    return f"{shown} kring {centre}, {how}"


def winsorised(z: np.ndarray, share: float = WINSOR) -> np.ndarray:
    """*z* with the lowest and highest *share* of values set to the nearest kept value.

    The same rule as :func:`scipy.stats.mstats.winsorize` with ``limits=(share, share)``:
    ``int(share * n)`` values are replaced in each tail.

    Examples
    --------
    >>> winsorised(np.array([-9.0, 1, 2, 3, 4, 5, 6, 7, 8, 30]), 0.1).tolist()
    [1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 8.0]
    """
    z = np.asarray(z, dtype=float)
    n = z.size
    k = int(share * n)
    if n == 0 or k == 0:
        return z.copy()
    ordered = np.sort(z)
    return np.clip(z, ordered[k], ordered[n - k - 1])


def overdispersion(z: np.ndarray, se: np.ndarray) -> tuple[float, float, bool]:
    """Spiegelhalter's (2005) estimates from the z scores of a funnel.

    Parameters
    ----------
    z
        ``(y_i − p0) / s_i`` of the units with a value.
    se
        Their standard errors ``s_i`` under the null (``sqrt(p0(1 − p0)/n_i)``).

    Returns
    -------
    tuple of (float, float, bool)
        ``phi`` (the mean squared winsorised z), ``tau2`` (the additive
        between-unit variance in the DerSimonian–Laird form, at least 0) and
        whether ``I·phi`` exceeds the 95 % point of χ²(I − 1) (overdispersion).
    """
    from scipy.stats import chi2

    units = z.size
    if units < 2:
        return float("nan"), 0.0, False
    phi = float(np.mean(winsorised(z) ** 2))
    over = bool(units * phi > chi2.ppf(OVERDISPERSION_TEST, units - 1))
    w = 1.0 / se**2
    tau2 = (units * phi - (units - 1)) / (w.sum() - (w**2).sum() / w.sum())
    return phi, max(0.0, float(tau2)), over


def _grid(respondents: np.ndarray, size: int) -> np.ndarray:
    lo = max(1.0, np.floor(np.nanmin(respondents) * 0.8))
    hi = max(lo + 1.0, np.ceil(np.nanmax(respondents) * 1.1))
    return np.unique(np.round(np.geomspace(lo, hi, size)))


def funnel_data(
    values: pd.DataFrame,
    *,
    kpi: str,
    year: int,
    catalog: Catalog,
    target: str | float = "riket",
    confidence: float | Sequence[float] = (0.95, 0.998),
    municipalities: str | Iterable[str] = "all",
    method: str = "binomial",
    grid_size: int = 200,
    gender: str = "T",
    overdispersion_method: str = "auto",
) -> FunnelData:
    """Data for a funnel plot of a survey share against the number of respondents.

    Parameters
    ----------
    values
        Tidy values table with the key figure and its respondents companion.
    kpi
        A survey key figure with unit ``percent``.
    year
        Survey year (respondent counts exist from 2019).
    catalog
        The key-figure catalogue.
    target
        The funnel's centre ``p0``: ``"riket"`` (Riket's published value,
        which Kolada computes from all respondents in the country),
        ``"vägt"`` (the respondent-weighted mean of all municipalities that
        have both a value and a respondent count, a close reconstruction of
        Riket's value), or a number in per cent.
    confidence
        One or more two-sided levels; by default 95 % and 99.8 % (about 2 and
        3 standard errors), as in Spiegelhalter's funnel plots.
    municipalities
        Which points to compute: ``"all"`` (every municipality; show GR inside
        the national picture, ``is_gr`` marks the 13), ``"gr"`` or a list.
    method
        ``"binomial"`` (default): exact binomial limits, interpolated on the
        mid-p scale (:func:`binomial_limits`), right also for small n and
        shares near 100 %; ``"normal"``: the normal approximation
        ``p0 ± z·sqrt(p0(1 − p0)/n)`` (:func:`normal_limits`).
    grid_size
        Number of grid points for the funnel lines (log-spaced whole numbers
        from 0.8 × the smallest to 1.1 × the largest respondent count).
    gender
        ``"T"``, ``"K"`` or ``"M"``.
    overdispersion_method
        ``"auto"`` (default): when the municipalities differ more than chance
        allows (``I·φ`` above the 95 % point of χ²(I − 1), φ from z scores
        winsorised 10 % in each tail), the limits are widened by the additive
        between-municipality variance τ² (Spiegelhalter 2005, as the NHS-R
        FunnelPlotR package does); ``"additive"``: always so; ``"none"``:
        limits for chance alone.

    Returns
    -------
    FunnelData

    Raises
    ------
    ParameterError
        Not a survey share, bad target/confidence/method.
    DataNotFoundError
        No respondent counts for the year, or no Riket value with
        ``target="riket"``.

    Notes
    -----
    A point is "outside" when its share lies strictly beyond a limit computed
    at its own respondent count. Limits assume each municipality's share is
    binomial around ``p0``; the module notes list what this leaves out. With
    290 municipalities, about 5 % fall outside the 95 % limits by chance alone.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> rows = [("U21463", "0000", 85.0), ("U23592", "0000", 80000.0),
    ...         ("U21463", "1480", 81.0), ("U23592", "1480", 3725.0),
    ...         ("U21463", "1407", 93.0), ("U23592", "1407", 93.0)]
    >>> cols = ["kpi", "municipality_id", "value"]
    >>> v = pd.DataFrame(rows, columns=cols).assign(year=2022, gender="T")
    >>> f = funnel_data(v, kpi="U21463", year=2022, catalog=load_catalog(),
    ...                 overdispersion_method="none")
    >>> f.target_label.replace(sv.NBSP, " ")
    'riket, 85 %'
    >>> print(f.points[["municipality_id", "outside_95", "outside_998"]].to_string(index=False))
    municipality_id  outside_95  outside_998
               1407        True        False
               1480        True         True
    >>> funnel_data(v, kpi="U21463", year=2022, catalog=load_catalog()).adjusted  # two differ
    True
    """
    year = _check_year(year)
    if method not in FUNNEL_METHODS:
        raise ParameterError(one_of_message("method", FUNNEL_METHODS, method))
    if overdispersion_method not in OVERDISPERSION_METHODS:
        raise ParameterError(
            one_of_message("overdispersion_method", OVERDISPERSION_METHODS, overdispersion_method)
        )
    # np.ndim tells one level (also a NumPy scalar or 0-d array) from a sequence of
    # levels; mypy cannot narrow on it, hence the cast.
    given: list[Any]
    if np.ndim(confidence) == 0:
        given = [confidence]
    else:
        given = list(cast("Sequence[float]", confidence))
    if not given:
        raise ParameterError("confidence är tom: ange minst en nivå, t.ex. 0.95.")
    levels = sorted({_check_confidence(c) for c in given})
    if isinstance(grid_size, bool) or not isinstance(grid_size, (int, np.integer)) or grid_size < 2:
        raise ParameterError(f"grid_size måste vara ett heltal ≥ 2, men {grid_size!r} angavs.")
    row = _survey_row(catalog, kpi)
    resp_kpi = row["respondents_kpi"]
    if not isinstance(resp_kpi, str):
        raise ParameterError(f"Katalogen anger inget antal svarande (respondents_kpi) för {kpi}.")
    df = _values_table(values, kpis=[kpi, resp_kpi], gender=gender)
    target_pct, target_label = _target(df, target, kpi=kpi, year=year, respondents_kpi=resp_kpi)
    p0 = _check_p0(target_pct / 100.0)

    main = df[(df["kpi"] == kpi) & (df["year"] == year)]
    ids = _select_ids(municipalities, main["municipality_id"], default="all")
    value = main.set_index("municipality_id")["value"].reindex(ids).to_numpy(dtype=float)
    resp = _companion(df, resp_kpi, year, ids)
    usable = np.isfinite(value) & np.isfinite(resp) & (resp >= 1)
    if not usable.any():
        raise DataNotFoundError(
            f"Inga kommuner har både värde och antal svarande ({resp_kpi}) för {kpi} {year}; "
            "Kolada har antal svarande från 2019 (och ingen undersökning 2021)."
        )
    limit_fn = binomial_limits if method == "binomial" else normal_limits
    n_int = np.where(usable, np.round(resp), 1.0)
    p = value / 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(usable, (p - p0) / np.sqrt(p0 * (1.0 - p0) / resp), np.nan)
    points = pd.DataFrame(
        {
            "kpi": kpi,
            "year": year,
            "municipality_id": ids,
            "is_gr": [m in GR_MUNICIPALITIES for m in ids],
            "value": value,
            "respondents": resp,
            "target": target_pct,
            "z": z,
        }
    )
    grid = _grid(resp[usable], grid_size)
    se = np.sqrt(p0 * (1.0 - p0) / resp[usable])
    phi, tau2, over = overdispersion(z[usable], se)
    adjust = overdispersion_method == "additive" or (overdispersion_method == "auto" and over)
    tau2 = tau2 if adjust else 0.0

    def inflated(n: np.ndarray, c: float) -> tuple[np.ndarray, np.ndarray]:
        with np.errstate(divide="ignore", invalid="ignore"):
            half = _z(c) * np.sqrt(p0 * (1.0 - p0) / n + tau2)
        return np.clip(p0 - half, 0.0, 1.0), np.clip(p0 + half, 0.0, 1.0)

    chance_frames: list[pd.DataFrame] = []
    frames: list[pd.DataFrame] = []
    for c in levels:
        lab = _level_label(c)
        lo, hi = inflated(n_int, c) if adjust else limit_fn(p0, n_int, confidence=c)
        lo = np.where(usable, lo * 100.0, np.nan)
        hi = np.where(usable, hi * 100.0, np.nan)
        points[f"lower_{lab}"] = lo
        points[f"upper_{lab}"] = hi
        outside = (value < lo) | (value > hi)
        points[f"outside_{lab}"] = pd.array(
            [bool(o) if u else pd.NA for o, u in zip(outside, usable, strict=True)],
            dtype="boolean",
        )
        for target_frames, fn in ((chance_frames, None), (frames, inflated if adjust else None)):
            glo, ghi = fn(grid, c) if fn is not None else limit_fn(p0, grid, confidence=c)
            target_frames.append(
                pd.DataFrame(
                    {
                        "n": grid.astype("int64"),
                        "confidence": c,
                        "level": f"{sv.prose(c * 100, 1)} %",
                        "lower": glo * 100.0,
                        "upper": ghi * 100.0,
                    }
                )
            )
    method_label = _method_label(method, levels, target)
    if adjust:
        method_label += (
            ", vidgade för att kommunerna skiljer sig mer än slumpen ger (överspridning: "
            f"additiv varians τ² = {sv.number(tau2 * 1e4, 1)} procentenheter², Spiegelhalter 2005)"
        )
    dispersion = float(np.nanmean(z[usable] ** 2))
    note = ""
    if dispersion > OVERDISPERSION_NOTE_ABOVE:
        note = (
            "Fler kommuner än slumpen ger hamnar utanför gränserna för enbart slump: "
            "skillnaderna mellan kommunerna är verkliga, inte bara slump. Spridningen är "
            f"{sv.number(dispersion, 1)} gånger så stor som slumpen ensam skulle ge."
        )
        if adjust:
            note += " Gränserna är därför vidgade; en kommun utanför dem skiljer sig tydligt."
    return FunnelData(
        kpi=kpi,
        year=year,
        points=points,
        limits=pd.concat(frames, ignore_index=True),
        target=target_pct,
        target_label=target_label,
        method=method,
        method_label=method_label,
        dispersion=dispersion,
        note=note,
        phi=phi,
        tau2=tau2,
        adjusted=adjust,
        chance_limits=pd.concat(chance_frames, ignore_index=True) if adjust else None,
    )
