"""Talmanus (fou.reports.talmanus): every number it speaks, recomputed from the data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fou.core.catalog import load_catalog
from fou.core.registry import GR_MUNICIPALITIES, RIKET, municipality_name
from fou.reports.talmanus import MAX_WORDS, kpi_facts, speaker_notes, spoken_difference, word_count
from spoken_numbers import find_number, gr_values, riket_value

CAT = load_catalog()


def _frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"]).assign(
        gender="T"
    )


@pytest.fixture(scope="module")
def demo():
    from fou.data.demo import generate_demo

    return generate_demo().values


@pytest.mark.parametrize("kpi", ["U21463", "N20403", "N20900", "N21006"])
def test_gr_overview_numbers(demo, kpi):
    year = 2024
    notes = speaker_notes(kpi_facts(demo, kpi=kpi, year=year, catalog=CAT))
    cur, prev = gr_values(demo, kpi, year), gr_values(demo, kpi, year - 1)
    tol = {"percent": 0.5, "days": 0.05, "percent_deviation": 0.5, "sek": 500}[
        str(CAT.row(kpi)["unit"])
    ]
    assert abs(find_number(r"Snittet för GR:s kommuner är NUM", notes) - cur.mean()) <= tol
    assert abs(find_number(r"riket ligger på NUM", notes) - riket_value(demo, kpi, year)) <= tol
    assert abs(find_number(r"Högst har [^.]*? med NUM", notes) - cur.max()) <= tol
    assert f"Högst har {municipality_name(cur.idxmax())}" in notes
    both = cur.notna() & prev.notna()
    change = (cur - prev)[both].mean()
    said = find_number(r"snittet (?:ökat|minskat) med NUM", notes)
    assert abs(said - abs(change)) <= max(tol, 0.05)
    assert ("ökat" in notes) == (change > 0)
    assert f"de {int(both.sum())} kommuner som har värden båda åren" in notes
    assert word_count(notes) <= MAX_WORDS


@pytest.mark.parametrize(
    ("kpi", "mid"), [("U23461", "1402"), ("N20403", "1440"), ("N21006", "1480")]
)
def test_focus_municipality_numbers(demo, kpi, mid):
    year = 2024
    notes = speaker_notes(kpi_facts(demo, kpi=kpi, year=year, municipality=mid, catalog=CAT))
    cur, prev = gr_values(demo, kpi, year), gr_values(demo, kpi, year - 1)
    name = municipality_name(mid)
    tol = {"percent": 0.5, "days": 0.05, "sek": 500}[str(CAT.row(kpi)["unit"])]
    assert notes.startswith(name)  # the message first
    assert abs(find_number(rf"{name} har NUM", notes) - cur[mid]) <= tol
    assert abs(find_number(r"GR-snittet är NUM", notes) - cur.mean()) <= tol
    better = CAT.row(kpi)["better"]
    others = cur.dropna()
    if better == "neither":  # costs are not ranked
        assert "plats" not in notes
    else:
        n_better = (others > cur[mid]).sum() if better == "higher" else (others < cur[mid]).sum()
        assert find_number(r"plats NUM av", notes) == n_better + 1
        assert find_number(r"plats \d+ av NUM", notes) == len(others)
    if not np.isnan(prev[mid]):
        assert (
            abs(
                find_number(rf"har {name} (?:ökat|minskat) med NUM", notes)
                - abs(cur[mid] - prev[mid])
            )
            <= tol
        )


def test_a_group_change_is_over_the_same_municipalities():
    """2021: 10 of 13 have values, 2022: 12. The naive difference of means rises; the same-ten change falls."""
    old = [15.0, 15.5, 16.0, 14.5, 15.2, 15.8, 14.9, 15.1, 16.2, 14.8, np.nan, np.nan, np.nan]
    new = [v - 0.5 for v in old[:10]] + [20.0, 21.0, np.nan]
    rows = [("U21401", m, 2021, o) for m, o in zip(GR_MUNICIPALITIES, old, strict=True)]
    rows += [("U21401", m, 2022, n) for m, n in zip(GR_MUNICIPALITIES, new, strict=True)]
    rows += [("U21401", RIKET, y, 15.0) for y in (2021, 2022)]
    values = _frame(rows)
    assert np.nanmean(new) > np.nanmean(old)  # what the old talmanus said
    f = kpi_facts(values, kpi="U21401", year=2022, catalog=CAT)
    assert f.gr_change == pytest.approx(-0.5) and f.gr_change_n == 10 and not f.gr_same_members
    notes = speaker_notes(f)
    assert "snittet minskat med 0,5" in notes and "de 10 kommuner som har värden båda åren" in notes


def test_no_change_across_a_survey_gap_or_a_break(demo):
    notes = speaker_notes(kpi_facts(demo, kpi="U21463", year=2022, catalog=CAT))
    assert (
        "Förändringen av snittet sedan 2021 kan inte anges, eftersom brukarundersökningen inte "
        "gjordes 2021." in notes
    )
    notes = speaker_notes(kpi_facts(demo, kpi="N20900", year=2019, catalog=CAT))
    assert "kan inte anges" in notes and "Definitionen ändrades 2019" in notes


def test_missing_everywhere_says_why(demo):
    f = kpi_facts(demo, kpi="U21463", year=2021, catalog=CAT)
    assert f.missing
    assert speaker_notes(f) == (
        "Hänsyn till åsikter och önskemål (hemtjänst): inga värden för GR:s kommuner 2021, "
        "eftersom brukarundersökningen inte genomfördes det året."
    )


def test_caveats_in_plain_words(demo):
    from fou.quality import run_checks

    issues = run_checks(demo, municipalities=list(GR_MUNICIPALITIES), years=[2024])
    notes = speaker_notes(kpi_facts(demo, kpi="U23461", year=2024, catalog=CAT, issues=issues))
    assert "Ett förbehåll: Stenungsund saknar värde, troligen för att färre än 30 svarade" in notes
    assert "(" not in notes and "_" not in notes


def test_spoken_differences_agree_in_number():
    assert spoken_difference(1.0, "percent") == "1 procentenhet"
    assert spoken_difference(2.0, "percent") == "2 procentenheter"
    assert spoken_difference(-1.4, "percent") == "1,4 procentenheter"
    assert spoken_difference(1.0, "days") == "1 dag"
    assert spoken_difference(0.5, "count") == "0,5"
