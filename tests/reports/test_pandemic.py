"""Tests for fou.reports.pandemic: what the pandemic section and chapter say and show.

The small data set (``tests/small_data.py``) has U21463 rising by one point a
year in every municipality with 100 + 10 i respondents, and Riket without a
respondent count; a hand-made set adds one change that is clearly larger than
its uncertainty.
"""

from __future__ import annotations

import pandas as pd
import pytest

from fou.core.catalog import load_catalog
from fou.core.registry import GR_MUNICIPALITIES, RIKET
from fou.data.dataset import Dataset
from fou.data.provenance import Provenance
from fou.reports import pandemic
from fou.reports.context import ReportContext
from fou.reports.display import Chart, Note, Table
from fou.stats.survey_change import GR_POOLED


def _ctx(rows: list[tuple[str, str, int, float]], mid: str | None = "1440") -> ReportContext:
    v = pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"]).assign(
        gender="T", count=pd.NA, status=pd.NA, source="demo"
    )
    prov = Provenance("demo", "demo-test", "2026-01-01T00:00:00+00:00", years=(2019, 2022))
    groups = pd.DataFrame(columns=["group_id", "title", "municipality_id"])
    name = "Ale" if mid else None
    return ReportContext(Dataset(values=v, groups=groups, provenance=prov), load_catalog(), mid,
                         name, 2022, "gr")  # fmt: skip


@pytest.fixture
def clear() -> ReportContext:
    """Ale's loneliness in hemtjänst rises from 10 % to 20 % with 2 000 respondents."""
    rows = []
    for year, lonely in ((2019, 10.0), (2020, 20.0), (2022, 20.0)):
        rows += [("U21478", "1440", year, lonely), ("U23592", "1440", year, 2000.0),
                 ("U21468", "1440", year, 85.0),
                 ("U21478", RIKET, year, 13.0), ("U23592", RIKET, year, 80000.0)]  # fmt: skip
    return _ctx(rows)


def test_changes_cover_the_three_steps(ale):
    ch = pandemic.changes(ale)
    assert set(zip(ch["from_year"], ch["to_year"], strict=True)) == {
        (2019, 2020), (2020, 2022), (2019, 2022)}  # fmt: skip
    r = ch[(ch["municipality_id"] == "1440") & (ch["from_year"] == 2020)].iloc[0]
    assert r["change"] == pytest.approx(2.0) and r["direction"] == "oklar"


def test_reading_names_only_changes_beyond_the_uncertainty(clear):
    text = " ".join(pandemic.reading(clear, pandemic.changes(clear)).paragraphs)
    assert "Hemtjänst 2019–2020 (före och under pandemin). Ale: Svåra besvär av ensamhet " in text
    assert "ökade med 10 procentenheter (95 % KI [" in text
    assert "Den återstående frågans förändring ryms i osäkerheten." in text  # helhetssyn 85 → 85
    assert "Särskilt boende" not in text  # no results there: not mentioned
    assert "Hemtjänst 2020–2022 (under och efter pandemin). Ale: ingen av de 2 frågorna" in text
    # Riket has loneliness only; unchanged 13 → 13 with a narrow interval
    assert "Riket: frågan förändrades inte mer än osäkerheten." in text


def test_without_respondents_nothing_is_claimed():
    rows = [("U21478", m, y, v) for y, v in ((2019, 10.0), (2020, 30.0)) for m in ("1440", RIKET)]
    ctx = _ctx(rows)
    text = " ".join(pandemic.reading(ctx, pandemic.changes(ctx)).paragraphs)
    assert "Ale: förändringarna saknar osäkerhetsmått" in text
    assert "Riket: förändringarna saknar osäkerhetsmått" in text
    assert "ökade" not in text


def test_finding_counts_better_and_worse(clear):
    f = pandemic.finding(clear, pandemic.changes(clear))
    assert f is not None
    assert f.text == ("Pandemiåren i brukarundersökningen, Ale: Mellan 2019 och 2020 försämrades "
                      "1 av 2 frågor; mellan 2020 och 2022 ändrades ingen av 2 frågor mer än "
                      "osäkerheten.")  # fmt: skip


