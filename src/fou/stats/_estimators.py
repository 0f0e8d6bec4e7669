"""Small configured estimators behind :mod:`fou.stats.correlation`.

Computation only (no tables, no I/O), in the spirit of seaborn's
``_statistics.py``: every function takes arrays and returns arrays, so the
public functions in :mod:`fou.stats.correlation` stay thin and the numerics
are tested in one place.

Two conventions make the permutation engine reproduce
:func:`scipy.stats.permutation_test` exactly:

* a correlation is computed from *centred scores*: deviations from the mean
  (Pearson) or doubled, centred average ranks ``2·rank − (n + 1)`` (Spearman,
  whole numbers even with ties, so sums of products are exact);
* random permutations are drawn as scipy draws them for
  ``permutation_type="pairings"`` with one sample
  (``rng.permuted(tile(arange(n), (B, 1, 1)), axis=-1)`` with
  ``rng = numpy.random.default_rng(seed)``), the test is exact (all ``n!``
  permutations) when ``n ≤ 8`` or ``n! ≤ B``, and p-values follow scipy's
  two-sided rule (twice the smaller tail, ``+1`` in numerator and denominator
  for random permutations, ties within ``100·eps·|r|``).

A screen therefore gives, for every pair, the same permutation p-value as
:func:`fou.stats.correlation.permutation_pvalue` with the same seed, while
drawing each permutation matrix only once per number of pairs ``n`` and
computing the null distributions of many pairs with one matrix product.
"""

from __future__ import annotations

import contextlib
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats as st

from fou.core.errors import ParameterError, check_choice

try:  # installed with scikit-learn/pingouin; optional here
    from threadpoolctl import threadpool_limits
except ImportError:  # pragma: no cover - fall back to the BLAS default
    threadpool_limits = None

#: Correlation methods accepted by the screen, pairwise and partial functions.
METHODS: tuple[str, ...] = ("pearson", "spearman")
#: Method names as they appear in result tables.
METHOD_LABELS: dict[str, str] = {
    "pearson": "Pearson",
    "spearman": "Spearman",
    "rmcorr": "Samband inom kommun (upprepade mätningar)",
}
#: Multiple-testing corrections (statsmodels names) and their names in result tables.
ADJUST_LABELS: dict[str, str] = {"holm": "Holm", "fdr_bh": "Benjamini–Hochberg"}
#: Fisher-z standard-error variants accepted by :func:`fisher_ci_arrays`.
CI_VARIANTS: tuple[str, ...] = ("pearson", "spearman", "fieller")
#: Up to this many pairs the permutation test enumerates all n! permutations.
EXACT_MAX_N = 8
#: Elements of a permuted score block held in memory at once (about 16 MB).
_CHUNK_ELEMENTS = 2**21


# --------------------------------------------------------------------------- checks


def check_methods(method: str | Iterable[str]) -> tuple[str, ...]:
    """Normalise ``"spearman"`` or ``("spearman", "pearson")`` to a tuple of unique methods."""
    items = [method] if isinstance(method, str) else list(method)
    if not items:
        raise ParameterError("method: ange minst en av 'pearson', 'spearman'.")
    out = tuple(dict.fromkeys(check_choice(m, METHODS, "method") for m in items))
    return out


def check_probability(value: object, name: str) -> float:
    """Return *value* as float if ``0 < value < 1``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)):
        raise ParameterError(f"{name} måste vara ett tal mellan 0 och 1, men {value!r} angavs.")
    v = float(value)
    if not 0.0 < v < 1.0:
        raise ParameterError(
            f"{name} måste ligga mellan 0 och 1 (inte inklusive), men {value!r} angavs."
        )
    return v


def check_n_resamples(value: object) -> int | None:
    """Return a positive number of permutations, or None (no permutation test)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < 1:
        raise ParameterError(
            "n_resamples måste vara ett positivt heltal (t.ex. 9999) eller None, men "
            f"{value!r} angavs."
        )
    return int(value)


