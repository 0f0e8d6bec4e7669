"""Samband (fou.reports.associations): the multiple-testing note's numbers."""

from __future__ import annotations

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
