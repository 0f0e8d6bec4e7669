"""The follow-up report (fou.reports.followup): group means, the index against Riket, gaps said."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fou.core.catalog import load_catalog
from fou.core.groups import ComparisonGroup
from fou.core.profiles import FollowUpProfile, ProfileKpi
from fou.core.registry import RIKET
from fou.data.dataset import Dataset
from fou.data.provenance import Provenance
from fou.reports import followup
from fou.reports.context import ReportContext
from fou.reports.display import Chart, Note, Table

GROUP = ComparisonGroup("egen", "Egen grupp", ("1440", "1441", "1442"))
PROFILE = FollowUpProfile(
    name="egen", title="Egen uppföljning", municipality_id="1419", comparison="egen", years=3,
    kpis=(ProfileKpi("N21006", "Hemtjänst, kr/brukare"), ProfileKpi("N20029"),
          ProfileKpi("N28018", "LSS-avvikelse")),
    path=Path("egen.yaml"),
)  # fmt: skip


@pytest.fixture
def ctx() -> ReportContext:
    rows = []
    for i, y in enumerate((2020, 2021, 2022)):
        rows += [
            ("N21006", "1419", y, 300_000.0 + 10_000 * i),
            ("N21006", "1440", y, 250_000.0), ("N21006", "1441", y, 270_000.0),
            ("N21006", "1442", y, np.nan if y == 2022 else 290_000.0),
            ("N21006", RIKET, y, 280_000.0 + 5_000 * i),
            ("N20029", "1419", y, -10.0), ("N20029", "1440", y, 5.0), ("N20029", RIKET, y, 120.0),
        ]  # fmt: skip
    v = pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"]).assign(
        gender="T", count=pd.NA, status=pd.NA, source="demo")  # fmt: skip
    prov = Provenance("demo", "demo-test", "2026-01-01T00:00:00+00:00", years=(2020, 2022))
    groups = pd.DataFrame(columns=["group_id", "title", "municipality_id"])
    ds = Dataset(values=v, groups=groups, provenance=prov)
    return ReportContext(ds, load_catalog(), "1419", "Tjörn", 2022, "egen", GROUP)


def test_series_group_mean_over_members_with_values_and_index(ctx):
    s = followup.kpi_series(ctx, PROFILE, "N21006").set_index("year")
    assert s.loc[2021, "group_mean"] == pytest.approx(270_000.0) and s.loc[2021, "n_group"] == 3
    assert s.loc[2022, "group_mean"] == pytest.approx(260_000.0)  # 1442 missing: not 0
    assert s.loc[2022, "n_group"] == 2 and s.loc[2022, "missing_members"] == ("1442",)
    assert s.loc[2022, "index"] == pytest.approx(100 * 320_000 / 290_000)
    assert s.loc[2022, "group_index"] == pytest.approx(100 * 260_000 / 290_000)


def test_sizes_in_mnkr_are_not_compared(ctx):
    s = followup.kpi_series(ctx, PROFILE, "N20029")
    assert s["value"].notna().all()
    assert s[["group_mean", "gr_mean", "riket"]].isna().all().all()
    table = followup.kpi_section(ctx, PROFILE, "N20029")[1]
    assert isinstance(table, Table) and any("storlek" in n for n in table.notes)


def test_a_key_figure_without_values_is_said_plainly(ctx):
    blocks = followup.kpi_section(ctx, PROFILE, "N28018")
    assert isinstance(blocks[1], Note) and blocks[1].kind == "missing"
    assert "LSS-avvikelse (N28018) finns inte i demodata" in blocks[1].paragraphs[0]
    text = " ".join(followup.summary(ctx, PROFILE).items)
    assert "Inga värden för LSS-avvikelse (N28018): demodata har bara katalogens" in text
    # fetched from Kolada (its title came with the data) but without values: said so
    prov = Provenance("kolada", "20260101T000000Z", "2026-01-01T00:00:00+00:00",
                      years=(2020, 2022))  # fmt: skip
    ds = Dataset(values=ctx.values, groups=ctx.groups, provenance=prov,
                 kpi_titles={"N28018": "Nettokostnadsavvikelse LSS (%)"})  # fmt: skip
    real = ReportContext(ds, ctx.catalog, "1419", "Tjörn", 2022, "egen", GROUP)
    note = followup.kpi_section(real, PROFILE, "N28018")[1]
    assert note.paragraphs[0] == ("Nettokostnadsavvikelse LSS (%) (N28018): Kolada har inga "
                                  "värden för kommunerna 2020–2022 i den hämtning rapporten "
                                  "bygger på.")  # fmt: skip
    assert "Jämförelsegruppen (Egen grupp): Ale, Lerum och Vårgårda" in text


def test_section_has_a_table_and_the_index_chart(ctx):
    blocks = followup.kpi_section(ctx, PROFILE, "N21006")
    table, chart = blocks[1], blocks[2]
    assert isinstance(table, Table) and isinstance(chart, Chart)
    labels = [c.label for c in table.shown]
    assert "Index Tjörn (riket = 100)" in labels
    assert "till höger som index" in chart.caption.lower()


def test_changes_section_on_demo_data_says_why_it_is_empty(ctx):
    blocks = followup.changes_section(ctx, PROFILE)
    assert blocks[0].text == "Nytt och ändrat sedan förra hämtningen"
    assert blocks[1].kind == "missing"
