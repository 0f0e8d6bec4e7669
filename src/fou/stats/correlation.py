"""Association analyses (*sambandsanalyser*) between key figures across municipalities.

Every function takes the tidy values table (:mod:`fou.core.schema`; only the
columns ``kpi, municipality_id, year, gender, value`` are used) and returns a
tidy table with **one row per test** and the same columns everywhere:

=================  ============================================================
``x, y``           the two key figures (Kolada ids)
``scope``          ``"gr"`` (the 13 GR municipalities), ``"riket"`` (all 290
                   municipalities; Riket ``0000`` and regions are not rows) or
                   ``"urval"`` (a given list); :data:`SCOPE_LABELS` names them
``year``           the year (``<NA>`` for analyses pooled over years)
``method``         ``"Pearson"``, ``"Spearman"`` or ``"Samband inom kommun (upprepade mätningar)"``
``n``              complete pairs actually used (missing values are dropped pairwise)
``r``              the correlation
``ci_low, ci_high``  Fisher-z confidence limits (see :func:`fisher_ci`)
``p_val``          two-sided p-value from the t distribution
``p_perm``         two-sided permutation p-value (NaN where none was run)
``p_adj``          p adjusted for multiple testing: ``p_perm`` where a
                   permutation test was run, else ``p_val``
``adjust``         the correction, by name (``"Holm"``, ``"Benjamini–Hochberg"``)
``significant``    ``p_adj < alpha``; never set from an unadjusted p
``flag_small_n``   ``n < min_n`` (10 unless given)
``flag_wide_ci``   CI wider than ``max_ci_width`` (0.5), or no CI at all
``n_tests``        how many tests the adjustment covered
``note``           Swedish explanation of flags and of missing results
=================  ============================================================

Pooled analyses add ``level`` (``"inom kommun"`` / ``"mellan kommuner"``),
``years``, ``n_municipalities`` and ``dof``; partial correlations add
``covariates`` and ``dof``.

With 13 municipalities an association must be strong to be distinguishable
from noise (:func:`min_significant_r` ≈ 0.55), and a screen of many pairs
produces false associations (:func:`expected_false_positives`). Municipal
associations describe municipalities, not individuals (ecological fallacy).

Functions here are pure: no I/O and no plotting.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as st

from fou.core import registry, sv, tidy
from fou.core.errors import ParameterError, check_choice, one_of_message
from fou.core.schema import require_analysis_columns
from fou.stats._estimators import (
    ADJUST_LABELS,
    CI_VARIANTS,
    METHOD_LABELS,
    METHODS,
    check_methods,
    check_n_resamples,
    check_probability,
    check_seed,
    ci_variant,
    complete_pairs,
    correlation,
    fisher_ci_arrays,
    is_constant,
    is_exact,
    min_significant_r_array,
    partial_corr_arrays,
    rm_corr_arrays,
    scores,
    screen_pairs,
    t_pvalue,
)

__all__ = [
    "ADJUST_LABELS",
    "LEVEL_BETWEEN",
    "LEVEL_WITHIN",
    "METHOD_LABELS",
    "RESULT_COLUMNS",
    "SCOPE_LABELS",
    "adjust_pvalues",
    "association_screen",
    "expected_false_positives",
    "fisher_ci",
    "gr_vs_national",
    "min_significant_r",
    "pair_count",
    "partial_association",
    "permutation_pvalue",
    "pooled_associations",
]

#: Columns every result table has, in this order.
RESULT_COLUMNS: tuple[str, ...] = (
    "x", "y", "scope", "year", "method", "n", "r", "ci_low", "ci_high",
    "p_val", "p_perm", "p_adj", "adjust", "significant", "flag_small_n",
    "flag_wide_ci", "n_tests", "note",
)  # fmt: skip
#: Scope codes and how reports name them.
SCOPE_LABELS: dict[str, str] = {
    "gr": "GR:s 13 kommuner (Göteborgsregionen)",
    "riket": "Riket (alla 290 kommuner)",
    "urval": "Eget urval av kommuner",
}
LEVEL_WITHIN = "inom kommun"
LEVEL_BETWEEN = "mellan kommuner"
#: Default threshold of ``flag_small_n``.
SMALL_N = 10
#: Default threshold of ``flag_wide_ci`` (width of the 95 % CI on the r scale).
WIDE_CI = 0.5
#: Families for the multiple-testing correction of a screen.
FAMILIES: tuple[str, ...] = ("matrix", "screen")
_SCOPE_KEYWORDS = ("gr", "all")
_REASONS: dict[str, str] = {
    "no_pairs": "Inga kommuner har värden för båda nyckeltalen.",
    "few_pairs": "Färre än 3 par med värden: sambandet kan inte skattas.",
    "constant": (
        "Minst ett av nyckeltalen har samma värde i alla kommuner: sambandet kan inte skattas."
    ),
    "single_year": "Bara ett år med värden: sambandet inom kommun kan inte skattas.",
    "no_within": (
        "Ingen variation över åren inom kommunerna: sambandet inom kommun kan inte skattas."
    ),
    "few_dof": "För få observationer för sambandet inom kommun.",
    "collinear": "Nyckeltalet förklaras helt av kontrollvariablerna: partiell korrelation saknas.",
}


# --------------------------------------------------------------------------- small public helpers


def fisher_ci(
    r: float | Sequence[float] | np.ndarray,
    n: int | Sequence[int] | np.ndarray,
    *,
    confidence: float = 0.95,
    method: str = "pearson",
) -> tuple[float, float] | tuple[np.ndarray, np.ndarray]:
    """Confidence interval of a correlation by Fisher's z transformation.

    ``z = artanh(r)``, ``z ± q·se`` with ``q`` the normal quantile, then
    ``tanh`` back to the r scale. The standard error depends on *method*:

    * ``"pearson"``: ``se² = 1/(n − 3)`` (as :meth:`scipy.stats.pearsonr`
      ``.confidence_interval()`` and pingouin);
    * ``"spearman"``: ``se² = (1 + r²/2)/(n − 3)``, the Bonett & Wright (2000)
      approximation for Spearman's rho, used for every Spearman CI in
      :mod:`fou`;
    * ``"fieller"``: ``se² = 1.06/(n − 3)`` (Fieller, Hartley & Pearson 1957),
      the older Spearman approximation.

    Parameters
    ----------
    r
        Correlation(s).
    n
        Number(s) of pairs. The interval is NaN when ``n ≤ 3``.
    confidence
        Confidence level, between 0 and 1.
    method
        ``"pearson"``, ``"spearman"`` or ``"fieller"``.

    Returns
    -------
    tuple
        ``(low, high)``: floats for scalar input, arrays otherwise.

    References
    ----------
    Bonett, D. G., & Wright, T. A. (2000). Sample size requirements for
    estimating Pearson, Kendall and Spearman correlations. *Psychometrika*,
    65(1), 23–28.

    Examples
    --------
    The domain brief's example, r = 0.5 among the 13 GR municipalities:

    >>> low, high = fisher_ci(0.5, 13)
    >>> round(low, 2), round(high, 2)
    (-0.07, 0.82)
    >>> fisher_ci(0.5, 3)
    (nan, nan)
    """
    confidence = check_probability(confidence, "confidence")
    method = check_choice(method, CI_VARIANTS, "method")
    low, high = fisher_ci_arrays(r, n, confidence=confidence, variant=method)
    if np.ndim(r) == 0 and np.ndim(n) == 0:
        return float(low), float(high)
    return low, high


def adjust_pvalues(p: Sequence[float] | np.ndarray, *, method: str) -> np.ndarray:
    """Adjust p-values for multiple testing; missing p-values stay missing.

    Computed here on the non-missing values, as
    :func:`statsmodels.stats.multitest.multipletests` computes them (the tests
    check the two agree): statsmodels' function runs a full garbage collection
    on every call, which costs a quarter of a second in a report that holds
    many figures and is called dozens of times per report.

    Parameters
    ----------
    p
        p-values (NaN allowed).
    method
        ``"holm"`` (Holm–Bonferroni, controls the family-wise error rate; for
        confirmatory questions) or ``"fdr_bh"`` (Benjamini–Hochberg, controls
        the false discovery rate; for screens).

    Returns
    -------
    numpy.ndarray
        Adjusted p-values, same shape, NaN where *p* is NaN.

    Examples
    --------
    >>> adjust_pvalues([0.01, np.nan, 0.04, 0.03], method="holm").round(3).tolist()
    [0.03, nan, 0.06, 0.06]
    """
    method = check_choice(method, tuple(ADJUST_LABELS), "adjust")
    arr = np.asarray(p, dtype=float)
    out = np.full(arr.shape, np.nan)
    ok = ~np.isnan(arr)
    if np.any((arr[ok] < 0) | (arr[ok] > 1)):
        raise ParameterError("p-värden måste ligga mellan 0 och 1 (eller saknas).")
    if ok.any():
        out[ok] = _holm(arr[ok]) if method == "holm" else _benjamini_hochberg(arr[ok])
    return out


def _holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjustment: running maximum of ``(m - i) p_(i)``, at most 1."""
    order = np.argsort(p, kind="mergesort")
    m = len(p)
    stepped = np.maximum.accumulate(p[order] * np.arange(m, 0, -1))
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def _benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg: running minimum, from the largest, of ``m p_(i) / i``, at most 1."""
    order = np.argsort(p, kind="mergesort")
    m = len(p)
    scaled = p[order] * m / np.arange(1, m + 1)
    stepped = np.minimum.accumulate(scaled[::-1])[::-1]
    out = np.empty(m)
    out[order] = np.minimum(stepped, 1.0)
    return out


def permutation_pvalue(
    x: Sequence[float] | np.ndarray,
    y: Sequence[float] | np.ndarray,
    *,
    method: str = "pearson",
    n_resamples: int = 9999,
    seed: int | None = 0,
) -> float:
    """Two-sided permutation p-value of a correlation.

    Pairs with a missing value are dropped. The pairing of *x* with *y* is
    permuted by :func:`scipy.stats.permutation_test`
    (``permutation_type="pairings"``); the test is exact (all ``n!``
    permutations) when ``n ≤ 8`` or ``n! ≤ n_resamples``, otherwise
    *n_resamples* random permutations are drawn and the p-value is
    ``(count + 1)/(n_resamples + 1)`` per tail, doubled (scipy's rule).
    Spearman permutes ranks of the complete pairs.

    Parameters
    ----------
    x, y
        Values of equal length.
    method
        ``"pearson"`` or ``"spearman"``.
    n_resamples
        Random permutations when the test is not exact.
    seed
        Seed for :func:`numpy.random.default_rng` (None: not reproducible).

    Returns
    -------
    float
        The p-value; NaN with fewer than 3 complete pairs or a constant series.

    Examples
    --------
    >>> x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    >>> y = [1.2, 1.9, 3.5, 3.9, 5.1, 6.3]
    >>> permutation_pvalue(x, y)  # exact: 2 of 720 permutations are as extreme
    0.002777777777777778
    """
    method = check_choice(method, METHODS, "method")
    checked = check_n_resamples(n_resamples)
    if checked is None:
        raise ParameterError("n_resamples måste vara ett positivt heltal, t.ex. 9999.")
    n_resamples = checked
    seed = check_seed(seed)
    xa, ya = complete_pairs(x, y)
    m = xa.size
    if m < 3 or is_constant(xa) or is_constant(ya):
        return float("nan")
    a, b = scores(xa, method), scores(ya, method)
    den = np.sqrt((a @ a) * (b @ b))

    def statistic(a_perm: np.ndarray, axis: int = -1) -> np.ndarray:
        return (a_perm @ b) / den

    res = st.permutation_test(
        (a,),
        statistic,
        permutation_type="pairings",
        vectorized=True,
        n_resamples=np.inf if is_exact(m, n_resamples) else n_resamples,
        alternative="two-sided",
        rng=np.random.default_rng(seed),
    )
    return float(res.pvalue)


def min_significant_r(
    n: int | Sequence[int] | np.ndarray, alpha: float = 0.05
) -> float | np.ndarray:
    """Smallest |r| that is significant at *alpha* (two-sided t-test, no correction).

    ``r_c = t_c / sqrt(n − 2 + t_c²)`` with ``t_c`` the ``1 − alpha/2``
    quantile of the t distribution with ``n − 2`` degrees of freedom.

    Parameters
    ----------
    n
        Number of municipalities (pairs); NaN for ``n < 3``.
    alpha
        Significance level.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> round(min_significant_r(13), 3)   # GR-13
    0.553
    >>> round(min_significant_r(290), 3)  # all municipalities
    0.115
    """
    alpha = check_probability(alpha, "alpha")
    out = min_significant_r_array(n, alpha)
    return float(out) if np.ndim(n) == 0 else out


def pair_count(n_kpis: int) -> int:
    """Number of pairs among *n_kpis* key figures, ``k(k − 1)/2``.

    Examples
    --------
    >>> pair_count(20)
    190
    """
    if isinstance(n_kpis, bool) or not isinstance(n_kpis, (int, np.integer)) or n_kpis < 0:
        raise ParameterError(f"antal nyckeltal måste vara ett heltal ≥ 0, men {n_kpis!r} angavs.")
    return int(n_kpis) * (int(n_kpis) - 1) // 2


def expected_false_positives(n_pairs: int, alpha: float = 0.05) -> float:
    """Expected number of false "associations" among *n_pairs* tests without correction.

    If no pair is truly associated, each test is significant with probability
    *alpha*, so ``n_pairs · alpha`` are expected.

    Examples
    --------
    >>> expected_false_positives(pair_count(20))  # 20 key figures, 190 pairs
    9.5
    """
    alpha = check_probability(alpha, "alpha")
    if isinstance(n_pairs, bool) or not isinstance(n_pairs, (int, np.integer)) or n_pairs < 0:
        raise ParameterError(f"antal par måste vara ett heltal ≥ 0, men {n_pairs!r} angavs.")
    return float(n_pairs * alpha)


# --------------------------------------------------------------------------- input handling


def _check_kpi_ids(values: pd.DataFrame, kpis: Iterable[str], name: str) -> list[str]:
    out = list(kpis)
    for k in out:
        if not isinstance(k, str):
            raise ParameterError(
                f"{name}: nyckeltal anges som text (t.ex. 'U21463'), men {k!r} angavs."
            )
    dup = sorted({k for k in out if out.count(k) > 1})
    if dup:
        raise ParameterError(f"{name}: nyckeltalen {', '.join(dup)} anges mer än en gång.")
    known = set(values["kpi"].unique())
    unknown = [k for k in out if k not in known]
    if unknown:
        raise ParameterError(
            f"{name}: "
            + one_of_message("nyckeltal", sorted(known), unknown[0], limit=12)
            + (f" (även okända: {', '.join(unknown[1:])})" if len(unknown) > 1 else "")
        )
    return out


def _resolve_scope(municipalities: str | Iterable[str]) -> tuple[str, list[str]]:
    if isinstance(municipalities, str):
        if municipalities == "gr":
            return "gr", list(registry.GR_MUNICIPALITIES)
        if municipalities == "all":
            return "riket", registry.municipality_ids(kind="K")
        raise ParameterError(
            one_of_message(
                "municipalities", [*_SCOPE_KEYWORDS, "en lista med kommuner"], municipalities
            )
        )
    ids = list(
        dict.fromkeys(registry.resolve_municipalities(municipalities, parameter="municipalities"))
    )
    regions = [m for m in ids if m.startswith("00")]
    if regions:
        raise ParameterError(
            f"municipalities: {', '.join(regions)} är riket eller en region, inte en kommun; "
            "samband beräknas över kommuner."
        )
    if len(ids) < 3:
        raise ParameterError(f"municipalities: minst 3 kommuner behövs, men {len(ids)} angavs.")
    if set(ids) == set(registry.GR_MUNICIPALITIES):
        return "gr", ids
    return "urval", ids


def _as_years(year: int | Iterable[int] | None, name: str) -> list[int] | None:
    if year is None:
        return None
    items = [year] if isinstance(year, (int, np.integer, str)) else list(year)
    out = []
    for y in items:
        if isinstance(y, bool) or not isinstance(y, (int, np.integer)):
            raise ParameterError(
                f"{name} måste vara årtal som heltal (t.ex. 2019), men {y!r} angavs."
            )
        out.append(int(y))
    if not out:
        raise ParameterError(f"{name}: ange minst ett år.")
    return sorted(dict.fromkeys(out))


def _resolve_years(sel: pd.DataFrame, year: int | Iterable[int] | None, name: str) -> list[int]:
    """Years to analyse: all present (None), or the requested ones.

    A single requested year must be in the table. From a list, years without
    rows are kept (they show up as empty results, e.g. 2021 when the user
    survey was not run), but at least one must be present.
    """
    present = sorted(int(y) for y in sel["year"].unique())
    wanted = _as_years(year, name)
    if wanted is None:
        if not present:
            raise ParameterError(
                "Det finns inga värden för de valda nyckeltalen, kommunerna och könet."
            )
        return present
    absent = [y for y in wanted if y not in present]
    single = isinstance(year, (int, np.integer))
    if absent and (single or len(absent) == len(wanted)):
        span = f"{present[0]}–{present[-1]}" if present else "inga år"
        raise ParameterError(
            f"{name}: {', '.join(map(str, absent))} finns inte i tabellen för de valda nyckeltalen "
            f"(tillgängliga år: {span})."
        )
    return wanted


def _wide(sel: pd.DataFrame, *, index: str | list[str], kpis: Sequence[str]) -> pd.DataFrame:
    wide = tidy.to_wide(sel, index=index)
    return wide.reindex(columns=list(kpis))


def _matrix(sel: pd.DataFrame, year: int, ids: Sequence[str], kpis: Sequence[str]) -> np.ndarray:
    sub = sel[sel["year"] == year]
    wide = _wide(sub, index="municipality_id", kpis=kpis).reindex(index=list(ids))
    return wide.to_numpy(dtype=float)


# --------------------------------------------------------------------------- result tables


def _reason(n: int, r: float) -> str:
    if n == 0:
        return "no_pairs"
    if n < 3:
        return "few_pairs"
    if np.isnan(r):
        return "constant"
    return ""


def _note(
    *,
    n: int,
    r: float,
    ci_low: float,
    ci_high: float,
    small: bool,
    wide: bool,
    scope: str,
    reason: str,
    rc: float,  # smallest significant |r| (NaN: no GR reminder)
    alpha: float,
    min_n: int,
    max_ci_width: float,
) -> str:
    """Swedish explanation of one result row (why it is missing, what its flags mean)."""
    parts: list[str] = []
    reason = reason or _reason(n, r)
    if reason:
        parts.append(_REASONS[reason])
    estimated = not np.isnan(r)
    if estimated and np.isnan(ci_low):
        parts.append("För få par för ett konfidensintervall (minst 4 behövs).")
    if estimated and small:
        parts.append(
            f"Litet urval (n = {sv.integer(n)}, färre än {sv.integer(min_n)}): tolka försiktigt."
        )
    if estimated and wide and not np.isnan(ci_low):
        parts.append(
            f"Brett konfidensintervall ({sv.number(ci_low, 2)} till {sv.number(ci_high, 2)}, "
            f"bredare än {sv.number(max_ci_width, 2)}): skattningen är osäker."
        )
    if scope == "gr" and estimated and not np.isnan(rc):
        parts.append(
            f"GR:s 13 kommuner: med {sv.quantity(n, 'kommun', 'kommuner')} behöver "
            f"korrelationen vara minst {sv.number(rc, 2)} eller högst {sv.number(-rc, 2)} "
            f"för p < {sv.number(alpha, sv.fewest_decimals([alpha]))} före korrektion för "
            "många test."
        )
    return " ".join(parts)


def _notes(df: pd.DataFrame, *, alpha: float, min_n: int, max_ci_width: float) -> list[str]:
    n = df["n"].to_numpy(dtype=np.int64)
    # the reminder for GR's 13: smallest significant |r| for the test's degrees of freedom
    dof = (
        df["dof"].astype("Float64").fillna(np.nan).to_numpy(dtype=float) if "dof" in df else n - 2.0
    )
    rc = np.where(
        n >= 3, min_significant_r_array(np.where(np.isnan(dof), n - 2.0, dof) + 2, alpha), np.nan
    )
    if "level" in df:
        rc = np.where(df["level"].to_numpy() == LEVEL_BETWEEN, rc, np.nan)
    info = pd.DataFrame(
        {
            "n": n,
            "r": df["r"].to_numpy(dtype=float),
            "ci_low": df["ci_low"].to_numpy(dtype=float),
            "ci_high": df["ci_high"].to_numpy(dtype=float),
            "small": df["flag_small_n"].to_numpy(dtype=bool),
            "wide": df["flag_wide_ci"].to_numpy(dtype=bool),
            "scope": df["scope"].to_numpy(),
            "reason": df["reason"].to_numpy() if "reason" in df else "",
            "rc": rc,
        }
    )
    return [
        _note(**row._asdict(), alpha=alpha, min_n=min_n, max_ci_width=max_ci_width)
        for row in info.itertuples(index=False)
    ]


@dataclass(frozen=True)
class _Reporting:
    """Checked settings that turn the tests of one call into a result table (:func:`_finalise`).

    Attributes
    ----------
    adjust
        Multiple-testing correction (statsmodels name).
    alpha
        Significance level applied to ``p_adj``.
    min_n, max_ci_width
        Thresholds of ``flag_small_n`` and ``flag_wide_ci``.
    """

    adjust: str
    alpha: float
    min_n: int
    max_ci_width: float


#: From this many municipalities the t distribution gives the p-value of a correlation.
ASYMPTOTIC_FROM = 30


def _finalise(
    df: pd.DataFrame,
    reporting: _Reporting,
    *,
    family_keys: Sequence[str],
    use_perm: bool,
    extra: Sequence[str] = (),
) -> pd.DataFrame:
    """Add p_adj, significance, flags and notes; order the columns."""
    adjust, alpha = reporting.adjust, reporting.alpha
    min_n, max_ci_width = reporting.min_n, reporting.max_ci_width
    df = df.reset_index(drop=True)
    if "_basis" in df:
        basis = df.pop("_basis").to_numpy(dtype=float)
    else:
        basis = (df["p_perm"] if use_perm else df["p_val"]).to_numpy(dtype=float)
    p_adj = np.full(len(df), np.nan)
    n_tests = np.zeros(len(df), dtype=np.int64)
    groups = (
        df.groupby(list(family_keys), sort=False, dropna=False).indices
        if family_keys
        else {None: np.arange(len(df))}
    )
    for idx in groups.values():
        idx = np.asarray(idx)
        p_adj[idx] = adjust_pvalues(basis[idx], method=adjust)
        n_tests[idx] = int(np.count_nonzero(~np.isnan(basis[idx])))
    df["p_adj"] = p_adj
    df["adjust"] = ADJUST_LABELS[adjust]
    df["significant"] = np.nan_to_num(p_adj, nan=1.0) < alpha
    df["flag_small_n"] = df["n"].to_numpy() < min_n
    width = (df["ci_high"] - df["ci_low"]).to_numpy(dtype=float)
    df["flag_wide_ci"] = ~(width <= max_ci_width)
    df["n_tests"] = n_tests
    df["note"] = pd.Series(
        _notes(df, alpha=alpha, min_n=min_n, max_ci_width=max_ci_width), dtype=str
    )
    cols = list(RESULT_COLUMNS)
    after = {"level": "scope", "years": "year", "covariates": "y"}
    for c in extra:  # descriptive extras next to their kin, counts (dof, …) before r
        pos = cols.index(after[c]) + 1 if c in after else cols.index("r")
        cols.insert(pos, c)
    out = df[cols].copy()
    out["n"] = out["n"].astype("int64")
    return out


def _check_thresholds(min_n: int, max_ci_width: float) -> tuple[int, float]:
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 1:
        raise ParameterError(f"min_n måste vara ett positivt heltal, men {min_n!r} angavs.")
    if (
        isinstance(max_ci_width, bool)
        or not isinstance(max_ci_width, (int, float, np.floating))
        or not 0 < max_ci_width <= 2
    ):
        raise ParameterError(
            f"max_ci_width måste vara ett tal i (0, 2], men {max_ci_width!r} angavs."
        )
    return int(min_n), float(max_ci_width)


def _warn_resolution(
    frame: pd.DataFrame, family_keys: Sequence[str], n_resamples: int, alpha: float
) -> None:
    """Warn if random permutations cannot reach significance after correction."""
    floor = 2.0 / (n_resamples + 1)
    counts = (
        frame.groupby(list(family_keys), sort=False)["p_perm"].count()
        if family_keys
        else pd.Series([frame["p_perm"].count()])
    )
    worst = int(counts.max()) if len(counts) else 0
    if worst and floor * worst > alpha:
        needed = math.ceil(2.0 * worst / alpha)
        warnings.warn(
            f"Med n_resamples = {n_resamples} är minsta möjliga permutations-p {floor:.1e}; med "
            f"{worst} test i samma familj kan ett enskilt samband inte bli signifikant efter "
            f"korrektion. Öka n_resamples till minst {needed} eller använd n_resamples=None "
            "(p från t-fördelningen).",
            UserWarning,
            stacklevel=3,
        )


# --------------------------------------------------------------------------- screens


def _screen_frame(
    sel: pd.DataFrame,
    *,
    kpis: Sequence[str],
    ids: Sequence[str],
    years: Sequence[int],
    scope: str,
    methods: Sequence[str],
    n_resamples: int | None,
    seed: int | None,
    permute_below: int | None = None,
) -> pd.DataFrame:
    blocks = [_matrix(sel, y, ids, kpis) for y in years]
    results = screen_pairs(blocks, methods=methods, n_resamples=n_resamples, seed=seed,
                           permute_below=permute_below)  # fmt: skip
    pairs = list(itertools.combinations(kpis, 2))
    xs = [p[0] for p in pairs]
    ys = [p[1] for p in pairs]
    parts = []
    for year, res in zip(years, results, strict=True):
        for method in methods:
            pr = res[method]
            low, high = fisher_ci_arrays(pr.r, pr.n, variant=ci_variant(method))
            parts.append(
                pd.DataFrame(
                    {
                        "x": xs,
                        "y": ys,
                        "scope": scope,
                        "year": np.int64(year),
                        "method": METHOD_LABELS[method],
                        "n": pr.n,
                        "r": pr.r,
                        "ci_low": low,
                        "ci_high": high,
                        "p_val": t_pvalue(pr.r, pr.n - 2),
                        "p_perm": pr.p_perm,
                    }
                )
            )
    return pd.concat(parts, ignore_index=True)


def association_screen(
    values: pd.DataFrame,
    *,
    kpis: Sequence[str],
    adjust: str,
    year: int | Iterable[int] | None = None,
    municipalities: str | Iterable[str] = "gr",
    method: str | Iterable[str] = "spearman",
    alpha: float = 0.05,
    n_resamples: int | None = 9999,
    seed: int | None = 0,
    gender: str = "T",
    family: str = "matrix",
    min_n: int = SMALL_N,
    max_ci_width: float = WIDE_CI,
    permute_below: int | None = None,
) -> pd.DataFrame:
    """Screen all pairs of key figures for associations across municipalities.

    For each year, scope and method, every pair of *kpis* is correlated over
    the municipalities that have values for both (pairwise deletion), with a
    Fisher-z confidence interval, a t-test p-value, a permutation p-value and
    a p-value adjusted for the number of pairs.

    Parameters
    ----------
    values
        Tidy values table.
    kpis
        At least two key-figure ids; pairs follow this order (``x`` before ``y``).
    adjust
        Multiple-testing correction, required: ``"holm"`` (confirmatory) or
        ``"fdr_bh"`` (Benjamini–Hochberg; for exploratory screens).
    year
        One year, several, or None for every year in the table.
    municipalities
        ``"gr"`` (the 13 GR municipalities), ``"all"`` (all 290
        municipalities; Riket and regions excluded) or a list of ids/names.
    method
        ``"spearman"``, ``"pearson"`` or both, e.g. ``("spearman", "pearson")``.
    alpha
        Significance level applied to ``p_adj``.
    n_resamples
        Random permutations per pair (exact enumeration for ``n ≤ 8``);
        None skips the permutation test and ``p_adj`` adjusts ``p_val``.
    seed
        Seed of the permutations (None: not reproducible). Each pair gets the
        permutations :func:`permutation_pvalue` would use with the same seed.
    gender
        ``"T"``, ``"K"`` or ``"M"``.
    family
        Which tests are corrected together: ``"matrix"`` (default; the pairs
        of one year, scope and method, i.e. one correlation matrix) or
        ``"screen"`` (every row of the result).
    min_n, max_ci_width
        Thresholds of ``flag_small_n`` and ``flag_wide_ci``.
    permute_below
        Permute only pairs with fewer municipalities than this; pairs with at
        least this many are judged by the t distribution (``p_perm`` NaN).
        None (default) permutes every pair. :data:`ASYMPTOTIC_FROM` (30) is
        where the t approximation of Pearson's and Spearman's r is accurate
        to the second decimal of p, which a correction over hundreds of tests
        needs and 9 999 permutations cannot give (their smallest p is 2·10⁻⁴).

    Returns
    -------
    pandas.DataFrame
        One row per pair × method × year (columns in :data:`RESULT_COLUMNS`).

    Warns
    -----
    UserWarning
        When ``n_resamples`` is too small for the number of tests: with
        ``B`` permutations no p-value is below ``2/(B + 1)``, so with ``m``
        tests Holm cannot flag anything if ``2m/(B + 1) > alpha``.

    Notes
    -----
    * ``r`` is Pearson's r or Spearman's rho (average ranks for ties) of the
      complete pairs; ``n`` counts them. Fewer than 3 pairs or a constant
      series give NaN.
    * CI: Fisher z with ``se² = 1/(n − 3)`` for Pearson and the Bonett–Wright
      approximation ``se² = (1 + r²/2)/(n − 3)`` for Spearman (see
      :func:`fisher_ci`); NaN for ``n ≤ 3``.
    * ``p_val``: t distribution with ``n − 2`` degrees of freedom (as
      :func:`scipy.stats.pearsonr` / :func:`scipy.stats.spearmanr`).
    * ``p_perm``: as :func:`permutation_pvalue`. The permutation matrix is
      drawn once per number of pairs and shared by the pairs, so the null
      distributions are computed with one matrix product per key figure.
    * ``significant`` comes only from ``p_adj``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> base = rng.normal(size=13)
    >>> rows = [
    ...     {"kpi": k, "municipality_id": m, "year": 2022, "gender": "T",
    ...      "value": float(base[i] * w + rng.normal())}
    ...     for k, w in [("U21463", 1.0), ("U21468", 1.0), ("N20900", 0.0)]
    ...     for i, m in enumerate(registry.GR_MUNICIPALITIES)
    ... ]
    >>> res = association_screen(pd.DataFrame(rows), kpis=["U21463", "U21468", "N20900"],
    ...                          adjust="fdr_bh", n_resamples=999)
    >>> res[["x", "y", "n", "adjust"]]
            x       y   n              adjust
    0  U21463  U21468  13  Benjamini–Hochberg
    1  U21463  N20900  13  Benjamini–Hochberg
    2  U21468  N20900  13  Benjamini–Hochberg
    """
    require_analysis_columns(values)
    adjust = check_choice(adjust, tuple(ADJUST_LABELS), "adjust")
    methods = check_methods(method)
    alpha = check_probability(alpha, "alpha")
    n_resamples = check_n_resamples(n_resamples)
    seed = check_seed(seed)
    family = check_choice(family, FAMILIES, "family")
    min_n, max_ci_width = _check_thresholds(min_n, max_ci_width)
    if isinstance(kpis, str):
        raise ParameterError(
            "kpis måste vara en lista med minst två nyckeltal, t.ex. ['U21463', 'U21468']."
        )
    kpi_list = _check_kpi_ids(values, kpis, "kpis")
    if len(kpi_list) < 2:
        raise ParameterError(
            f"kpis: minst två nyckeltal behövs för samband, men {len(kpi_list)} angavs."
        )
    scope, ids = _resolve_scope(municipalities)
    sel = tidy.select(values, kpis=kpi_list, municipalities=ids, gender=gender)
    years = _resolve_years(sel, year, "year")
    frame = _screen_frame(
        sel,
        kpis=kpi_list,
        ids=ids,
        years=years,
        scope=scope,
        methods=methods,
        n_resamples=n_resamples,
        seed=seed,
        permute_below=permute_below,
    )
    keys = ("scope", "year", "method") if family == "matrix" else ()
    if n_resamples is not None:
        _warn_resolution(frame, keys, n_resamples, alpha)
    reporting = _Reporting(adjust, alpha, min_n, max_ci_width)
    if permute_below is not None and n_resamples is not None:
        # the t distribution where no permutations were run (n at least permute_below)
        large = frame["n"].to_numpy() >= permute_below
        frame["p_perm"] = frame["p_perm"].where(~large)
        frame["_basis"] = np.where(large, frame["p_val"], frame["p_perm"])
    return _finalise(frame, reporting, family_keys=keys, use_perm=n_resamples is not None)


def gr_vs_national(
    values: pd.DataFrame,
    *,
    kpis: Sequence[str],
    adjust: str,
    year: int | Iterable[int] | None = None,
    method: str | Iterable[str] = "spearman",
    alpha: float = 0.05,
    n_resamples: int | None = 9999,
    seed: int | None = 0,
    gender: str = "T",
    min_n: int = SMALL_N,
    max_ci_width: float = WIDE_CI,
    wide: bool = True,
) -> pd.DataFrame:
    """Show each association among the 13 GR municipalities next to the national one.

    Runs :func:`association_screen` for ``municipalities="gr"`` and
    ``"all"`` (all 290 municipalities, GR included) with the same settings;
    each scope is corrected separately (one family per year, scope and
    method).

    Parameters
    ----------
    values, kpis, adjust, year, method, alpha, n_resamples, seed, gender, min_n, max_ci_width
        As in :func:`association_screen`.
    wide
        True: one row per pair × year × method with ``_gr`` and ``_riket``
        columns side by side; False: the long table (scopes ``gr`` and
        ``riket`` as rows).

    Returns
    -------
    pandas.DataFrame
        Wide: ``x, y, year, method``, then ``n, r, ci_low, ci_high, p_val,
        p_perm, p_adj, significant, flag_small_n, flag_wide_ci`` with suffix
        ``_gr`` and ``_riket``, then ``adjust``, ``same_sign`` (r has the same
        sign in both), ``riket_in_gr_ci`` (the national r lies inside GR's
        CI) and ``pattern`` (Swedish: ``"GR förenligt med riket"``, ``"GR
        avviker från riket"`` or ``"kan inte bedömas"``). GR being
        *compatible* with the national pattern is weak evidence with 13
        municipalities: the GR interval is wide.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> ids = registry.municipality_ids()
    >>> base = rng.normal(size=len(ids))
    >>> rows = [{"kpi": k, "municipality_id": m, "year": 2022, "gender": "T",
    ...          "value": float(base[i] + rng.normal())}
    ...         for k in ("U21463", "U21468") for i, m in enumerate(ids)]
    >>> res = gr_vs_national(pd.DataFrame(rows), kpis=["U21463", "U21468"], adjust="holm",
    ...                      n_resamples=999)
    >>> res[["n_gr", "n_riket"]].iloc[0].tolist()
    [13, 290]
    """

    def screen(municipalities: str) -> pd.DataFrame:
        return association_screen(
            values, municipalities=municipalities, kpis=kpis, adjust=adjust, year=year,
            method=method, alpha=alpha, n_resamples=n_resamples, seed=seed, gender=gender,
            min_n=min_n, max_ci_width=max_ci_width,
        )  # fmt: skip

    gr = screen("gr")
    riket = screen("all")
    if not wide:
        return pd.concat([gr, riket], ignore_index=True)
    keys = ["x", "y", "year", "method"]
    per_scope = [
        "n", "r", "ci_low", "ci_high", "p_val", "p_perm", "p_adj", "significant",
        "flag_small_n", "flag_wide_ci",
    ]  # fmt: skip
    out = gr[keys + per_scope].merge(
        riket[keys + per_scope], on=keys, how="left", suffixes=("_gr", "_riket"), validate="1:1"
    )
    out["adjust"] = ADJUST_LABELS[adjust]
    same = np.sign(out["r_gr"]) == np.sign(out["r_riket"])
    inside = (out["r_riket"] >= out["ci_low_gr"]) & (out["r_riket"] <= out["ci_high_gr"])
    known = out[["r_gr", "r_riket", "ci_low_gr", "ci_high_gr"]].notna().all(axis=1)
    out["same_sign"] = same & known
    out["riket_in_gr_ci"] = inside & known
    out["pattern"] = np.where(
        ~known,
        "kan inte bedömas",
        np.where(inside, "GR förenligt med riket", "GR avviker från riket"),
    )
    return out


# --------------------------------------------------------------------------- pooled and partial


def pooled_associations(
    values: pd.DataFrame,
    *,
    x: str,
    y: str,
    years: int | Iterable[int] | None = None,
    municipalities: str | Iterable[str] = "gr",
    method: str = "pearson",
    gender: str = "T",
    adjust: str = "holm",
    alpha: float = 0.05,
    min_n: int = SMALL_N,
    max_ci_width: float = WIDE_CI,
) -> pd.DataFrame:
    """Separate the within-municipality and the between-municipality association over years.

    * **inom kommun** (within): the repeated-measures correlation of
      Bakdash & Marusich (2017): do years in which a municipality is above
      its own average on *x* also tend to be above its own average on *y*?
      Each municipality's mean is removed; ``dof = n − k − 1`` for ``n``
      observations of ``k`` municipalities with at least two years;
      CI by Fisher z with ``n_eff = dof + 2`` and a t-test on ``dof``
      (as :func:`pingouin.rm_corr` and R's ``rmcorr``).
    * **mellan kommuner** (between): the correlation (*method*) of the
      municipalities' means over the same municipality-years; are
      municipalities that are high on *x* on average also high on *y*?

    Only municipality-years with both values are used (for both levels).
    With a single year the within association is not estimable (NaN row,
    noted); municipalities with one year count only in the between level.
    The two rows are corrected together (*adjust*, default Holm).
    Associations between municipalities say nothing about individuals.

    Parameters
    ----------
    values
        Tidy values table.
    x, y
        Key-figure ids.
    years
        Years to pool (None: all in the table).
    municipalities
        ``"gr"``, ``"all"`` or a list of ids/names.
    method
        Correlation of the means: ``"pearson"`` or ``"spearman"``. The
        within level is always the (linear) repeated-measures correlation.
    gender, adjust, alpha, min_n, max_ci_width
        As in :func:`association_screen`.

    Returns
    -------
    pandas.DataFrame
        Two rows, ``level`` ``"inom kommun"`` and ``"mellan kommuner"``, with
        :data:`RESULT_COLUMNS` plus ``level``, ``years`` (e.g. ``"2015–2022"``),
        ``n_municipalities`` and ``dof``; ``year`` is ``<NA>`` and ``p_perm``
        NaN.

    Examples
    --------
    >>> rng = np.random.default_rng(3)
    >>> level = rng.normal(size=13)
    >>> rows = []
    >>> for i, m in enumerate(registry.GR_MUNICIPALITIES):
    ...     for t in range(2016, 2021):
    ...         e = rng.normal()
    ...         rows.append({"kpi": "U21463", "municipality_id": m, "year": t, "gender": "T",
    ...                      "value": level[i] + e})
    ...         rows.append({"kpi": "U21468", "municipality_id": m, "year": t, "gender": "T",
    ...                      "value": -level[i] + e + 0.5 * rng.normal()})
    >>> res = pooled_associations(pd.DataFrame(rows), x="U21463", y="U21468")
    >>> res["level"].tolist(), (res["r"] > 0).tolist()
    (['inom kommun', 'mellan kommuner'], [True, False])
    """
    x, y, method, reporting = _check_pair_args(
        values, x, y, method, adjust, alpha, min_n, max_ci_width
    )
    scope, ids = _resolve_scope(municipalities)
    sel = tidy.select(values, kpis=[x, y], municipalities=ids, gender=gender)
    year_list = _resolve_years(sel, years, "years")
    sel = sel[sel["year"].isin(year_list)]
    wide = _wide(sel, index=["municipality_id", "year"], kpis=[x, y])
    complete = wide.dropna(subset=[x, y])
    mids = complete.index.get_level_values("municipality_id").to_numpy()
    used_years = sorted(set(complete.index.get_level_values("year")))
    span = (
        f"{used_years[0]}–{used_years[-1]}"
        if len(used_years) > 1
        else (str(used_years[0]) if used_years else f"{year_list[0]}–{year_list[-1]}")
    )

    r_w, dof_w, n_w, k_w = rm_corr_arrays(complete[x].to_numpy(), complete[y].to_numpy(), mids)
    if len(used_years) == 1:
        reason_w = "single_year"
    elif n_w == 0:
        reason_w = "no_pairs" if complete.empty else "single_year"
    elif dof_w < 1:
        reason_w = "few_dof"
    elif np.isnan(r_w):
        reason_w = "no_within"
    else:
        reason_w = ""
    low_w, high_w = fisher_ci_arrays(r_w, dof_w + 2, variant="pearson")

    means = complete.groupby(level="municipality_id")[[x, y]].mean()
    n_b = len(means)
    r_b = correlation(means[x].to_numpy(), means[y].to_numpy(), method) if n_b else float("nan")
    low_b, high_b = fisher_ci_arrays(r_b, n_b, variant=ci_variant(method))

    frame = pd.DataFrame(
        {
            "x": x,
            "y": y,
            "scope": scope,
            "level": [LEVEL_WITHIN, LEVEL_BETWEEN],
            "year": pd.array([pd.NA, pd.NA], dtype="Int64"),
            "years": span,
            "method": [METHOD_LABELS["rmcorr"], METHOD_LABELS[method]],
            "n": [n_w, n_b],
            "n_municipalities": [k_w, n_b],
            "dof": _dof([dof_w, n_b - 2]),
            "r": [r_w, r_b],
            "ci_low": [float(low_w), float(low_b)],
            "ci_high": [float(high_w), float(high_b)],
            "p_val": [float(t_pvalue(r_w, dof_w)), float(t_pvalue(r_b, n_b - 2))],
            "p_perm": np.nan,
            "reason": [reason_w, _reason(n_b, r_b)],
        }
    )
    return _finalise(
        frame,
        reporting,
        family_keys=(),
        use_perm=False,
        extra=("level", "years", "n_municipalities", "dof"),
    )


def _dof(values: Sequence[int]) -> pd.arrays.IntegerArray:
    """Degrees of freedom as nullable integers; ``<NA>`` where fewer than one."""
    return pd.array([int(v) if v >= 1 else pd.NA for v in values], dtype="Int64")


def _check_xy(values: pd.DataFrame, x: str, y: str) -> tuple[str, str]:
    for name, v in (("x", x), ("y", y)):
        if not isinstance(v, str):
            raise ParameterError(f"{name} måste vara ett nyckeltals-id (text), men {v!r} angavs.")
    if x == y:
        raise ParameterError(f"x och y måste vara olika nyckeltal, men båda är {x!r}.")
    _check_kpi_ids(values, [x, y], "x, y")
    return x, y


def _check_pair_args(
    values: pd.DataFrame,
    x: str,
    y: str,
    method: str,
    adjust: str,
    alpha: float,
    min_n: int,
    max_ci_width: float,
) -> tuple[str, str, str, _Reporting]:
    """Check the arguments of an analysis of one pair *x*, *y* (pooled or partial).

    Parameters
    ----------
    values, x, y, method, adjust, alpha, min_n, max_ci_width
        As in :func:`pooled_associations` and :func:`partial_association`.

    Returns
    -------
    tuple
        ``(x, y, method, reporting)``, checked in the order values table,
        method, adjust, alpha, thresholds, key figures.
    """
    require_analysis_columns(values)
    method = check_choice(method, METHODS, "method")
    adjust = check_choice(adjust, tuple(ADJUST_LABELS), "adjust")
    alpha = check_probability(alpha, "alpha")
    min_n, max_ci_width = _check_thresholds(min_n, max_ci_width)
    x, y = _check_xy(values, x, y)
    return x, y, method, _Reporting(adjust, alpha, min_n, max_ci_width)


def partial_association(
    values: pd.DataFrame,
    *,
    x: str,
    y: str,
    covariates: str | Sequence[str],
    year: int | Iterable[int],
    municipalities: str | Iterable[str] = "gr",
    method: str = "pearson",
    gender: str = "T",
    adjust: str = "holm",
    alpha: float = 0.05,
    min_n: int = SMALL_N,
    max_ci_width: float = WIDE_CI,
) -> pd.DataFrame:
    """Association of *x* and *y* with structural covariates held constant (partial correlation).

    For example, is user satisfaction related to costs once the share of
    inhabitants aged 80+ (``N01813``) is accounted for? *x* and *y* are
    regressed on the covariates (least squares with intercept) and the
    residuals are correlated; Spearman ranks every variable first. This is
    :func:`pingouin.partial_corr` (R: ``ppcor::pcor.test``).

    Municipalities missing any of the variables are dropped (listwise); ``n``
    counts the rest, ``dof = n − k − 2`` for ``k`` covariates, the p-value is
    from the t distribution with ``dof``, and the CI is Fisher z with
    ``n − k`` in place of ``n`` (Bonett–Wright variance for Spearman).

    Parameters
    ----------
    values
        Tidy values table.
    x, y
        Key-figure ids.
    covariates
        One id or a list (e.g. ``["N01813"]``).
    year
        One year or several (one row per year).
    municipalities
        ``"gr"``, ``"all"`` or a list of ids/names.
    method
        ``"pearson"`` or ``"spearman"``.
    gender, adjust, alpha, min_n, max_ci_width
        As in :func:`association_screen`; the rows (years) are corrected together.

    Returns
    -------
    pandas.DataFrame
        One row per year with :data:`RESULT_COLUMNS` plus ``covariates``
        (comma-separated ids) and ``dof``; ``p_perm`` is NaN.

    Examples
    --------
    >>> rng = np.random.default_rng(4)
    >>> z = rng.normal(size=13)
    >>> data = {"N01813": z, "U21463": z + 0.3 * rng.normal(size=13),
    ...         "U21468": z + 0.3 * rng.normal(size=13)}
    >>> rows = [{"kpi": k, "municipality_id": m, "year": 2022, "gender": "T", "value": float(v[i])}
    ...         for k, v in data.items() for i, m in enumerate(registry.GR_MUNICIPALITIES)]
    >>> res = partial_association(pd.DataFrame(rows), x="U21463", y="U21468",
    ...                           covariates=["N01813"], year=2022)
    >>> res[["x", "y", "covariates", "n", "dof"]]
            x       y covariates   n  dof
    0  U21463  U21468     N01813  13   10
    """
    x, y, method, reporting = _check_pair_args(
        values, x, y, method, adjust, alpha, min_n, max_ci_width
    )
    covs = [covariates] if isinstance(covariates, str) else list(covariates)
    if not covs:
        raise ParameterError("covariates: ange minst en kontrollvariabel, t.ex. ['N01813'].")
    clash = [c for c in covs if c in (x, y)]
    if clash:
        raise ParameterError(f"covariates: {', '.join(clash)} är också x eller y.")
    covs = _check_kpi_ids(values, covs, "covariates")
    if year is None:
        raise ParameterError(
            "year: ange ett år (eller en lista med år) för den partiella korrelationen."
        )
    scope, ids = _resolve_scope(municipalities)
    variables = [x, y, *covs]
    sel = tidy.select(values, kpis=variables, municipalities=ids, gender=gender)
    year_list = _resolve_years(sel, year, "year")
    k = len(covs)
    rows = []
    for yr in year_list:
        sub = sel[sel["year"] == yr]
        data = _wide(sub, index="municipality_id", kpis=variables).dropna()
        n = len(data)
        r = partial_corr_arrays(data.to_numpy(dtype=float), method)
        reason = _reason(n, r)
        if reason == "constant" and not np.any(is_constant(data.to_numpy(dtype=float))):
            reason = "collinear"
        low, high = fisher_ci_arrays(r, n - k, variant=ci_variant(method))
        rows.append(
            {
                "x": x, "y": y, "covariates": ", ".join(covs), "scope": scope, "year": np.int64(yr),
                "method": METHOD_LABELS[method], "n": n, "dof": n - k - 2, "r": r,
                "ci_low": float(low), "ci_high": float(high),
                "p_val": float(t_pvalue(r, n - k - 2)), "p_perm": np.nan, "reason": reason,
            }
        )  # fmt: skip
    frame = pd.DataFrame(rows)
    frame["dof"] = _dof(frame["dof"].tolist())
    return _finalise(frame, reporting, family_keys=(), use_perm=False, extra=("covariates", "dof"))
