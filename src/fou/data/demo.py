"""Deterministic synthetic demo data: every catalogue id, every municipality, twelve years.

The demo data set lets the whole workbench run offline and gives the
data-quality checks something to find. It is a parametric model with the
project's own constants, not real results, and is labelled as demo data
everywhere (``Provenance.source == "demo"``).

The model
---------
* **Municipalities** (all 290) get latent, standardised traits drawn once from
  the seed: ``size`` (log population 65+), ``old`` (age structure, negatively
  related to size), ``quality``, ``pc`` (person-centredness, correlated with
  quality), ``comp`` (staff competence), ``cost`` (cost tendency, related to
  age structure and small size), ``care`` (hospital–municipality cooperation)
  and ``falls``. A synthetic population 65+ follows from ``size`` (the three
  largest cities are made the largest). Traits persist over years, so
  municipality effects are stable, and key figures that load on the same trait
  are correlated (e.g. the person-centred survey items; costs with share 80+).
* **Key figures** follow ``level = centre + trend·t + spread·trait_mix +
  own slope·t + AR(1) noise`` on a linear or log scale, clipped to the unit's
  range and rounded as Kolada rounds. Costs grow about 3 % a year.
  ``N20048`` (kr/inv 80+), ``N20029`` (mnkr) and ``N20404`` (days/inv 65+) are
  derived from other key figures so that they are consistent with them.
* **User survey**: per area (home care, nursing homes) a municipality invites
  a share of its population 65+; response rates are 40–70 %. Results per
  gender are binomial draws from the municipality's true level, ``T`` pools
  ``K`` and ``M``. A result resting on fewer than ``catalog.min_respondents``
  (30) respondents is missing (suppressed), never 0; the companions carry the
  respondents (``T``, ``K``, ``M``), the response rate and the "fewer than 30"
  flag (``T``). In the catalogue's ``survey_not_run`` years (2021) every survey
  key figure and companion is missing for every municipality and aggregate.
* **Women and men** for register key figures the catalogue marks ``by_gender``:
  the two values straddle the total, with a gap of the municipality's own
  (``_gender_split``).
* **Definition breaks** from the catalogue are level shifts shared by about
  85 % of municipalities from the break year on (``N20900`` −6 points from
  2019, ``N23009`` +12 % from 2024); a break whose text says the key figure
  ended ("upphörde") ends the series (no rows from that year).
* **Riket (0000) and the 21 regions** are computed from their member
  municipalities before suppression and before the planted problems:
  respondent-weighted means for survey results (all respondents, also in
  suppressed municipalities), sums for respondents and mnkr, respondents /
  invited for response rates, and means weighted by the population 65+ for
  everything else. Their ``count`` is the number of contributing municipalities
  (as for Kolada group means); a municipality row has ``count = 1`` as in
  Kolada, whose respondents live in the companion key figures.

Planted problems
----------------
:data:`PLANTED` lists every deliberate problem (implausible jumps, a
percentage above 100, a negative cost, a stale key figure, unexplained gaps,
duplicates, and a level shift the catalogue does not list: ``N20029`` is
derived from ``N20900`` and so follows its new method from 2019) and the
catalogue's known features (breaks, ended key figures, the survey gap). Planted
problems sit in GR municipalities and elsewhere.

Duplicates cannot live in ``values.parquet``, whose keys the schema requires
to be unique: they are in the *delivery as received*, ``raw_values.parquet``
(:attr:`DemoData.raw`, :func:`read_demo_raw`), exactly as a raw Kolada
snapshot may repeat a row that processing then removes. The processed
``values`` keep the first of each duplicate. Run the duplicate check on the
raw table, e.g. ``fou.quality.check_duplicates(read_demo_raw(directory))``.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from fou.core.atomic import atomic_directory
from fou.core.catalog import Catalog, load_catalog
from fou.core.registry import (
    GR_GROUP_ID,
    GR_GROUP_TITLE,
    GR_MUNICIPALITIES,
    GROUP_COLUMNS,
    RIKET,
    SIMILAR_GROUP_IDS,
    municipalities,
)
from fou.core.schema import KEY_COLUMNS, coerce_values

#: Bump whenever the generated values change; stale demo directories are regenerated.
GENERATOR_VERSION = "3"
#: Default seed of the demo data set.
DEMO_SEED = 4711
#: Last (most recent complete) year of the demo data; fixed so output never depends on today.
DEMO_LAST_YEAR = 2025
#: Number of years.
DEMO_N_YEARS = 12
#: The demo years, ascending.
DEMO_YEARS: tuple[int, ...] = tuple(range(DEMO_LAST_YEAR - DEMO_N_YEARS + 1, DEMO_LAST_YEAR + 1))
#: Fixed creation time written to the provenance, so that the files are reproducible.
DEMO_CREATED_AT = f"{DEMO_LAST_YEAR + 1}-01-01T00:00:00+00:00"
#: ``source`` of every demo row.
DEMO_SOURCE = "demo"
#: File with the delivery as received (values plus the planted duplicates).
RAW_FILE = "raw_values.parquet"
#: Number of members of a synthetic "Liknande kommuner äldreomsorg" group.
SIMILAR_GROUP_SIZE = 7
#: Share of municipalities whose level shifts at a definition break.
BREAK_SHARE = 0.85

PLANTED_COLUMNS: tuple[str, ...] = (
    "problem", "kpi", "municipality_id", "year", "gender", "detail", "kind",
)  # fmt: skip

_TRAITS: tuple[str, ...] = ("size", "old", "quality", "pc", "comp", "cost", "care", "falls")
_BIG_CITIES: tuple[tuple[str, float], ...] = (("0180", 1.3), ("1480", 0.9), ("1280", 0.8))
_POP65_MEDIAN = 3800.0
_POP65_LOG_SD = 0.75
_POP65_GROWTH = 0.015


# ----------------------------------------------------------------------------- models


@dataclass(frozen=True)
class KpiModel:
    """How one key figure is generated.

    Attributes
    ----------
    centre
        Typical municipality level in the middle of the period.
    spread
        Between-municipality standard deviation (log units if *log_scale*).
    noise
        Year-to-year standard deviation within a municipality (AR(1), log units
        if *log_scale*). For survey key figures sampling noise comes on top.
    trend
        Change per year (log units if *log_scale*).
    loadings
        Weights on the latent municipality traits (``size, old, quality, pc,
        comp, cost, care, falls``); the rest of the spread is specific.
    log_scale
        Model the logarithm (costs, rates, days).
    lower, upper
        Clip to this range.
    decimals
        Rounding, as Kolada publishes the key figure.
    """

    centre: float
    spread: float
    noise: float
    trend: float = 0.0
    loadings: Mapping[str, float] = field(default_factory=dict)
    log_scale: bool = False
    lower: float | None = None
    upper: float | None = None
    decimals: int = 1


def _pct(
    centre: float,
    spread: float,
    noise: float = 1.0,
    trend: float = 0.0,
    decimals: int = 0,
    **loadings: float,
) -> KpiModel:
    """A percentage (0–100) on the linear scale."""
    return KpiModel(centre, spread, noise, trend, loadings, False, 0.0, 100.0, decimals)


def _log(
    centre: float, spread: float, noise: float, trend: float, decimals: int, **loadings: float
) -> KpiModel:
    """A positive quantity (cost, rate, days) on the log scale."""
    return KpiModel(centre, spread, noise, trend, loadings, True, 0.0, None, decimals)


#: Models of the catalogue's key figures (survey items: the true level before sampling).
MODELS: Mapping[str, KpiModel] = {
    # personcentrering, survey
    "U21463": _pct(87.5, 4.0, pc=0.9, quality=0.2),
    "U23461": _pct(79.5, 6.5, pc=0.85, quality=0.2),
    "U21466": _pct(76.5, 5.5, pc=0.9),
    "U23463": _pct(58.0, 7.0, pc=0.85),
    "U21504": _pct(97.2, 1.4, noise=0.5, pc=0.8),
    "U23520": _pct(94.8, 3.0, noise=0.8, pc=0.8),
    "U21455": _pct(76.5, 5.0, decimals=1, pc=0.9),
    "U23506": _pct(71.0, 6.5, decimals=1, pc=0.9),
    "U21462": _pct(59.0, 7.5, trend=-0.3, pc=0.7),
    "U23460": _pct(60.0, 8.5, pc=0.7),
    # personcentrering, unit survey (Enhetsundersökningen)
    "U21554": _pct(57.0, 17.0, noise=6.0, trend=1.5, pc=0.4, quality=0.4),
    "U23565": _pct(57.0, 17.0, noise=6.0, trend=1.5, pc=0.4, quality=0.4),
    "U21452": _pct(80.0, 10.0, noise=3.5, trend=0.5, quality=0.6),
    # samverkan
    "N20403": _log(2.8, 0.45, 0.10, -0.02, 1, care=-0.8),
    "N20404": _log(0.03, 0.5, 0.1, -0.03, 4),  # derived (N20403 × N20405); sets rounding
    "N20405": _log(0.011, 0.30, 0.08, -0.01, 4, care=-0.5, old=0.3),
    "N20506": KpiModel(18.5, 2.3, 1.2, 0.05, {"care": -0.5, "quality": -0.2}, False, 0, 100, 1),
    "N20897": _log(10.5, 0.45, 0.06, 0.02, 1, old=0.3, care=0.3),
    # hälsofrämjande och förebyggande
    "N20402": _log(5700.0, 0.14, 0.04, -0.005, 1, falls=0.8),
    "N20410": _log(1450.0, 0.18, 0.05, 0.0, 1, falls=0.7),
    "N20409": _log(1650.0, 0.16, 0.05, -0.01, 1, falls=0.6),
    "U20462": _log(3150.0, 0.20, 0.05, -0.005, 1, falls=0.8, old=0.3),
    "U23433": _pct(58.0, 17.0, noise=5.0, trend=1.0, quality=0.6, comp=0.2),
    "U21432": _pct(46.0, 16.0, noise=5.0, trend=1.2, quality=0.6, care=0.2),
    # kvalitet och säkerhet, survey
    "U21468": _pct(90.5, 4.0, pc=0.7, quality=0.4),
    "U23471": _pct(82.5, 6.5, pc=0.7, quality=0.4),
    "U21467": _pct(46.0, 5.5, quality=0.5, pc=0.4),
    "U21505": _pct(88.0, 3.5, quality=0.5, pc=0.4),
    "U23464": _pct(51.0, 7.0, quality=0.5, pc=0.4),
    "U23521": _pct(89.0, 4.0, quality=0.5, pc=0.4),
    "U21477": _pct(92.5, 3.0, pc=0.6, quality=0.3),
    "U23480": _pct(87.0, 5.0, pc=0.6, quality=0.3),
    "U21401": KpiModel(15.0, 2.8, 1.0, 0.1, {"size": 0.5, "quality": -0.4}, False, 3.0, None, 0),
    "U21478": _pct(13.5, 2.5, noise=1.0, pc=-0.4, quality=-0.3),
    "U23481": _pct(20.0, 4.0, noise=1.5, trend=0.4, pc=-0.4, quality=-0.3),
    "N20206": _pct(62.0, 14.0, noise=1.5, trend=2.2, decimals=1, comp=0.6),
    "N20209": _pct(52.0, 9.0, noise=1.5, trend=1.6, decimals=1, comp=0.6),
    "U23489": KpiModel(0.29, 0.03, 0.01, 0.0, {"comp": 0.4, "cost": 0.4}, False, 0.1, 1.0, 2),
    "U23493": KpiModel(0.24, 0.03, 0.01, 0.0, {"comp": 0.4, "cost": 0.4}, False, 0.1, 1.0, 2),
    # kompetens
    "N23588": _pct(65.0, 11.0, noise=3.0, trend=1.0, decimals=1, comp=0.8),
    "N23589": _pct(57.0, 12.0, noise=3.5, trend=1.0, decimals=1, comp=0.8),
    "N21608": _pct(56.0, 12.0, noise=3.5, trend=1.2, decimals=1, comp=0.8),
    "N21609": _pct(48.0, 13.0, noise=4.0, trend=1.2, decimals=1, comp=0.8),
    "U23495": _pct(84.0, 9.0, noise=3.0, trend=0.3, decimals=1, comp=0.7),
    "U23496": _pct(80.0, 10.0, noise=3.0, trend=0.3, decimals=1, comp=0.7),
    # kostnader
    "N20900": KpiModel(0.5, 9.5, 2.5, 0.0, {"cost": 0.85}, False, None, None, 2),
    "N20007": _log(56000.0, 0.19, 0.03, 0.03, 0, cost=0.7, old=0.4),
    "N21006": _log(310000.0, 0.26, 0.06, 0.035, 0, cost=0.6, size=-0.2),
    "N23009": _log(840000.0, 0.22, 0.05, 0.03, 0, cost=0.5),
    "U20008": KpiModel(50.0, 21.0, 4.0, 0.0, {"cost": 0.9}, False, 0.0, 100.0, 1),
    "U20404": KpiModel(50.0, 21.0, 5.0, 0.0, {"quality": 0.8, "pc": 0.3}, False, 0.0, 100.0, 1),
    "U20900": KpiModel(50.0, 21.0, 5.0, 0.0, {"quality": 0.6, "cost": -0.6}, False, 0.0, 100.0, 1),
    # bakgrund
    "N01960": KpiModel(21.5, 4.3, 0.15, 0.2, {"old": 0.97}, False, 5.0, 60.0, 2),
    "N01813": KpiModel(5.9, 1.3, 0.08, 0.12, {"old": 0.9}, False, 1.0, 20.0, 2),
}

#: Fallback models, by unit, for catalogue ids without a model of their own.
DEFAULT_MODELS: Mapping[str, KpiModel] = {
    "percent": _pct(60.0, 10.0, noise=2.0, decimals=1, quality=0.5),
    "index": KpiModel(50.0, 15.0, 3.0, 0.0, {"quality": 0.5}, False, 0.0, 100.0, 1),
    "days": _log(3.0, 0.4, 0.1, 0.0, 1, care=-0.5),
    "days_per_inhabitant": _log(0.03, 0.4, 0.1, 0.0, 3, care=-0.5),
    "per_inhabitant": _log(0.01, 0.3, 0.08, 0.0, 4, care=-0.5),
    "per_100k": _log(3000.0, 0.18, 0.05, 0.0, 1, falls=0.6),
    "count": KpiModel(15.0, 3.0, 1.0, 0.0, {"size": 0.3}, False, 0.0, None, 0),
    "sek": _log(60000.0, 0.2, 0.04, 0.03, 0, cost=0.7),
    "msek": KpiModel(0.0, 25.0, 5.0, 0.0, {"cost": 0.8}, False, None, None, 1),
    "percent_deviation": KpiModel(0.0, 9.0, 2.5, 0.0, {"cost": 0.8}, False, None, None, 2),
    # a 0/1 flag: clipped to 0–1 and rounded, about 7 % ones
    "flag": KpiModel(-1.0, 1.0, 0.3, 0.0, {}, False, 0.0, 1.0, 0),
    # a 0/1/2 level (welfare technology): clipped to 0–2 and rounded, mostly 1 and 2
    "level": KpiModel(1.4, 0.6, 0.3, 0.0, {"quality": 0.3}, False, 0.0, 2.0, 0),
}

#: Level shifts at the catalogue's definition breaks: ("add", points) or ("mul", factor).
BREAK_SHIFTS: Mapping[str, tuple[str, float]] = {
    "N20900": ("add", -6.0),
    "N23009": ("mul", 1.12),
}


@dataclass(frozen=True)
class _Area:
    """Survey parameters of one area: share of 65+ invited, response rate, share women."""

    user_share: float
    response_rate: float
    female_share: float


_AREAS: Mapping[str, _Area] = {
    "hemtjänst": _Area(0.070, 0.58, 0.66),
    "särskilt boende": _Area(0.035, 0.46, 0.70),
}
_DEFAULT_AREA = _Area(0.030, 0.50, 0.65)
_RESPONSE_RATE_RANGE = (0.40, 0.70)
_SURVEY_INDEX_SD = 20.0  # individual-level sd of a 0–100 survey index

# ----------------------------------------------------------------------------- planted problems

#: (kpi, municipality, year, factor): single-year spikes the trend checks must flag.
_JUMPS: tuple[tuple[str, str, int, float], ...] = (
    ("N21006", "1462", 2021, 2.6),
    ("N20403", "2584", 2019, 4.0),
    ("U21452", "0680", 2022, 0.4),
    ("N20897", "1480", 2018, 3.0),
    ("N20007", "0114", 2023, 0.45),
)
#: (kpi, municipality, year, value): a percentage outside 0–100.
_OUT_OF_RANGE: tuple[tuple[str, str, int, float], ...] = (
    ("N21609", "1415", 2023, 104.0),
    ("U23433", "1880", 2016, 112.5),
)
#: (kpi, municipality, year): a cost whose sign is flipped.
_NEGATIVE_COSTS: tuple[tuple[str, str, int], ...] = (("N23009", "2080", 2020),)
#: (kpi, municipality, year): values removed although they rest on enough data.
_EXTRA_SUPPRESSED: tuple[tuple[str, str, int], ...] = (
    ("U23471", "1480", 2019),
    ("U21463", "1280", 2023),
    ("N21608", "0580", 2017),
    ("U23565", "1482", 2020),
)
#: (kpi, municipality, year, delta): rows delivered twice (delta 0: identical copy).
_DUPLICATES: tuple[tuple[str, str, int, float], ...] = (
    ("N20402", "1281", 2020, 0.0),
    ("U21468", "1441", 2022, 0.0),
    ("N23588", "2480", 2023, 12.0),
    ("N20900", "1401", 2024, 3.5),
)
#: (kpi, years behind): a key figure whose latest year is older than the others'.
_STALE: tuple[str, int] = ("U21432", 2)
#: (kpi, year, cause): a shared level shift the catalogue does not list. N20029 (mnkr) is
#: derived from N20900 (%), so N20900's new method from 2019 shifts it too.
_UNLISTED_BREAKS: tuple[tuple[str, int, str], ...] = (("N20029", 2019, "N20900"),)


def _planted_row(
    problem: str,
    kpi: str | None,
    mid: str | None,
    year: int | None,
    detail: str,
    kind: str = "planted",
) -> dict[str, object]:
    return {
        "problem": problem, "kpi": kpi, "municipality_id": mid, "year": year,
        "gender": "T" if mid is not None else None, "detail": detail, "kind": kind,
    }  # fmt: skip


def planted_problems(catalog: Catalog | None = None) -> pd.DataFrame:
    """List every planted problem and known catalogue feature of the demo data.

    Parameters
    ----------
    catalog
        Catalogue the demo data is generated from (default: the packaged one).
        Problems on key figures it lacks are left out.

    Returns
    -------
    pandas.DataFrame
        Columns ``problem, kpi, municipality_id, year, gender, detail, kind``.
        ``kind`` is ``planted`` for deliberate errors the quality checks must
        find (``jump``, ``out_of_range``, ``negative_cost``, ``stale_kpi``,
        ``extra_suppression``, ``duplicate``, ``contradicting_duplicate``,
        ``unlisted_break``: a shared level shift the catalogue does not list) and
        ``catalogue`` for known, documented features (``definition_break``,
        ``kpi_ended``, ``survey_not_run``). ``municipality_id``, ``year`` and
        ``gender`` are missing for problems that concern a whole key figure or
        year. Duplicates are in the raw delivery (:func:`read_demo_raw`), not
        in the processed values.

    Examples
    --------
    >>> p = planted_problems()
    >>> sorted(p.loc[p["kind"] == "planted", "problem"].unique())[:3]
    ['contradicting_duplicate', 'duplicate', 'extra_suppression']
    """
    cat = catalog or load_catalog()
    ids = set(cat.all_ids)
    row = _planted_row
    rows: list[dict[str, object]] = []
    for kpi, mid, year, factor in _JUMPS:
        detail = f"värdet {year} multiplicerat med {factor} (tillfällig topp/dal)"
        rows.append(row("jump", kpi, mid, year, detail))
    for kpi, mid, year, value in _OUT_OF_RANGE:
        rows.append(row("out_of_range", kpi, mid, year, f"andel {value} %, utanför 0–100"))
    for kpi, mid, year in _NEGATIVE_COSTS:
        rows.append(row("negative_cost", kpi, mid, year, "negativ kostnad (tecknet omvänt)"))
    for kpi, mid, year in _EXTRA_SUPPRESSED:
        detail = "värde saknas trots tillräckligt underlag; grannåren har värden"
        rows.append(row("extra_suppression", kpi, mid, year, detail))
    for kpi, mid, year, delta in _DUPLICATES:
        if delta == 0:
            detail = f"raden levereras två gånger med samma värde ({RAW_FILE})"
            rows.append(row("duplicate", kpi, mid, year, detail))
        else:
            detail = f"raden levereras två gånger; andra raden avviker {delta:+g} ({RAW_FILE})"
            rows.append(row("contradicting_duplicate", kpi, mid, year, detail))
    stale_kpi, behind = _STALE
    last = DEMO_LAST_YEAR - behind
    detail = f"senaste år {last}; övriga nyckeltal har {DEMO_LAST_YEAR}"
    rows.append(row("stale_kpi", stale_kpi, None, last, detail))
    for kpi, year, cause in _UNLISTED_BREAKS:
        if cause in ids:
            detail = (
                f"nivåskifte i de flesta kommuner {year} som katalogen inte nämner "
                f"(följer {cause}:s nya beräkningsmetod)"
            )
            rows.append(row("unlisted_break", kpi, None, year, detail))
    for b in cat.breaks.itertuples(index=False):
        if b.kpi not in ids or b.year not in DEMO_YEARS:
            continue
        problem = "kpi_ended" if _is_ended(b.change) else "definition_break"
        rows.append(row(problem, b.kpi, None, int(b.year), b.change, "catalogue"))
    for year in cat.survey_not_run:
        if year in DEMO_YEARS:
            detail = "brukarundersökningen genomfördes inte; alla enkätvärden saknas"
            rows.append(row("survey_not_run", None, None, int(year), detail, "catalogue"))
    out = pd.DataFrame(rows, columns=list(PLANTED_COLUMNS))
    keep = out["kpi"].isna() | out["kpi"].isin(ids)
    out = out[keep].reset_index(drop=True)
    out["year"] = out["year"].astype("Int64")
    return out


def _is_ended(change: str) -> bool:
    return "upphörde" in str(change).casefold()


# ----------------------------------------------------------------------------- randomness


def _rng(seed: int, *keys: str) -> np.random.Generator:
    """A generator keyed by the seed and stable string keys (adding an id changes nothing else)."""
    return np.random.default_rng([seed, *(zlib.crc32(k.encode("utf-8")) for k in keys)])


def _ar1(rng: np.random.Generator, shape: tuple[int, int], *, phi: float = 0.5) -> np.ndarray:
    """Standardised AR(1) noise along the second axis."""
    z = rng.standard_normal(shape)
    out = np.empty(shape)
    out[:, 0] = z[:, 0]
    scale = np.sqrt(1.0 - phi**2)
    for t in range(1, shape[1]):
        out[:, t] = phi * out[:, t - 1] + scale * z[:, t]
    return out


# ----------------------------------------------------------------------------- municipality profile


def municipality_profile(*, seed: int = DEMO_SEED) -> pd.DataFrame:
    """Draw the latent traits and synthetic population 65+ of the 290 municipalities.

    Parameters
    ----------
    seed
        Seed of the demo data set.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``municipality_id`` (registry order); columns ``size, old,
        quality, pc, comp, cost, care, falls`` (roughly standardised),
        ``pop65`` (synthetic population 65+ in the first year) and one
        ``rate_<area>`` / ``female_<area>`` / ``users_<area>`` column per survey area.

    Examples
    --------
    >>> p = municipality_profile()
    >>> len(p), bool(p.loc["1480", "pop65"] > p["pop65"].median())
    (290, True)
    """
    ids = municipalities(kind="K")["municipality_id"].tolist()
    rng = _rng(seed, "profile")
    e = rng.standard_normal((len(ids), len(_TRAITS)))
    size = e[:, 0].copy()
    top = size.max()
    for mid, offset in _BIG_CITIES:
        size[ids.index(mid)] = top + offset
    old = -0.55 * size + 0.835 * e[:, 1]
    quality = e[:, 2]
    traits = {
        "size": size,
        "old": old,
        "quality": quality,
        "pc": 0.7 * quality + 0.714 * e[:, 3],
        "comp": 0.4 * quality + 0.917 * e[:, 4],
        "cost": 0.35 * old - 0.30 * size + 0.89 * e[:, 5],
        "care": e[:, 6],
        "falls": e[:, 7],
    }
    df = pd.DataFrame(traits, index=pd.Index(ids, name="municipality_id"))
    df["pop65"] = np.round(_POP65_MEDIAN * np.exp(_POP65_LOG_SD * size))
    extra = _rng(seed, "survey-areas")
    lo, hi = _RESPONSE_RATE_RANGE
    for area, par in _AREAS.items():
        z = extra.standard_normal((len(ids), 3))
        df[f"rate_{area}"] = np.clip(par.response_rate + 0.05 * z[:, 0], lo + 0.02, hi - 0.02)
        df[f"female_{area}"] = np.clip(par.female_share + 0.03 * z[:, 1], 0.5, 0.85)
        df[f"users_{area}"] = par.user_share * np.exp(0.15 * z[:, 2] + 0.1 * traits["old"])
    return df


def _pop65(profile: pd.DataFrame, years: Sequence[int]) -> np.ndarray:
    t = np.asarray(years) - years[0]
    return np.round(profile["pop65"].to_numpy()[:, None] * (1.0 + _POP65_GROWTH) ** t[None, :])


# ----------------------------------------------------------------------------- clean series


def _model_for(kpi: str, unit: str) -> KpiModel:
    return MODELS.get(kpi) or DEFAULT_MODELS[unit]


def _true_levels(
    kpi: str, model: KpiModel, profile: pd.DataFrame, years: Sequence[int], seed: int
) -> np.ndarray:
    """Municipality × year matrix of a key figure's level before rounding."""
    rng = _rng(seed, "kpi", kpi)
    n, n_years = len(profile), len(years)
    mix = np.zeros(n)
    used = 0.0
    for trait, weight in model.loadings.items():
        mix += weight * profile[trait].to_numpy()
        used += weight**2
    mix += np.sqrt(max(0.1, 1.0 - used)) * rng.standard_normal(n)
    t = np.asarray(years, dtype=float) - float(np.mean(years))
    slope = 0.02 * model.spread * rng.standard_normal(n)
    level = (
        model.trend * t[None, :]
        + model.spread * mix[:, None]
        + slope[:, None] * t[None, :]
        + model.noise * _ar1(rng, (n, n_years))
    )
    out = model.centre * np.exp(level) if model.log_scale else model.centre + level
    return _clip(out, model)