def check_seed(value: object) -> int | None:
    """Return an integer seed ≥ 0, or None (fresh randomness)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or int(value) < 0:
        raise ParameterError(f"seed måste vara ett heltal ≥ 0 eller None, men {value!r} angavs.")
    return int(value)


# --------------------------------------------------------------------------- estimators


def scores(values: np.ndarray, method: str) -> np.ndarray:
    """Centred scores along axis 0: deviations from the mean, or doubled centred ranks.

    Parameters
    ----------
    values
        1-D or 2-D array without missing values (columns are variables).
    method
        ``"pearson"`` (deviations from the mean) or ``"spearman"``
        (``2·rank − (n + 1)`` with average ranks for ties).

    Returns
    -------
    numpy.ndarray
        Same shape as *values*; the correlation of two score vectors ``a, b``
        is ``a @ b / sqrt((a @ a) (b @ b))``.

    Examples
    --------
    >>> scores(np.array([3.0, 1.0, 1.0, 7.0]), "spearman").tolist()
    [1.0, -2.0, -2.0, 3.0]
    """
    v = np.asarray(values, dtype=float)
    if method == "spearman":
        return 2.0 * st.rankdata(v, axis=0) - (v.shape[0] + 1)
    return v - v.mean(axis=0)


def is_constant(values: np.ndarray) -> np.ndarray | bool:
    """True where a variable (column) takes one value only (exact comparison)."""
    v = np.asarray(values, dtype=float)
    if v.shape[0] == 0:
        return np.ones(v.shape[1:], dtype=bool) if v.ndim > 1 else True
    return np.ptp(v, axis=0) == 0


def correlation(x: np.ndarray, y: np.ndarray, method: str) -> float:
    """Correlation of two complete vectors; NaN if fewer than 3 pairs or a constant vector.

    Examples
    --------
    >>> round(correlation(np.array([1.0, 2, 3, 4]), np.array([1.0, 3, 2, 4]), "pearson"), 6)
    0.8
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.shape[0] < 3 or is_constant(x) or is_constant(y):
        return float("nan")
    a, b = scores(x, method), scores(y, method)
    r = float(a @ b / np.sqrt((a @ a) * (b @ b)))
    return float(np.clip(r, -1.0, 1.0))


