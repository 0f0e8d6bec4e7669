"""Talmanus: what a speaker says about one key figure, with every number computed from the data.

:func:`kpi_facts` collects the numbers of one key figure and year into a
:class:`Facts`; :func:`speaker_notes` turns them into spoken Swedish: the
message first ("GR-snittet ligger över riket", "Ale ligger nära
GR-snittet"), then the numbers as one says them (rounded, with their unit
words), the change since last year over the same municipalities, and the
caveats in plain words. A note is at most :data:`MAX_WORDS` words.

A claim ("över", "under") is made only where the difference exceeds the
uncertainty, with the rules of :mod:`fou.stats.position`; a change of the GR
mean is over the municipalities with values in both years, and says how many.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from fou.core import sv
from fou.core.catalog import Catalog, load_catalog
from fou.core.errors import ParameterError
from fou.core.registry import GR_MUNICIPALITIES, municipality_name, resolve_municipality
from fou.reports.wording import DIFFERENCE_UNITS, PRICE_UNITS
from fou.stats.compare import gr_overview
from fou.stats.position import group_against_riket, group_change, position_table

#: Checks whose findings become caveats in the talmanus.
CAVEAT_CHECKS: tuple[str, ...] = ("suppressed", "few_respondents", "low_response_rate", "jump")
#: The longest talmanus of a key-figure slide, in words.
MAX_WORDS = 120
N_GR = len(GR_MUNICIPALITIES)


@dataclass(frozen=True)
class Facts:
    """Everything a key-figure slide and its talmanus say, as numbers.

    Attributes
    ----------
    kpi, label, title, domain, unit, better, year
        What the slide is about (catalogue fields).
    municipality_id, municipality
        The focus municipality (None for the GR overview).
    value, previous_value, change
        The focus municipality's value, last year's and the change (missing
        across a definition break or a year without the survey).
    rank, n_ranked
        Its rank in GR (1 = best; missing where neither direction is better).
    position, verdict
        The focus municipality against GR-snittet beyond the uncertainty
        (:func:`fou.stats.position.position_table`).
    gr_mean, n_gr
        Unweighted GR mean this year and how many of the 13 contributed.
    gr_change, gr_change_n, gr_change_low, gr_change_high, gr_same_members
        Change of the GR mean since last year over the ``gr_change_n``
        municipalities with both years, its 95 % t interval, and whether both
        years' means cover the same municipalities.
    riket, riket_position, riket_verdict
        Riket's value and GR-snittet against it beyond the uncertainty.
    gr_min, gr_min_names, gr_max, gr_max_names
        Lowest and highest GR value and who has them.
    missing, missing_reason
        No GR municipality has a value, and why.
    no_change_reason
        Why no change since last year can be given (a year without the
        survey, a definition break), for the sentence that says so.
    caveats
        Plain-language caveats.
    bars
        ``(municipality_id, name, value)`` in chart order.
    """

    kpi: str
    label: str
    title: str
    domain: str
    unit: str
    better: str
    year: int
    municipality_id: str | None
    municipality: str | None
    value: float
    previous_value: float
    change: float
    rank: float
    n_ranked: int
    position: str
    verdict: str
    gr_mean: float
    n_gr: int
    gr_change: float
    gr_change_n: int
    gr_change_low: float
    gr_change_high: float
    gr_same_members: bool
    riket: float
    riket_position: str
    riket_verdict: str
    gr_min: float
    gr_min_names: tuple[str, ...]
    gr_max: float
    gr_max_names: tuple[str, ...]
    missing: bool
    missing_reason: str
    no_change_reason: str = ""
    caveats: tuple[str, ...] = ()
    bars: tuple[tuple[str, str, float], ...] = field(default=(), repr=False)


def focus_municipality(municipality: str | None) -> str | None:
    """Resolve the focus municipality; it must be one of the 13 GR municipalities."""
    if municipality is None:
        return None
    mid = resolve_municipality(municipality, parameter="kommun")
    if mid not in GR_MUNICIPALITIES:
        raise ParameterError(
            f"kommun: {municipality_name(mid)} ({mid}) ingår inte i Göteborgsregionen; "
            f"bildspelet jämför GR:s 13 kommuner ({', '.join(GR_MUNICIPALITIES)})."
        )
    return mid


def _reason(note: str, *, first_only: bool = True) -> str:
    """``"värde saknas: X; Y"`` → ``"X"`` (the most likely reason), or ``"X; Y"``."""
    parts = str(note).split("; ")
    text = parts[0] if first_only else "; ".join(p for p in parts if not p.startswith("GR-snittet"))
    for prefix in ("värde saknas: ", "föregående år saknas: "):
        text = text.removeprefix(prefix)
    return text


def spoken_reason(reason: str) -> str:
    """Why a value is missing, as a speaker says it after a comma (no codes, no brackets).

    Examples
    --------
    >>> spoken_reason("ej publicerat för kommunen 2025 (t.ex. färre än 30 svarande)")
    'troligen för att färre än 30 svarade eller för att värdet inte rapporterades in'
    >>> spoken_reason("inga värden för 2025 (nyckeltalet finns 2014–2024)")
    'eftersom nyckeltalet bara finns för 2014–2024'
    """
    import re

    text = str(reason)
    if "genomfördes inte" in text:
        return "eftersom brukarundersökningen inte genomfördes det året"
    ended = re.search(r"upphörde efter (\d{4})", text)
    if ended:
        return f"eftersom nyckeltalet upphörde efter {ended.group(1)}"
    if "färre än" in text:
        n = re.search(r"färre än (\d+)", text)
        return (
            f"troligen för att färre än {n.group(1) if n else 30} svarade eller för att värdet "
            "inte rapporterades in"
        )
    m = re.search(r"nyckeltalet finns (\d{4}[–-]\d{4})", text)
    if m:
        return f"eftersom nyckeltalet bara finns för {m.group(1)}"
    if "inga värden i datamängden" in text:
        return "eftersom nyckeltalet inte har några värden i datamängden"
    if "ej publicerat" in text:
        return "eftersom värdet inte publicerades eller inte rapporterades in"
    return f"med förklaringen: {text}" if text else "av okänd orsak"


def _caveats(
    catalog: Catalog, ov: pd.DataFrame, issues: pd.DataFrame | None, kpi: str, year: int
) -> list[str]:
    """Plain-language caveats: who lacks a value and why, few respondents, breaks, survey gaps."""
    out: list[str] = []
    miss = ov[ov["value"].isna()]
    if 0 < len(miss) < N_GR:
        by_reason: dict[str, list[str]] = {}
        for r in miss.itertuples(index=False):
            by_reason.setdefault(_reason(str(r.note)), []).append(str(r.municipality))
        for why, names in by_reason.items():
            out.append(f"{sv.join(names)} saknar värde, {spoken_reason(why)}.")
    if issues is not None and not issues.empty:
        sel = issues[
            (issues["kpi"] == kpi)
            & (issues["year"] == year)
            & issues["check"].isin(("few_respondents", "low_response_rate"))
            & issues["municipality_id"].isin(GR_MUNICIPALITIES)
        ]
        names = sorted({municipality_name(m) for m in sel["municipality_id"]})
        if names:
            out.append(
                f"För {sv.join(names)} bygger värdet på få svarande eller låg svarsfrekvens, "
                "så det är osäkert."
            )
    brk = catalog.breaks[(catalog.breaks["kpi"] == kpi) & (catalog.breaks["year"] == year)]
    for b in brk.itertuples():
        out.append(f"Definitionen ändrades {int(b.year)}: {b.change}")
    return out


def kpi_facts(
    values: pd.DataFrame,
    *,
    kpi: str,
    year: int,
    municipality: str | None = None,
    catalog: Catalog | None = None,
    issues: pd.DataFrame | None = None,
) -> Facts:
    """Collect the numbers of one key figure and year for its slide and talmanus.

    Parameters
    ----------
    values
        Tidy values table.
    kpi
        Key-figure id in the catalogue.
    year
        Year to describe.
    municipality
        Focus municipality (id or name; one of the 13 GR municipalities) or None.
    catalog
        Key-figure catalogue (None: the packaged one).
    issues
        Issue table of :func:`fou.quality.run_checks`, for caveats.

    Returns
    -------
    Facts

    Raises
    ------
    ParameterError
        Unknown key figure or municipality, or a municipality outside GR.
    """
    catalog = catalog or load_catalog()
    row = catalog.row(kpi)
    mid = focus_municipality(municipality)
    ov = gr_overview(values, kpi=kpi, year=year, catalog=catalog, sort="rank")
    vals = ov["value"].to_numpy(dtype=float)
    has = np.isfinite(vals)
    missing = not has.any()
    lo = float(np.nanmin(vals)) if has.any() else math.nan
    hi = float(np.nanmax(vals)) if has.any() else math.nan
    ch = group_change(values, kpis=[kpi], year=year).iloc[0]
    broken = bool(((catalog.breaks["kpi"] == kpi) & (catalog.breaks["year"] == year)).any())
    not_run = bool(row["survey"]) and (year - 1) in catalog.survey_not_run
    no_change = broken or not_run
    # A break is said among the caveats; a year without the survey only here.
    no_change_reason = f"brukarundersökningen inte gjordes {year - 1}" if not_run else ""
    g = group_against_riket(values, kpis=[kpi], year=year, catalog=catalog).iloc[0]
    if mid is not None:
        me = ov[ov["municipality_id"] == mid].iloc[0]
        pos = position_table(
            values, kpis=[kpi], year=year, catalog=catalog, municipalities=[mid]
        ).iloc[0]
        value, previous, change, rank = (
            float(me[c]) for c in ("value", "previous_value", "change", "rank")
        )
        position, verdict, note = str(pos["position"]), str(pos["verdict"]), str(me["note"])
    else:
        value = previous = change = rank = math.nan
        position = verdict = "saknas"
        note = str(ov["note"].iloc[0]) if missing else ""
    n_ranked = 0 if pd.isna(ov["n_ranked"].iloc[0]) else int(ov["n_ranked"].iloc[0])
    reason = (
        _reason(note, first_only=False)
        if (missing or (mid is not None and math.isnan(value)))
        else ""
    )
    return Facts(
        kpi=kpi,
        label=catalog.label(kpi),
        title=str(row["title"]),
        domain=str(row["domain"]),
        unit=str(row["unit"]),
        better=str(row["better"]),
        year=int(year),
        municipality_id=mid,
        municipality=municipality_name(mid) if mid else None,
        value=value,
        previous_value=previous,
        change=change,
        rank=rank,
        n_ranked=n_ranked,
        position=position,
        verdict=verdict,
        gr_mean=float(ov["gr_mean"].iloc[0]),
        n_gr=int(ov["n_gr"].iloc[0]),
        gr_change=math.nan if no_change else float(ch["change"]),
        gr_change_n=int(ch["n_both"]),
        gr_change_low=math.nan if no_change else float(ch["ci_low"]),
        gr_change_high=math.nan if no_change else float(ch["ci_high"]),
        gr_same_members=bool(ch["same_members"]),
        riket=float(ov["riket"].iloc[0]),
        riket_position=str(g["position"]),
        riket_verdict=str(g["verdict"]),
        gr_min=lo,
        gr_min_names=tuple(ov.loc[vals == lo, "municipality"]) if has.any() else (),
        gr_max=hi,
        gr_max_names=tuple(ov.loc[vals == hi, "municipality"]) if has.any() else (),
        missing=missing,
        missing_reason=reason,
        no_change_reason=no_change_reason,
        caveats=tuple(dict.fromkeys(_caveats(catalog, ov, issues, kpi, year)))
        if not missing
        else (),
        bars=tuple(
            (str(r.municipality_id), str(r.municipality), float(r.value))
            for r in ov.itertuples(index=False)
        ),
    )


# --------------------------------------------------------------------------- spoken numbers

#: Unit words after a spoken value.
SPOKEN_UNITS: dict[str, str] = {
    "percent": "procent",
    "percent_deviation": "procent",
    "days": "dagar",
    "days_per_inhabitant": "dagar per invånare 65 år och äldre",
    "per_inhabitant": "per invånare 65 år och äldre",
    "per_100k": "per 100 000 invånare",
    "sek": "kronor",
    "msek": "miljoner kronor",
}


def spoken(value: float, unit: str) -> str:
    """A value as one says it: rounded, with its unit word (``86 procent``, ``45 000 kronor``).

    Examples
    --------
    >>> [t.replace(sv.NBSP, " ") for t in (spoken(85.6, "percent"), spoken(45210.0, "sek"))]
    ['86 procent', '45 000 kronor']
    >>> spoken(1532036.0, "sek"), spoken(2.34, "days")
    ('1,5 miljoner kronor', '2,3 dagar')
    """
    if sv.is_missing(value):
        return "saknas"
    x = float(value)
    if unit == "sek" and abs(x) >= 1_000_000:
        return f"{sv.number(x / 1e6, 1)} miljoner kronor"
    if unit in ("sek", "per_100k") and abs(x) >= 10_000:
        text = sv.integer(round(x, -3))
    elif unit in ("sek", "per_100k") and abs(x) >= 1_000:
        text = sv.integer(round(x, -2))
    elif unit in ("percent", "percent_deviation", "index", "count", "msek", "per_100k", "flag"):
        text = sv.integer(x)
    else:
        text = sv.number(x, 1)
    word = SPOKEN_UNITS.get(unit, "")
    return f"{text} {word}".strip()


def spoken_difference(diff: float, unit: str) -> str:
    """A difference as one says it, singular and plural right: ``1 procentenhet``, ``0,4 dagar``.

    Whole numbers are said without decimals; below 1,5 (or 10 for other units)
    one decimal is kept, so that a small change does not become zero.

    Examples
    --------
    >>> spoken_difference(1.02, "percent"), spoken_difference(-1.4, "percent")
    ('1 procentenhet', '1,4 procentenheter')
    """
    x = abs(float(diff))
    small = 1.5 if unit in ("percent", "percent_deviation") else 10.0
    whole = x >= 0.95 and abs(x - round(x)) < 0.05
    decimals = 0 if (x >= small or whole) else 1
    words = DIFFERENCE_UNITS.get(unit)
    if unit in ("sek", "msek"):
        return spoken(x, unit)
    if words is not None:
        return sv.quantity(x, words[0], words[1], decimals)
    word = SPOKEN_UNITS.get(unit, "")
    return f"{sv.number(x, decimals)} {word}".strip()


# --------------------------------------------------------------------------- the note


def _message(f: Facts) -> str:
    if f.municipality is not None:
        if f.position == "saknas":
            return (
                f"{f.municipality} saknar värde {f.year}: {f.missing_reason or 'uppgift saknas'}."
            )
        if f.position == "nära":
            return (
                f"{f.municipality} ligger nära GR-snittet; skillnaden är mindre än osäkerheten och "
                "kan vara slump."
            )
        where = "över" if f.position == "över" else "under"
        judged = {"bättre": ", ett bättre resultat", "sämre": ", ett sämre resultat"}.get(
            f.verdict, ""
        )
        return f"{f.municipality} ligger tydligt {where} GR-snittet{judged}."
    if f.riket_position == "saknas":
        return "Riket saknar värde, så GR kan inte jämföras med riket."
    if f.riket_position == "nära":
        return "GR-snittet ligger nära riket; skillnaden är mindre än osäkerheten."
    where = "över" if f.riket_position == "över" else "under"
    judged = {"bättre": ", ett bättre resultat", "sämre": ", ett sämre resultat"}.get(
        f.riket_verdict, ""
    )
    return f"GR-snittet ligger tydligt {where} riket{judged}."


def _numbers(f: Facts) -> str:
    u = f.unit
    parts = []
    if f.municipality is not None and not math.isnan(f.value):
        parts.append(
            f"{f.municipality} har {spoken(f.value, u)}, GR-snittet är {spoken(f.gr_mean, u)}"
        )
    else:
        parts.append(f"Snittet för GR:s kommuner är {spoken(f.gr_mean, u)}")
    if not math.isnan(f.riket):
        parts.append(f"och riket ligger på {spoken(f.riket, u)}")
    text = " ".join(parts) + "."
    if f.municipality is not None and not math.isnan(f.rank) and f.better != "neither":
        text += f" Det är plats {int(f.rank)} av {f.n_ranked} i GR."
    elif f.municipality is None and f.gr_max_names:
        text += (
            f" Högst har {sv.join(list(f.gr_max_names))} med {spoken(f.gr_max, u)}, lägst "
            f"{sv.join(list(f.gr_min_names))} med {spoken(f.gr_min, u)}."
        )
    if f.n_gr < N_GR:
        text += f" Snittet bygger på {f.n_gr} av {N_GR} kommuner."
    return text


def _because(f: Facts) -> str:
    """``, eftersom brukarundersökningen inte gjordes 2021`` (or nothing when unknown)."""
    return f", eftersom {f.no_change_reason}" if f.no_change_reason else ""


def _change(f: Facts) -> str:
    prev = f.year - 1
    if f.municipality is not None and not math.isnan(f.value):
        if math.isnan(f.change):
            return f"Förändringen sedan {prev} kan inte anges{_because(f)}."
        if round(f.change, 1) == 0:
            return f"Sedan {prev} är värdet i stort sett oförändrat."
        verb = "ökat" if f.change > 0 else "minskat"
        prices = " i löpande priser" if f.unit in PRICE_UNITS else ""
        return (
            f"Sedan {prev} har {f.municipality} {verb} med "
            f"{spoken_difference(f.change, f.unit)}{prices}."
        )
    if math.isnan(f.gr_change) or f.gr_change_n < 2:
        return f"Förändringen av snittet sedan {prev} kan inte anges{_because(f)}."
    verb = "ökat" if f.gr_change > 0 else "minskat"
    prices = " i löpande priser" if f.unit in PRICE_UNITS else ""
    text = (
        f"Sedan {prev} har snittet {verb} med {spoken_difference(f.gr_change, f.unit)}{prices}, "
        f"räknat på de {f.gr_change_n} kommuner som har värden båda åren"
    )
    sure = f.gr_change_low > 0 or f.gr_change_high < 0
    return text + ("." if sure else "; förändringen är inom osäkerheten.")


def speaker_notes(facts: Facts) -> str:
    """The talmanus of one key-figure slide: message, numbers, change, caveats (≤ 120 words)."""
    f = facts
    if f.missing:
        why = spoken_reason(f.missing_reason)
        return f"{f.label}: inga värden för GR:s kommuner {f.year}, {why}."
    sentences = [_message(f), _numbers(f), _change(f)]
    for i, caveat in enumerate(f.caveats):
        candidate = [*sentences, ("Ett förbehåll: " if i == 0 else "") + caveat]
        if word_count(" ".join(candidate)) > MAX_WORDS:
            break
        sentences = candidate
    return " ".join(sentences)


def word_count(text: str) -> int:
    """Words in a talmanus."""
    return len(text.split())