def _clip(x: np.ndarray, model: KpiModel) -> np.ndarray:
    lower = -np.inf if model.lower is None else model.lower
    upper = np.inf if model.upper is None else model.upper
    return np.clip(x, lower, upper)


def _derive(series: dict[str, np.ndarray], pop65: np.ndarray, rng: np.random.Generator) -> None:
    """Overwrite key figures that are functions of others, so the set is consistent."""
    if {"N20007", "N01960", "N01813", "N20048"} <= series.keys():
        ratio = series["N01960"] / series["N01813"]
        jitter = np.exp(0.03 * rng.standard_normal(ratio.shape))
        series["N20048"] = series["N20007"] * ratio * jitter
    if {"N20007", "N20900", "N20029"} <= series.keys():
        actual = series["N20007"] * pop65 / 1e6
        dev = series["N20900"]
        series["N20029"] = actual * dev / (100.0 + dev)
    if {"N20403", "N20405", "N20404"} <= series.keys():
        series["N20404"] = series["N20403"] * series["N20405"]


def _apply_breaks(
    series: dict[str, np.ndarray],
    cat: Catalog,
    years: Sequence[int],
    present: dict[str, np.ndarray],
    seed: int,
) -> None:
    """Shift levels at definition breaks (shared by most municipalities) or end series."""
    yrs = np.asarray(years)
    for b in cat.breaks.itertuples(index=False):
        if b.kpi not in series or b.year > yrs[-1]:
            continue
        after = yrs >= b.year
        if _is_ended(b.change):
            present[b.kpi][:, after] = False
            continue
        model = _model_for(b.kpi, str(cat.row(b.kpi)["unit"]))
        default = (
            ("mul", float(np.exp(0.6 * model.spread))) if model.log_scale
            else ("add", 0.8 * model.spread)
        )  # fmt: skip
        how, size = BREAK_SHIFTS.get(b.kpi, default)
        rng = _rng(seed, "break", b.kpi, str(b.year))
        n = series[b.kpi].shape[0]
        hit = rng.random(n) < BREAK_SHARE
        jitter = 1.0 + 0.15 * rng.standard_normal(n)
        x = series[b.kpi]
        if how == "mul":
            factor = np.where(hit, np.exp(np.log(size) * jitter), 1.0)
            x[:, after] = x[:, after] * factor[:, None]
        else:
            shift = np.where(hit, size * jitter, 0.0)
            x[:, after] = x[:, after] + shift[:, None]
        series[b.kpi] = _clip(x, model)


