"""Kommunprofil (fou.reports.profile): the numbers of its tables, recomputed from the fixture."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from small_data import MUNICIPALITIES, value_of

from fou.core.registry import GR_MUNICIPALITIES
from fou.reports import profile

GR = [MUNICIPALITIES.index(m) for m in GR_MUNICIPALITIES]


def test_domain_table_rows_values_and_caption(ale):
    table = profile.domain_table(ale, "personcentrering")
    assert table.caption.startswith("Personcentrering: Ale 2022 jämfört med GR-snitt")
    data = table.data.set_index("kpi")
    assert list(data.index) == ale.catalog.ids(domain="personcentrering")
    ale_i = MUNICIPALITIES.index("1440")
    assert data.at["U21463", "value"] == value_of("U21463", ale_i, 2022)
    # GR-snitt over the 12 with a value (Stenungsund is suppressed in 2022)
    expected = np.mean([value_of("U21463", i, 2022) for i, m in zip(GR, GR_MUNICIPALITIES, strict=True)
                        if m != "1415"])  # fmt: skip
    assert data.at["U21463", "gr_mean"] == expected
    # no change across the survey gap: 2021 had no survey
    assert np.isnan(data.at["U21463", "change"])
    shown = table.text().set_index("Nyckeltal")
    label = ale.catalog.label
    assert shown.at[label("U21463"), "Ale 2022"] == "80"  # survey shares in whole per cent
    assert shown.at[label("U23461"), "Ale 2022"] == "–"  # not in the fixture: missing, not 0
    assert shown.at[label("U21463"), "Enhet"] == "%"


def test_chosen_comparison_comes_first(ale):
    from dataclasses import replace

    table = profile.domain_table(replace(ale, comparison="riket"), "kostnader")
    labels = table.labels
    assert labels[4] == "Riket (vald jämförelse)"
    assert labels.index("Riket (vald jämförelse)") < labels.index("GR-snitt")


def test_trend_chart_has_one_panel_per_key_figure(ale):
    chart = profile.trend_chart(ale, kpis=("U21463", "N20403", "N20900"))
    visible = [ax for ax in chart.figure.axes if ax.get_visible() and ax.get_title()]
    assert len(visible) == 3
    assert "definitionsändring" in chart.caption and chart.source.startswith("Demodata")


@pytest.mark.parametrize(
    ("taken", "today", "said"),
    [("2023-05-10", date(2023, 6, 1), "Kostnaderna för 2022 är preliminära: uppgifterna hämtades 2023-05-10"),
     ("2023-05-10", date(2023, 9, 1), "Kostnaderna för 2022 var preliminära när uppgifterna hämtades"),
     ("2023-09-10", date(2023, 9, 11), "Kostnaderna för 2022 är fastställda")],
)  # fmt: skip
def test_preliminary_costs_follow_the_snapshot_date(ale, taken, today, said):
    from dataclasses import replace

    from fou.reports.common import preliminary_costs

    prov = replace(ale.dataset.provenance, created_at=f"{taken}T08:00:00+00:00")
    ctx = replace(ale, dataset=replace(ale.dataset, provenance=prov))
    note = preliminary_costs(ctx, today=today)
    assert note is not None and note.paragraphs[0].startswith(said)
    assert (note.kind == "warning") == ("preliminära" in said)


def test_sizes_in_mnkr_get_no_mean_no_rank_and_no_riket(ale):
    from dataclasses import replace

    import pandas as pd

    rows = [
        {"kpi": "N20029", "municipality_id": m, "year": y, "gender": "T",
         "value": float(i * 10 - 40), "count": 1, "status": "", "source": "demo"}
        for i, m in enumerate([*GR_MUNICIPALITIES, "0000"]) for y in (2021, 2022)
    ]  # fmt: skip
    values = pd.concat([ale.values, pd.DataFrame(rows)], ignore_index=True)
    ctx = replace(ale, dataset=replace(ale.dataset, values=values))
    row = profile.comparison(ctx, kpis=["N20029"]).iloc[0]
    assert np.isfinite(row["value"]) and np.isfinite(row["change"])  # its own numbers stay
    for column in ("gr_mean", "similar_mean", "riket", "rank_gr"):
        assert np.isnan(row[column]), column