def test_municipality_table_rows_and_values(clear):
    t = pandemic.municipality_table(clear, pandemic.changes(clear), area="hemtjänst")
    assert isinstance(t, Table)
    shown = t.text()
    loneliness = shown[shown["Fråga"] == "Svåra besvär av ensamhet (hemtjänst)"].index[0]
    block = shown.loc[loneliness : loneliness + 2]
    assert list(block["Kommun/nivå"]) == ["Ale", "GR (alla svarande)", "Riket"]
    assert list(block["2019 (%)"]) == ["10", "10", "13"]
    assert block["Förändring 2019–2020"].iloc[0] == "+10"  # whole points, as Kolada publishes
    assert block["Förändring 2019–2020"].iloc[1] == "+10,0"  # GR together: one decimal
    assert "Förändring 2019–2022" not in shown.columns  # only consecutive steps


@pytest.fixture
def gr13() -> ReportContext:
    """U21468 for the 13 and Riket, 2019, 2020 and 2022; Öckerö (1407) missing in 2020."""
    rows = []
    for i, m in enumerate([*GR_MUNICIPALITIES, RIKET]):
        for year in (2019, 2020, 2022):
            share = float("nan") if (m == "1407" and year == 2020) else 80.0 + i % 5
            rows += [("U21468", m, year, share), ("U23592", m, year, 300.0)]
    return _ctx(rows, mid=None)


def test_regional_table_has_the_13_gr_and_riket(gr13):
    t = pandemic.regional_table(gr13, pandemic.changes(gr13), area="hemtjänst")
    assert isinstance(t, Table)
    names = list(t.text()["Kommun"])
    assert len(names) == len(GR_MUNICIPALITIES) + 2
    assert names[-2:] == ["GR (alla svarande)", "Riket"]


def test_gr_row_pools_the_members_with_both_years(region):
    ch = pandemic.changes(region)
    gr = ch[(ch["municipality_id"] == GR_POOLED) & (ch["from_year"] == 2020)
            & (ch["to_year"] == 2022)].iloc[0]  # fmt: skip
    # Stenungsund (1415) is suppressed in 2022 and does not count either year
    assert gr["n_members"] == 12 and gr["missing_members"] == ("1415",)


def test_missing_headline_is_said_not_drawn(region):
    # small data has no U21468, the headline: the chart and table say so instead
    ch = pandemic.changes(region)
    assert isinstance(pandemic.distribution_chart(region, ch), Note)
    assert isinstance(pandemic.regional_table(region, ch, area="hemtjänst"), Note)


def test_regional_chapter_order(gr13):
    blocks = pandemic.regional_chapter(gr13, pandemic.changes(gr13))
    kinds = [type(b).__name__ for b in blocks]
    assert kinds[:3] == ["Heading", "Note", "Table"] and "Chart" in kinds
    reading = " ".join(blocks[1].paragraphs)
    assert reading.startswith("Hemtjänst 2019–2020 (före och under pandemin). GR: ")


def test_distribution_chart_caption(clear):
    c = pandemic.distribution_chart(clear, pandemic.changes(clear))
    assert isinstance(c, Chart)
    assert (
        "0 av 2 förändringar i figuren har ett 95 %-intervall (vidgat för avrundningen) som inte innehåller 0"
        in c.caption
    )


def test_too_few_survey_years_say_so(clear):
    early = ReportContext(clear.dataset, clear.catalog, "1440", "Ale", 2019, "gr")
    ch = pandemic.changes(early)
    assert ch.empty
    note = pandemic.reading(early, ch)
    assert note.kind == "missing" and "minst två av åren" in note.paragraphs[0]
    blocks = pandemic.regional_chapter(early, ch)
    assert blocks[-1].kind == "missing"