# ----------------------------------------------------------------------------- survey


@dataclass
class _SurveyArea:
    """Respondents of one survey area: invited (T) and respondents per gender."""

    invited: np.ndarray
    respondents: dict[str, np.ndarray]


def _survey_area(area: str, profile: pd.DataFrame, pop65: np.ndarray, seed: int) -> _SurveyArea:
    par = _AREAS.get(area, _DEFAULT_AREA)
    rng = _rng(seed, "respondents", area)
    shape = pop65.shape
    users = profile.get(f"users_{area}", pd.Series(par.user_share, index=profile.index))
    jitter = np.exp(0.05 * rng.standard_normal(shape))
    invited = np.maximum(5.0, np.round(pop65 * users.to_numpy()[:, None] * jitter))
    base = profile.get(f"rate_{area}", pd.Series(par.response_rate, index=profile.index))
    lo, hi = _RESPONSE_RATE_RANGE
    rate = base.to_numpy()[:, None] + 0.02 * rng.standard_normal(shape)
    # the published response rate (respondents / invited) stays within 40–70 %
    n_t = np.clip(np.round(invited * rate), np.ceil(lo * invited), np.floor(hi * invited))
    female = profile.get(f"female_{area}", pd.Series(par.female_share, index=profile.index))
    share_k = np.clip(female.to_numpy()[:, None] + 0.02 * rng.standard_normal(shape), 0, 1)
    n_k = np.round(n_t * share_k)
    return _SurveyArea(invited=invited, respondents={"T": n_t, "K": n_k, "M": n_t - n_k})


