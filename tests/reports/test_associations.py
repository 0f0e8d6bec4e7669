"""Samband (fou.reports.associations): the multiple-testing note, the tables' wording."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from fou.core import sv
from fou.reports import associations
from fou.stats import min_significant_r


def test_multiple_testing_note(ale):
    kpis = ["U21463", "N20403", "N20900"]
    note = associations.multiple_testing_note(ale, kpis)
    first, second = note.items
    assert f"minst {sv.number(min_significant_r(13), 2)}" in first
    assert f"med alla {len(ale.municipal_ids)} kommuner" in first
    assert "3 nyckeltal ger 3 par" in second and "omkring 0,2 par" in second  # 0,15 rounded up


def test_candidates_need_ten_gr_values(ale):
    got = associations.candidate_kpis(ale, candidates=["U21463", "N20403", "U23461"])
    assert got == ["U21463", "N20403"]


def test_national_table_says_n_once_and_p_method_in_a_note(ale):
    kpis = ["U21463", "N20403", "N20900"]
    table = associations.national_table(ale, associations.screen(ale, kpis))
    shown = table.text()
    # 12 of the 13 have values for most pairs here: said once, n only where it differs.
    assert (shown["GR: rho [95 % KI]"].str.contains("n = ") == (table.data["n_gr"] != 12)).all()
    assert any("12 av GR:s 13 och 29 i hela landet" in n for n in table.all_notes)
    assert any(associations.P_METHOD in n for n in table.all_notes)
    assert associations.P_METHOD not in table.caption
    assert "GR-13" not in " ".join(table.labels)


@pytest.mark.parametrize(
    ("within", "between", "said"),
    [(0.4, -0.3, "positivt inom kommun men negativt mellan kommuner"),
     (-0.4, 0.3, "positivt mellan kommuner men negativt inom kommun"),
     (0.4, 0.3, ""), (math.nan, -0.3, "")],
)  # fmt: skip
def test_levels_note_only_when_the_signs_differ(within, between, said):
    pooled = pd.DataFrame({"level": ["inom kommun", "mellan kommuner"], "r": [within, between]})
    note = associations.levels_note(pooled)
    assert (said in note and note) if said else note == ""
