"""Tests for fou.reports.gender: women and men in the profile, the regional report and data quality."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fou.core.catalog import load_catalog
from fou.core.registry import GR_MUNICIPALITIES, RIKET
from fou.data.dataset import Dataset
from fou.data.provenance import Provenance
from fou.reports import gender
from fou.reports.context import ReportContext
from fou.reports.display import Note, Table


def _ctx(rows: list[tuple[str, str, str, float]], mid: str | None = "1440") -> ReportContext:
    v = pd.DataFrame(rows, columns=["kpi", "municipality_id", "gender", "value"]).assign(
        year=2022, count=pd.NA, status=pd.NA, source="demo"
    )
    prov = Provenance("demo", "demo-test", "2026-01-01T00:00:00+00:00", years=(2022, 2022))
    groups = pd.DataFrame(columns=["group_id", "title", "municipality_id"])
    ds = Dataset(values=v, groups=groups, provenance=prov)
    return ReportContext(ds, load_catalog(), mid, "Ale" if mid else None, 2022, "gr")


@pytest.fixture
def staff() -> ReportContext:
    """Full-time employment (N20206) for the 13 and Riket; women lower everywhere, Ale's M missing."""
    rows = []
    for i, m in enumerate([*GR_MUNICIPALITIES, RIKET]):
        k, mm = 70.0 + i, 76.0 + i + (i % 3)
        rows += [("N20206", m, "T", (k + mm) / 2), ("N20206", m, "K", k)]
        if m != "1440":
            rows.append(("N20206", m, "M", mm))
    rows += [("U21463", "1440", "T", 90.0)]  # divided by Kolada, but no split here
    return _ctx(rows)


def test_profile_table_shows_women_men_and_no_gap_where_one_is_missing(staff):
    t = gender.domain_table(staff, "kompetens")
    assert isinstance(t, Table)
    shown = t.text().set_index("Nyckeltal")
    row = shown.loc["Heltidsanställda i omsorgen (äldre och LSS)"]
    assert (row["Totalt"], row["Kvinnor"], row["Män"]) != ("–", "–", "–")
    assert row["Män"] == "–" and row["Skillnad (kvinnor − män)"] == "–"
    notes = " ".join(t.all_notes)  # one row: its comment is said once under the table
    assert "Värde för män saknas; ingen skillnad beräknas." in notes
    assert "Registeruppgifter räknar alla" in notes


def test_domain_without_divided_key_figures_adds_nothing(staff):
    assert gender.domain_table(staff, "kostnader") is None


def test_split_missing_altogether_is_said(staff):
    note = gender.domain_table(staff, "personcentrering")
    assert isinstance(note, Note) and note.kind == "missing"
    assert "saknas uppdelningen på kvinnor och män" in note.paragraphs[0]


def test_regional_chapter_claims_only_beyond_the_interval(staff):
    region = ReportContext(staff.dataset, staff.catalog, None, None, 2022, "gr")
    blocks = gender.regional_chapter(region)
    table = blocks[-1]
    assert isinstance(table, Table)
    row = table.data.set_index("kpi").loc["N20206"]
    # 12 members with both (Ale has no value for men); men higher by 6–8 points in each
    assert row["n_both"] == 12 and row["gap"] < 0
    assert row["reading"] == "Män högre"
    text = blocks[1].paragraphs[0]
    assert "Männens värde är tydligt högre för Heltidsanställda i omsorgen (äldre och LSS)" in text


def test_data_quality_lists_the_missing_split(staff):
    t = gender.missing_split_table(staff)
    assert isinstance(t, Table)
    found = dict(zip(t.data["kpi"], t.data["status"], strict=True))
    assert found == {"N20206": "män saknas", "U21463": "båda saknas"}


def test_no_gap_is_ever_made_up():
    ctx = _ctx([("N20209", "1440", "T", 50.0), ("N20209", "1440", "K", np.nan),
                ("N20209", "1440", "M", 48.0)])  # fmt: skip
    t = gender.domain_table(ctx, "kompetens")
    assert isinstance(t, Table)
    assert t.data["gap"].isna().all()


@pytest.mark.parametrize("share", [False, True], ids=["alone", "shared"])
def test_a_members_gaps_are_its_rows_of_the_thirteen(staff, tmp_path, monkeypatch, share):
    from dataclasses import replace

    from fou.core.paths import SHARED_CACHE_ENV
    from fou.core.registry import municipality_name
    from fou.reports import shared

    if share:  # as in a batch: the table of the 13 is computed once, on disk
        monkeypatch.setenv(SHARED_CACHE_ENV, str(tmp_path))
    else:
        monkeypatch.delenv(SHARED_CACHE_ENV, raising=False)
    shared.clear_memory()
    kpis = gender.gender_kpis(staff)
    statuses = set()
    try:
        for mid in GR_MUNICIPALITIES:
            ctx = replace(staff, municipality_id=mid, municipality=municipality_name(mid))
            alone = gender._gaps(ctx, kpis, [mid])
            pd.testing.assert_frame_equal(gender._own_gaps(ctx, kpis), alone)
            statuses |= set(alone["status"])
    finally:
        shared.clear_memory()
    assert {"båda", "män saknas"} <= statuses and len(kpis) > 1  # real gaps and a missing one
    assert any(tmp_path.rglob("*.pkl")) == share