def _sample_survey(
    kpi: str, unit: str, level: np.ndarray, area: _SurveyArea, female: float, seed: int
) -> dict[str, np.ndarray]:
    """Observed (unrounded) results per gender from the true level and the respondents."""
    rng = _rng(seed, "sample", kpi)
    offset = 2.0 * rng.standard_normal()
    true = {
        "K": np.clip(level + offset * (1 - female), 0.5, 99.5),
        "M": np.clip(level - offset * female, 0.5, 99.5),
    }
    obs: dict[str, np.ndarray] = {}
    for g in ("K", "M"):
        n = area.respondents[g]
        if unit == "percent":
            x = rng.binomial(n.astype(np.int64), true[g] / 100.0)
            obs[g] = np.divide(100.0 * x, n, out=np.full(n.shape, np.nan), where=n > 0)
        else:
            sd = _SURVEY_INDEX_SD / np.sqrt(np.maximum(n, 1))
            draw = np.clip(true[g] + sd * rng.standard_normal(n.shape), 0, 100)
            obs[g] = np.where(n > 0, draw, np.nan)
    n_k, n_m = area.respondents["K"], area.respondents["M"]
    total = n_k + n_m
    obs["T"] = np.divide(
        np.nan_to_num(obs["K"]) * n_k + np.nan_to_num(obs["M"]) * n_m,
        total, out=np.full(total.shape, np.nan), where=total > 0,
    )  # fmt: skip
    return obs