def complete_pairs(
    x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Drop the pairs where *x* or *y* is missing (pairwise deletion)."""
    xa = np.asarray(x, dtype=float).ravel()
    ya = np.asarray(y, dtype=float).ravel()
    if xa.shape != ya.shape:
        raise ParameterError(
            f"x och y måste ha lika många värden, men x har {xa.size} och y har {ya.size}."
        )
    keep = ~(np.isnan(xa) | np.isnan(ya))
    return xa[keep], ya[keep]


def t_pvalue(r: np.ndarray | float, dof: np.ndarray | float) -> np.ndarray:
    """Two-sided p-value of a correlation from the t distribution with *dof* degrees of freedom.

    ``t = r · sqrt(dof / (1 − r²))``; NaN where *r* is missing or ``dof < 1``.
    """
    r = np.asarray(r, dtype=float)
    dof = np.asarray(dof, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = r * np.sqrt(dof / (1.0 - r**2))
        p = 2.0 * st.t.sf(np.abs(t), dof)
    p = np.where(np.abs(r) >= 1.0, 0.0, p)
    return np.where(np.isnan(r) | ~(dof >= 1), np.nan, p)


def fisher_ci_arrays(
    r: np.ndarray | Sequence[float] | float,
    n: np.ndarray | Sequence[float] | float,
    *,
    confidence: float = 0.95,
    variant: str = "pearson",
) -> tuple[np.ndarray, np.ndarray]:
    """Fisher-z confidence limits, vectorised; NaN where ``n ≤ 3`` or *r* is missing.

    ``z = artanh(r)``, ``z ± q·se``, back-transformed with ``tanh``, where
    ``q`` is the normal quantile and ``se²`` is ``1/(n − 3)`` (``pearson``),
    ``(1 + r²/2)/(n − 3)`` (``spearman``, Bonett & Wright 2000) or
    ``1.06/(n − 3)`` (``fieller``, Fieller, Hartley & Pearson 1957).
    """
    variant = check_choice(variant, CI_VARIANTS, "method")
    r = np.asarray(r, dtype=float)
    n = np.asarray(n, dtype=float)
    q = st.norm.ppf(0.5 + confidence / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        if variant == "pearson":
            var = 1.0 / (n - 3.0)
        elif variant == "spearman":
            var = (1.0 + r**2 / 2.0) / (n - 3.0)
        else:
            var = 1.06 / (n - 3.0)
        z = np.arctanh(np.clip(r, -1.0, 1.0))
        half = q * np.sqrt(var)
        low, high = np.tanh(z - half), np.tanh(z + half)
    bad = np.isnan(r) | ~(n > 3)
    return np.where(bad, np.nan, low), np.where(bad, np.nan, high)


def ci_variant(method: str) -> str:
    """Fisher-z variant used for a correlation method (Spearman: Bonett–Wright)."""
    return "spearman" if method == "spearman" else "pearson"


def min_significant_r_array(n: np.ndarray | Sequence[float] | float, alpha: float) -> np.ndarray:
    """Smallest |r| with two-sided t-test p < *alpha*: ``t_c / sqrt(n − 2 + t_c²)``."""
    n = np.asarray(n, dtype=float)
    dof = n - 2.0
    with np.errstate(invalid="ignore"):
        tc = st.t.isf(alpha / 2.0, dof)
        out = tc / np.sqrt(dof + tc**2)
    return np.where(n >= 3, out, np.nan)


def rm_corr_arrays(
    x: np.ndarray, y: np.ndarray, subject: np.ndarray
) -> tuple[float, int, int, int]:
    """Repeated-measures correlation (Bakdash & Marusich 2017) of complete observations.

    Each subject's own mean is removed from *x* and *y*; the correlation of
    the deviations is the common within-subject slope standardised, as in the
    ANCOVA formulation ``r = sign(b)·sqrt(SS_x / (SS_x + SS_error))``.
    Subjects with one observation carry no within information and are
    dropped (they would add one observation and one parameter, leaving the
    degrees of freedom unchanged).

    Returns
    -------
    tuple
        ``(r, dof, n, k)``: r (NaN if not estimable), ``dof = n − k − 1``,
        observations used and subjects used.
    """
    _, codes = np.unique(np.asarray(subject), return_inverse=True)
    codes = codes.ravel()
    keep = np.bincount(codes)[codes] >= 2
    x, y = np.asarray(x, dtype=float)[keep], np.asarray(y, dtype=float)[keep]
    _, g = np.unique(codes[keep], return_inverse=True)
    g = g.ravel()
    n = int(keep.sum())
    k = int(g.max()) + 1 if n else 0
    dof = n - k - 1
    if n == 0:
        return float("nan"), dof, n, k
    size = np.bincount(g, minlength=k)
    mx = np.bincount(g, weights=x, minlength=k) / size
    my = np.bincount(g, weights=y, minlength=k) / size
    # constant within every subject? (exact check against each subject's first value)
    first = np.unique(g, return_index=True)[1]
    x_varies = bool(np.any(x != x[first][g]))
    y_varies = bool(np.any(y != y[first][g]))
    if dof < 1 or not x_varies or not y_varies:
        return float("nan"), dof, n, k
    dx, dy = x - mx[g], y - my[g]
    r = float(dx @ dy / np.sqrt((dx @ dx) * (dy @ dy)))
    return float(np.clip(r, -1.0, 1.0)), dof, n, k


def partial_corr_arrays(data: np.ndarray, method: str) -> float:
    """Partial correlation of columns 0 and 1 given the remaining columns.

    Complete rows only. Spearman ranks every column first (as
    :func:`pingouin.partial_corr` and R's ``ppcor`` do). The residuals of
    columns 0 and 1 after least-squares regression on an intercept and the
    covariates are correlated.
    """
    d = np.asarray(data, dtype=float)
    if d.shape[0] < 3 or np.any(is_constant(d)):
        return float("nan")
    if method == "spearman":
        d = st.rankdata(d, axis=0)
    d = (d - d.mean(axis=0)) / d.std(axis=0)
    design = np.column_stack([np.ones(d.shape[0]), d[:, 2:]])
    coef, *_ = np.linalg.lstsq(design, d[:, :2], rcond=None)
    res = d[:, :2] - design @ coef
    ss = (res**2).sum(axis=0)
    scale = (d[:, :2] ** 2).sum(axis=0)
    if np.any(ss <= 1e-20 * scale):  # x or y is explained exactly by the covariates
        return float("nan")
    r = float(res[:, 0] @ res[:, 1] / np.sqrt(ss[0] * ss[1]))
    return float(np.clip(r, -1.0, 1.0))


# --------------------------------------------------------------------------- permutations


def is_exact(n: int, n_resamples: int) -> bool:
    """True if the permutation test enumerates all ``n!`` permutations."""
    return n <= EXACT_MAX_N or math.factorial(n) <= n_resamples


def permutation_indices(n: int, n_resamples: int, seed: int | None) -> tuple[np.ndarray, bool]:
    """Permutations of ``range(n)``, one per row, drawn as scipy draws them.

    Returns
    -------
    tuple
        ``(indices, exact)``: all ``n!`` permutations if :func:`is_exact`,
        else *n_resamples* random ones from ``default_rng(seed)``.
    """
    if is_exact(n, n_resamples):
        return np.array(list(itertools.permutations(range(n))), dtype=np.intp).reshape(-1, n), True
    rng = np.random.default_rng(seed)
    idx = np.tile(np.arange(n, dtype=np.intp), (n_resamples, 1, 1))
    return rng.permuted(idx, axis=-1)[:, 0, :], False


def _tail_counts(
    a: np.ndarray,
    b: np.ndarray,
    den: np.ndarray,
    obs: np.ndarray,
    perms: np.ndarray,
    *,
    integer: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Count null correlations at or below / at or above the observed ones.

    With whole-number scores (Spearman) whose products sum to less than
    2**24 in absolute value (n up to about 360), single precision gives every
    sum of products exactly, in any summation order, so the faster float32
    matrix product returns the same null distribution as float64.
    """
    gamma = np.abs(np.finfo(float).eps * 100 * obs)
    less = np.zeros(obs.shape, dtype=np.int64)
    greater = np.zeros(obs.shape, dtype=np.int64)
    bound = np.sqrt((a @ a) * np.max((b * b).sum(axis=0)))  # Cauchy–Schwarz bound on |sums|
    if integer and bound < 2**24:
        a, b = a.astype(np.float32), b.astype(np.float32)
    step = max(1, _CHUNK_ELEMENTS // max(1, a.shape[0]))
    for start in range(0, perms.shape[0], step):
        null = (a[perms[start : start + step]] @ b).astype(float, copy=False) / den
        less += np.count_nonzero(null <= obs + gamma, axis=0)
        greater += np.count_nonzero(null >= obs - gamma, axis=0)
    return less, greater


def two_sided_from_counts(
    less: np.ndarray, greater: np.ndarray, n_perm: int, exact: bool
) -> np.ndarray:
    """scipy's two-sided permutation p-value: twice the smaller tail, clipped to 1."""
    adj = 0 if exact else 1
    pl = (less + adj) / (n_perm + adj)
    pg = (greater + adj) / (n_perm + adj)
    return np.clip(2.0 * np.minimum(pl, pg), 0.0, 1.0)


@dataclass
class _Group:
    """Pairs (i, j) of one block whose complete rows are the same."""

    block: int
    i: int
    rows: np.ndarray
    js: np.ndarray


@dataclass
class PairResults:
    """Engine output for one block and method, pairs in ``combinations(range(k), 2)`` order."""

    n: np.ndarray
    r: np.ndarray
    p_perm: np.ndarray


def _pair_positions(k: int) -> np.ndarray:
    pos = np.full((k, k), -1, dtype=np.int64)
    iu = np.triu_indices(k, 1)
    pos[iu] = np.arange(iu[0].size)
    return pos


def screen_pairs(
    blocks: Sequence[np.ndarray],
    *,
    methods: Sequence[str],
    n_resamples: int | None,
    seed: int | None,
    permute_below: int | None = None,
) -> list[dict[str, PairResults]]:
    """Correlations and permutation p-values for all column pairs of several matrices.

    Parameters
    ----------
    blocks
        2-D float arrays (rows = municipalities, columns = key figures), NaN
        for missing; pairs are formed within each block.
    methods
        ``"pearson"`` and/or ``"spearman"``.
    n_resamples
        Random permutations per pair (None: no permutation test).
    seed
        Seed of :func:`numpy.random.default_rng`, used afresh for every
        number of complete pairs, so each pair gets the permutations scipy
        would draw for it with the same seed.
    permute_below
        Permute only pairs with fewer complete rows than this (None: all);
        the others keep ``p_perm`` NaN and are judged by the t distribution.

    Returns
    -------
    list of dict
        For each block, ``{method: PairResults}``; pairs with fewer than 3
        complete rows or a constant variable have r and p NaN.
    """
    results = [_empty_results(np.shape(w)[1], methods) for w in blocks]
    work = _group_pairs(blocks, results)
    with _one_blas_thread():
        _run_work(work, blocks, results, methods=methods, n_resamples=n_resamples, seed=seed,
                  permute_below=permute_below)  # fmt: skip
    return results


def _empty_results(k: int, methods: Sequence[str]) -> dict[str, PairResults]:
    n_pairs = k * (k - 1) // 2
    return {
        m: PairResults(
            n=np.zeros(n_pairs, dtype=np.int64),
            r=np.full(n_pairs, np.nan),
            p_perm=np.full(n_pairs, np.nan),
        )
        for m in methods
    }


def _unique_rows(masks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(masks, axis=0, return_inverse=True)`` for a boolean matrix, faster.

    Each row is packed into bytes and compared as one opaque value: the
    same unique rows in the same (lexicographic) order as ``np.unique``
    with ``axis=0``, which compares a structured view field by field.

    Examples
    --------
    >>> m = np.array([[True, False], [False, True], [True, False]])
    >>> uniq, inverse = _unique_rows(m)
    >>> uniq.tolist(), inverse.tolist()
    ([[False, True], [True, False]], [1, 0, 1])
    """
    width = masks.shape[1]
    packed = np.ascontiguousarray(np.packbits(masks, axis=1))
    as_one = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
    keys, inverse = np.unique(as_one, return_inverse=True)
    uniq = np.unpackbits(keys.view(np.uint8).reshape(len(keys), -1), axis=1, count=width)
    return uniq.astype(bool), inverse.ravel()


def _group_pairs(
    blocks: Sequence[np.ndarray], results: list[dict[str, PairResults]]
) -> dict[int, list[_Group]]:
    """Record pair counts; group the estimable pairs by first column and complete rows.

    Pairs (i, j) and (i, j') with the same complete rows share the permuted
    scores of column i, so their null distributions come from one matrix
    product. Groups are keyed by the number of complete rows, which decides
    the permutation matrix.
    """
    work: dict[int, list[_Group]] = defaultdict(list)
    for b, w in enumerate(blocks):
        present = ~np.isnan(np.asarray(w, dtype=float))
        k = present.shape[1]
        pos = _pair_positions(k)
        for i in range(k - 1):
            js = np.arange(i + 1, k)
            masks = present[:, [i]] & present[:, js]
            counts = masks.sum(axis=0)
            for res in results[b].values():
                res.n[pos[i, js]] = counts
            ok = counts >= 3
            if not ok.any():
                continue
            uniq, inverse = _unique_rows(masks[:, ok].T)
            for u in range(uniq.shape[0]):
                rows = np.flatnonzero(uniq[u])
                work[rows.size].append(_Group(b, i, rows, js[ok][inverse == u]))
    return work


def _one_blas_thread() -> contextlib.AbstractContextManager:
    """Limit BLAS to one thread while the null distributions are computed.

    The matrix products are small and memory-bound: one thread is about as
    fast as two on an idle machine and much faster when the cores are shared
    (e.g. with the batch runner), where BLAS threads wait for each other.
    """
    if threadpool_limits is None:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _run_work(
    work: dict[int, list[_Group]],
    blocks: Sequence[np.ndarray],
    results: list[dict[str, PairResults]],
    *,
    methods: Sequence[str],
    n_resamples: int | None,
    seed: int | None,
    permute_below: int | None = None,
) -> None:
    """Fill r and p_perm group by group, one permutation matrix per number of rows."""
    for m_rows in sorted(work):
        perms, exact = (None, False)
        if n_resamples is not None and (permute_below is None or m_rows < permute_below):
            perms, exact = permutation_indices(m_rows, n_resamples, seed)
        for g in work[m_rows]:
            w = np.asarray(blocks[g.block], dtype=float)
            xraw = w[g.rows, g.i]
            yraw = w[np.ix_(g.rows, g.js)]
            live = ~np.asarray(is_constant(yraw))  # yraw is 2-D: one flag per column
            if is_constant(xraw) or not live.any():
                continue  # r stays NaN: a constant series has no correlation
            yraw = yraw[:, live]
            pos = _pair_positions(w.shape[1])[g.i, g.js[live]]
            for method in methods:
                a, bm = scores(xraw, method), scores(yraw, method)
                den = np.sqrt((a @ a) * (bm * bm).sum(axis=0))
                obs = (a @ bm) / den
                res = results[g.block][method]
                res.r[pos] = np.clip(obs, -1.0, 1.0)
                if perms is not None:
                    less, greater = _tail_counts(
                        a, bm, den, obs, perms, integer=method == "spearman"
                    )
                    res.p_perm[pos] = two_sided_from_counts(less, greater, perms.shape[0], exact)
