"""Time a full association screen: every catalogue key figure, all municipalities, 10 years.

Usage::

    .venv/bin/python benchmarks/bench_screen.py                 # default cases
    .venv/bin/python benchmarks/bench_screen.py --n-resamples 999 --years 3

Data: the project's demo generator (:func:`fou.data.demo.generate_demo_values`) when
it is importable and has the needed shape, else a local synthetic table of the
same shape (latent traits per municipality, survey-like suppression shared by
the key figures of one survey area, one year without survey). Nothing is read
from or written to disk.

Prints one line per case: wall time, number of tests and tests per second.
The last case is the worst case for the engine: missing values scattered at
random, so that almost no two pairs share their complete municipalities.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from fou.core import registry
from fou.core.catalog import load_catalog
from fou.stats import association_screen, pair_count
from fou.stats.correlation import ASYMPTOTIC_FROM


def local_synthetic(kpis: list[str], years: list[int], *, seed: int = 1) -> pd.DataFrame:
    """Synthetic values table: all municipalities × *kpis* × *years* (gender T).

    Values are ``trait loadings + municipality drift + noise``, rounded to one
    decimal (so ties occur). About half of the key figures behave like survey
    items: missing for every municipality in the second-to-last year and
    suppressed for the same ~5 % of municipalities within a survey area.
    """
    rng = np.random.default_rng(seed)
    ids = registry.municipality_ids()
    n, k, t = len(ids), len(kpis), len(years)
    traits = rng.normal(size=(n, 4))
    loadings = rng.normal(scale=0.8, size=(4, k))
    level = traits @ loadings
    survey = rng.random(k) < 0.5
    area = rng.integers(0, 2, size=k)
    suppressed = rng.random((2, n, t)) < 0.05
    frames = []
    for ti, year in enumerate(years):
        v = (50 + 10 * level + rng.normal(scale=3, size=(n, k))).round(1)
        for j in np.flatnonzero(survey):
            v[suppressed[area[j], :, ti], j] = np.nan
            if ti == t - 2:
                v[:, j] = np.nan
        frames.append(
            pd.DataFrame(
                {
                    "kpi": np.repeat(kpis, n),
                    "municipality_id": np.tile(ids, k),
                    "year": year,
                    "gender": "T",
                    "value": v.T.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def load_values(
    kpis: list[str], n_years: int, *, local: bool = False
) -> tuple[pd.DataFrame, list[int], str]:
    """Demo data if available with the right shape (and not *local*), else the local generator."""
    try:
        if local:
            raise LookupError("--local angavs")
        from fou.data.demo import generate_demo_values

        values = generate_demo_values()
        years = sorted(int(y) for y in values["year"].unique())[-n_years:]
        present = set(values["kpi"])
        if len(years) == n_years and all(k in present for k in kpis):
            return values, years, "fou.data.demo.generate_demo_values()"
    except Exception as exc:
        print(f"(demodata används inte: {type(exc).__name__}: {exc})")
    years = list(range(2016, 2016 + n_years))
    return local_synthetic(kpis, years), years, "lokal syntetisk generator"


def method_text(res: pd.DataFrame, n_resamples: int | None, permute_below: int | None) -> str:
    """How the p-values of a screen were computed, and why that is valid at its n."""
    n = res.loc[res["r"].notna(), "n"]
    if n_resamples is None:
        return f"p: t-fördelningen för alla par (n {n.min()}–{n.max()})"
    if permute_below is None:
        return f"p: {n_resamples} permutationer per par (n {n.min()}–{n.max()})"
    small = int((n < permute_below).sum())
    return (
        f"p: t-fördelningen för {int((n >= permute_below).sum())} par med n ≥ {permute_below} "
        f"(n {n.min()}–{n.max()}; t-approximationen av r är noggrann från n ≈ {permute_below}, "
        f"och ger de små p som korrektionen över många test behöver), "
        f"{n_resamples} permutationer för {small} par med mindre n"
    )


def run_case(name: str, values: pd.DataFrame, **kwargs) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        res = association_screen(values, **kwargs)
        elapsed = time.perf_counter() - start
    tests = int(res["r"].notna().sum())
    warned = " (varning: för få permutationer för antalet test)" if caught else ""
    print(
        f"{name:<58} {elapsed:8.2f} s  {len(res):6d} rader  {tests:6d} test  "
        f"{tests / elapsed:8.0f} test/s{warned}"
    )
    print(f"    {method_text(res, kwargs.get('n_resamples'), kwargs.get('permute_below'))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10, help="antal år (standard 10)")
    parser.add_argument("--n-resamples", type=int, default=9999, help="permutationer per par")
    parser.add_argument("--quick", action="store_true", help="bara de snabba fallen")
    parser.add_argument(
        "--local", action="store_true", help="lokal syntetisk data i stället för demodata"
    )
    args = parser.parse_args()

    kpis = load_catalog().ids()
    t0 = time.perf_counter()
    values, years, origin = load_values(kpis, args.years, local=args.local)
    print(
        f"Data: {origin}; {len(kpis)} nyckeltal ({pair_count(len(kpis))} par), "
        f"{len(registry.municipality_ids())} kommuner, år {years[0]}–{years[-1]} "
        f"({time.perf_counter() - t0:.1f} s att skapa)"
    )
    common = {"kpis": kpis, "adjust": "fdr_bh", "seed": 0}
    b = args.n_resamples
    run_case(
        f"GR-13, {len(years)} år, Spearman+Pearson, B={b}",
        values,
        municipalities="gr",
        year=years,
        method=("spearman", "pearson"),
        n_resamples=b,
        **common,
    )
    run_case(
        f"Riket, 1 år, Spearman, B={b}",
        values,
        municipalities="all",
        year=years[-1],
        method="spearman",
        n_resamples=b,
        **common,
    )
    run_case(
        f"Riket, {len(years)} år, Spearman, utan permutationer",
        values,
        municipalities="all",
        year=years,
        method="spearman",
        n_resamples=None,
        **common,
    )
    run_case(
        f"Riket, {len(years)} år, Spearman, B={b} under n = {ASYMPTOTIC_FROM} (mål < 2 s)",
        values,
        municipalities="all",
        year=years,
        method="spearman",
        n_resamples=b,
        permute_below=ASYMPTOTIC_FROM,
        **common,
    )
    rng = np.random.default_rng(0)
    scattered = values.copy()
    scattered.loc[rng.random(len(scattered)) < 0.03, "value"] = np.nan
    run_case(
        f"Riket, 1 år, Spearman, 3 % utspridda bortfall, B={b} under n = {ASYMPTOTIC_FROM} "
        "(mål ≥ 2 000 test/s)",
        scattered,
        municipalities="all",
        year=years[-1],
        method="spearman",
        n_resamples=b,
        permute_below=ASYMPTOTIC_FROM,
        **common,
    )
    if args.quick:
        return
    run_case(
        f"Riket, {len(years)} år, Spearman, B={b}",
        values,
        municipalities="all",
        year=years,
        method="spearman",
        n_resamples=b,
        **common,
    )
    run_case(
        f"Riket, {len(years)} år, Spearman+Pearson, B={b}",
        values,
        municipalities="all",
        year=years,
        method=("spearman", "pearson"),
        n_resamples=b,
        **common,
    )

    # Worst case: missing values scattered independently (3 %), so almost every
    # pair has its own set of complete municipalities and no permuted scores
    # can be shared between pairs.
    run_case(
        f"Riket, 1 år, Spearman, B={b}, 3 % utspridda bortfall",
        scattered,
        municipalities="all",
        year=years[-1],
        method="spearman",
        n_resamples=b,
        **common,
    )


if __name__ == "__main__":
    main()