# ----------------------------------------------------------------------------- aggregation


@dataclass(frozen=True)
class _Aggregates:
    """Membership of Riket and the regions (rows) in the municipalities (columns)."""

    ids: list[str]
    members: np.ndarray  # bool, aggregates × municipalities


def _aggregates(profile: pd.DataFrame) -> _Aggregates:
    reg = municipalities(kind="K").set_index("municipality_id").loc[profile.index, "region_id"]
    region_ids = [r for r in municipalities(kind="L")["municipality_id"] if r != RIKET]
    rows = [np.ones(len(profile), dtype=bool)] + [(reg == r).to_numpy() for r in region_ids]
    return _Aggregates(ids=[RIKET, *region_ids], members=np.vstack(rows))


def _weighted(
    values: np.ndarray, weights: np.ndarray, agg: _Aggregates
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted mean per aggregate and year over members with a value; and their number."""
    ok = ~np.isnan(values)
    w = np.where(ok, weights, 0.0)
    num = agg.members.astype(float) @ np.where(ok, values * w, 0.0)
    den = agg.members.astype(float) @ w
    count = agg.members.astype(float) @ ok.astype(float)
    mean = np.divide(num, den, out=np.full(num.shape, np.nan), where=den > 0)
    return mean, count


def _summed(values: np.ndarray, agg: _Aggregates) -> tuple[np.ndarray, np.ndarray]:
    ok = ~np.isnan(values)
    total = agg.members.astype(float) @ np.where(ok, values, 0.0)
    count = agg.members.astype(float) @ ok.astype(float)
    return np.where(count > 0, total, np.nan), count


# ----------------------------------------------------------------------------- assembly


@dataclass
class _Block:
    """One key figure and gender: values for municipalities + aggregates, years as columns."""

    kpi: str
    gender: str
    values: np.ndarray
    count: np.ndarray
    present: np.ndarray


def _block(
    kpi: str,
    gender: str,
    muni: np.ndarray,
    agg_values: np.ndarray,
    agg_count: np.ndarray,
    present: np.ndarray,
    decimals: int,
) -> _Block:
    """Stack municipalities and aggregates; municipalities count 1, aggregates their members."""
    values = np.round(np.vstack([muni, agg_values]), decimals)
    count = np.vstack([np.ones_like(muni), np.where(np.isnan(agg_values), np.nan, agg_count)])
    agg_present = np.repeat(present.any(axis=0, keepdims=True), agg_values.shape[0], axis=0)
    return _Block(kpi, gender, values, count, np.vstack([present, agg_present]))


def _to_frame(blocks: list[_Block], unit_ids: list[str], years: Sequence[int]) -> pd.DataFrame:
    n_units, n_years = len(unit_ids), len(years)
    ids = np.repeat(np.asarray(unit_ids, dtype=object), n_years)
    yrs = np.tile(np.asarray(years, dtype=np.int64), n_units)
    parts = []
    for b in blocks:
        keep = b.present.ravel()
        parts.append(
            pd.DataFrame(
                {
                    "kpi": b.kpi,
                    "municipality_id": ids[keep],
                    "year": yrs[keep],
                    "gender": b.gender,
                    "value": b.values.ravel()[keep],
                    "count": b.count.ravel()[keep],
                }
            )
        )
    df = pd.concat(parts, ignore_index=True)
    df["status"] = ""
    df["source"] = DEMO_SOURCE
    df = coerce_values(df)
    return df.sort_values(list(KEY_COLUMNS), kind="stable").reset_index(drop=True)


def _clean_values(
    cat: Catalog, profile: pd.DataFrame, years: Sequence[int], seed: int
) -> pd.DataFrame:
    """All catalogue ids, municipalities and aggregates, before the planted problems."""
    kpis = cat.kpis.set_index("kpi")
    pop65 = _pop65(profile, years)
    agg = _aggregates(profile)
    n, n_years = pop65.shape
    survey_mask = np.isin(np.asarray(years), cat.survey_not_run)
    # 1. true levels of key figures and covariates (also unlisted models needed for derivations)
    modelled = [k for k in kpis.index if kpis.at[k, "role"] != "companion"]
    series = {
        k: _true_levels(k, _model_for(k, kpis.at[k, "unit"]), profile, years, seed)
        for k in modelled
    }
    present = {k: np.ones((n, n_years), dtype=bool) for k in kpis.index}
    _apply_breaks(series, cat, years, present, seed)
    _derive(series, pop65, _rng(seed, "derived"))  # after breaks: N20029 follows N20900
    # 2. survey areas
    survey_kpis = [k for k in modelled if bool(kpis.at[k, "survey"])]
    area_names = sorted({kpis.at[k, "area"] for k in survey_kpis})
    areas = {a: _survey_area(a, profile, pop65, seed) for a in area_names}
    blocks: list[_Block] = []
    min_n = cat.min_respondents
    for k in modelled:
        unit, model = kpis.at[k, "unit"], _model_for(k, kpis.at[k, "unit"])
        if k in survey_kpis:
            area_name = kpis.at[k, "area"]
            female = float(profile.get(f"female_{area_name}", pd.Series(0.65)).mean())
            obs = _sample_survey(k, unit, series[k], areas[area_name], female, seed)
            blocks.extend(
                _survey_blocks(
                    k, obs, areas[area_name], agg, present[k], survey_mask, min_n, model.decimals
                )
            )
            continue
        if unit == "msek":
            a_val, a_cnt = _summed(series[k], agg)
        else:
            a_val, a_cnt = _weighted(series[k], pop65, agg)
        blocks.append(_block(k, "T", series[k], a_val, a_cnt, present[k], model.decimals))
        if bool(kpis.at[k, "by_gender"]) and unit != "msek":
            for g, x in _gender_split(k, model, series[k], seed).items():
                g_val, g_cnt = _weighted(x, pop65, agg)
                blocks.append(_block(k, g, x, g_val, g_cnt, present[k], model.decimals))
    # 3. survey companions
    for area_name, area in areas.items():
        row = kpis[(kpis["area"] == area_name) & kpis["survey"].astype(bool)].iloc[0]
        blocks.extend(_companion_blocks(row, area, agg, present, survey_mask, min_n))
    # 4. companions not tied to a survey area: generic series
    done = {b.kpi for b in blocks}
    for k in kpis.index:
        if k not in done:
            model = _model_for(k, kpis.at[k, "unit"])
            x = _true_levels(k, model, profile, years, seed)
            a_val, a_cnt = _weighted(x, pop65, agg)
            blocks.append(_block(k, "T", x, a_val, a_cnt, present[k], model.decimals))
    unit_ids = profile.index.tolist() + agg.ids
    return _to_frame(blocks, unit_ids, years)


def _gender_split(kpi: str, model: KpiModel, total: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """Women's and men's values of a register key figure around its total.

    Each municipality has its own gap (a shared direction plus its own part,
    stable over years); the two values straddle the total, so the total lies
    between them, as it does when it pools women and men.
    """
    rng = _rng(seed, "gender", kpi)
    z: np.ndarray = 0.5 + rng.standard_normal((total.shape[0], 1))
    if model.log_scale:
        half = np.exp(0.05 * model.spread * z)
        women, men = total * half, total / half
    else:
        half = 0.25 * model.spread * z
        women, men = total + half, total - half
    return {"K": _clip(women, model), "M": _clip(men, model)}


def _survey_blocks(
    kpi: str,
    observed: dict[str, np.ndarray],
    area: _SurveyArea,
    agg: _Aggregates,
    present: np.ndarray,
    survey_mask: np.ndarray,
    min_n: int,
    decimals: int,
) -> list[_Block]:
    """Survey results per gender: suppressed below *min_n*, empty when the survey did not run.

    Aggregates are respondent-weighted means over all members, suppressed or not.
    """
    out = []
    for g in ("T", "K", "M"):
        n_g = area.respondents[g]
        a_val, a_cnt = _weighted(observed[g], n_g, agg)
        muni = np.where(n_g < min_n, np.nan, observed[g])
        muni[:, survey_mask] = np.nan
        a_val[:, survey_mask] = np.nan
        out.append(_block(kpi, g, muni, a_val, a_cnt, present, decimals))
    return out


def _companion_blocks(
    row: pd.Series,
    area: _SurveyArea,
    agg: _Aggregates,
    present: dict[str, np.ndarray],
    survey_mask: np.ndarray,
    min_n: int,
) -> list[_Block]:
    """Respondents (T, K, M), response rate and few-respondents flag (T) of one area."""
    out: list[_Block] = []

    def blank(x: np.ndarray) -> np.ndarray:
        x = x.astype(float).copy()
        x[:, survey_mask] = np.nan
        return x

    def wanted(kpi: object) -> bool:
        return isinstance(kpi, str) and kpi in present

    resp_kpi, rate_kpi = row["respondents_kpi"], row["response_rate_kpi"]
    flag_kpi = row["few_respondents_kpi"]
    n_t = area.respondents["T"]
    a_resp, a_cnt = _summed(n_t, agg)
    if wanted(resp_kpi):
        for g in ("T", "K", "M"):
            n_g = area.respondents[g]
            a_val, a_cnt_g = _summed(n_g, agg)
            out.append(_block(resp_kpi, g, blank(n_g), blank(a_val), a_cnt_g, present[resp_kpi], 0))
    if wanted(rate_kpi):
        a_inv, _ = _summed(area.invited, agg)
        rate, a_rate = blank(100.0 * n_t / area.invited), blank(100.0 * a_resp / a_inv)
        out.append(_block(rate_kpi, "T", rate, a_rate, a_cnt, present[rate_kpi], 0))
    if wanted(flag_kpi):
        flag, a_flag = blank((n_t < min_n).astype(float)), blank((a_resp < min_n).astype(float))
        out.append(_block(flag_kpi, "T", flag, a_flag, a_cnt, present[flag_kpi], 0))
    return out


# ----------------------------------------------------------------------------- planting


def _locate(values: pd.DataFrame, kpi: str, mid: str, year: int, gender: str = "T") -> int:
    mask = (
        (values["kpi"] == kpi) & (values["municipality_id"] == mid)
        & (values["year"] == year) & (values["gender"] == gender)
    )  # fmt: skip
    idx = values.index[mask]
    if len(idx) != 1:
        raise RuntimeError(f"demo: planted row {kpi}/{mid}/{year}/{gender} not found exactly once")
    return int(idx[0])


def _plant(values: pd.DataFrame, cat: Catalog) -> pd.DataFrame:
    """Apply the planted value problems (not the duplicates) to the clean values."""
    out = values.copy()
    ids = set(cat.all_ids)

    def edit(kpi: str, mid: str, year: int, fn: Callable[[float], float]) -> None:
        if kpi in ids:
            i = _locate(out, kpi, mid, year)
            out.loc[i, "value"] = fn(float(out.loc[i, "value"]))

    def scaled(factor: float) -> Callable[[float], float]:
        return lambda v: round(v * factor, 4)

    def replaced(new: float) -> Callable[[float], float]:
        return lambda v: new

    for kpi, mid, year, factor in _JUMPS:
        edit(kpi, mid, year, scaled(factor))
    for kpi, mid, year, new in _OUT_OF_RANGE:
        edit(kpi, mid, year, replaced(new))
    for kpi, mid, year in _NEGATIVE_COSTS:
        edit(kpi, mid, year, lambda v: -abs(v))
    for kpi, mid, year in _EXTRA_SUPPRESSED:
        edit(kpi, mid, year, lambda v: np.nan)
    stale_kpi, behind = _STALE
    drop = (out["kpi"] == stale_kpi) & (out["year"] > DEMO_LAST_YEAR - behind)
    return out.loc[~drop].reset_index(drop=True)


def _raw_delivery(values: pd.DataFrame, cat: Catalog) -> pd.DataFrame:
    """The values as delivered: each planted duplicate follows its original row."""
    extra = []
    for kpi, mid, year, delta in _DUPLICATES:
        if kpi not in cat.all_ids:
            continue
        row = values.loc[[_locate(values, kpi, mid, year)]].copy()
        row["value"] = row["value"] + delta
        extra.append(row)
    if not extra:
        return values.copy()
    raw = pd.concat([values, *extra])
    order = np.argsort(raw.index.to_numpy(), kind="stable")
    return raw.iloc[order].reset_index(drop=True)


# ----------------------------------------------------------------------------- groups


def similar_groups(profile: pd.DataFrame, *, size: int = SIMILAR_GROUP_SIZE) -> pd.DataFrame:
    """Synthetic comparison groups: GR and "Liknande kommuner äldreomsorg" per municipality.

    Members of a municipality's group are the *size* municipalities closest to
    it in the structural traits ``size``, ``old`` and ``cost`` (Euclidean
    distance, cost at half weight); the municipality itself is not a member,
    as in Kolada. GR municipalities get the group ids of
    :data:`fou.core.registry.SIMILAR_GROUP_IDS`; the others ``GDEMO<id>``.

    Parameters
    ----------
    profile
        From :func:`municipality_profile`.
    size
        Number of members per group.

    Returns
    -------
    pandas.DataFrame
        ``group_id, title, municipality_id`` (one row per group and member).
    """
    names = municipalities(kind="K").set_index("municipality_id")["name"]
    x = profile[["size", "old", "cost"]].to_numpy() * np.array([1.0, 1.0, 0.5])
    dist = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(axis=2))
    np.fill_diagonal(dist, np.inf)
    ids = profile.index.to_numpy()
    rows = [(GR_GROUP_ID, GR_GROUP_TITLE, m) for m in GR_MUNICIPALITIES]
    for i, mid in enumerate(ids):
        gid = SIMILAR_GROUP_IDS.get(mid, f"GDEMO{mid}")
        title = f"Liknande kommuner äldreomsorg, {names[mid]}, {DEMO_LAST_YEAR}"
        nearest = np.argsort(dist[i], kind="stable")[:size]
        rows.extend((gid, title, m) for m in sorted(ids[nearest]))
    return pd.DataFrame(rows, columns=list(GROUP_COLUMNS)).astype(str)


# ----------------------------------------------------------------------------- public API


@dataclass(frozen=True)
class DemoData:
    """A generated demo data set.

    Attributes
    ----------
    values
        Processed values (schema-valid, unique keys, planted value problems).
    raw
        The delivery as received: *values* plus the planted duplicate rows.
    groups
        ``group_id, title, municipality_id``.
    kpis
        ``kpi, title`` of every catalogue id.
    profile
        The latent municipality traits (for tests and explanations).
    planted
        :func:`planted_problems`.
    seed
        The seed.
    """

    values: pd.DataFrame
    raw: pd.DataFrame
    groups: pd.DataFrame
    kpis: pd.DataFrame
    profile: pd.DataFrame
    planted: pd.DataFrame
    seed: int


def generate_demo(*, seed: int = DEMO_SEED, catalog: Catalog | None = None) -> DemoData:
    """Generate the whole demo data set in memory.

    Parameters
    ----------
    seed
        Seed; the same seed gives the same values.
    catalog
        Catalogue to cover (default: the packaged one).

    Returns
    -------
    DemoData
    """
    cat = catalog or load_catalog()
    profile = municipality_profile(seed=seed)
    clean = _clean_values(cat, profile, DEMO_YEARS, seed)
    values = _plant(clean, cat)
    return DemoData(
        values=values,
        raw=_raw_delivery(values, cat),
        groups=similar_groups(profile),
        kpis=cat.kpis[["kpi", "title"]].reset_index(drop=True).astype(str),
        profile=profile,
        planted=planted_problems(cat),
        seed=seed,
    )


def generate_demo_values(seed: int = DEMO_SEED) -> pd.DataFrame:
    """Return the processed demo values table (see :func:`generate_demo`).

    Examples
    --------
    >>> v = generate_demo_values()
    >>> sorted(v["source"].unique())
    ['demo']
    """
    return generate_demo(seed=seed).values


def snapshot_id(seed: int = DEMO_SEED) -> str:
    """Identifier of the demo data set: generator version and seed.

    Examples
    --------
    >>> snapshot_id(7)
    'demo-3-seed7'
    """
    return f"demo-{GENERATOR_VERSION}-seed{seed}"


def _is_current(directory: Path, seed: int) -> bool:
    from fou.data.provenance import GROUPS_FILE, KPIS_FILE, PROVENANCE_FILE, VALUES_FILE

    files = (VALUES_FILE, GROUPS_FILE, KPIS_FILE, PROVENANCE_FILE, RAW_FILE)
    if not all((directory / f).exists() for f in files):
        return False
    try:
        prov = json.loads((directory / PROVENANCE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return prov.get("source") == DEMO_SOURCE and prov.get("snapshot_id") == snapshot_id(seed)


def write_demo_dataset(directory: Path | str, data: DemoData) -> Path:
    """Write a generated demo data set as one atomic directory.

    Parameters
    ----------
    directory
        Target; replaced as a whole.
    data
        From :func:`generate_demo`.

    Returns
    -------
    pathlib.Path
    """
    from fou.data.provenance import GROUPS_FILE, KPIS_FILE, PROVENANCE_FILE, VALUES_FILE, Provenance

    directory = Path(directory)
    prov = Provenance(
        source=DEMO_SOURCE,
        snapshot_id=snapshot_id(data.seed),
        created_at=DEMO_CREATED_AT,
        years=(min(DEMO_YEARS), max(DEMO_YEARS)),
    )
    with atomic_directory(directory) as tmp:
        data.values.to_parquet(tmp / VALUES_FILE, index=False)
        data.raw.to_parquet(tmp / RAW_FILE, index=False)
        data.groups.to_parquet(tmp / GROUPS_FILE, index=False)
        data.kpis.to_parquet(tmp / KPIS_FILE, index=False)
        text = json.dumps(prov.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        (tmp / PROVENANCE_FILE).write_text(text, encoding="utf-8")
    return directory


def ensure_demo_dataset(directory: Path | str, *, seed: int = DEMO_SEED) -> Path:
    """Generate the demo data set into *directory* unless it is already current.

    The directory holds ``values.parquet``, ``raw_values.parquet``,
    ``groups.parquet``, ``kpis.parquet`` and ``provenance.json`` (snapshot id
    ``demo-<GENERATOR_VERSION>-seed<seed>``, fixed creation time). A directory
    made by another generator version or seed is replaced atomically.

    Parameters
    ----------
    directory
        Usually ``paths().processed / "demo"``.
    seed
        Seed.

    Returns
    -------
    pathlib.Path
        *directory*.
    """
    directory = Path(directory)
    if _is_current(directory, seed):
        return directory
    data = generate_demo(seed=seed)
    try:
        return write_demo_dataset(directory, data)
    except OSError:
        # Another process may have written the same data set at the same moment.
        if _is_current(directory, seed):
            return directory
        raise


def read_demo_raw(directory: Path | str) -> pd.DataFrame:
    """Read the raw delivery (values plus planted duplicates) of a demo directory.

    Parameters
    ----------
    directory
        A directory written by :func:`ensure_demo_dataset`.

    Returns
    -------
    pandas.DataFrame
        The values columns; keys may repeat.
    """
    return coerce_values(pd.read_parquet(Path(directory) / RAW_FILE))


#: Every planted problem and known catalogue feature (see :func:`planted_problems`).
PLANTED: pd.DataFrame = planted_problems()

__all__ = [
    "DEMO_LAST_YEAR", "DEMO_SEED", "DEMO_YEARS", "GENERATOR_VERSION", "PLANTED", "RAW_FILE",
    "DemoData", "KpiModel", "ensure_demo_dataset", "generate_demo", "generate_demo_values",
    "municipality_profile", "planted_problems", "read_demo_raw", "similar_groups", "snapshot_id",
    "write_demo_dataset",
]  # fmt: skip
