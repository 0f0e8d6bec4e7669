"""Personcentrering (fou.reports.person_centred): no chart bridges a year without the survey."""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PolyCollection

from fou.reports import person_centred


def test_index_trend_breaks_at_the_year_without_survey(ale):
    idx = person_centred.index(ale)
    chart = person_centred.index_trend_chart(ale, idx)
    ax = chart.figure.axes[0]
    series = [ln for ln in ax.get_lines() if str(ln.get_gid()).startswith("serie:")]
    assert series, "the municipality and the GR mean are drawn"
    for line in series:
        x = np.asarray(line.get_xdata(), dtype=float)
        y = np.asarray(line.get_ydata(), dtype=float)
        assert 2021 in x and np.isnan(y[list(x).index(2021)]), line.get_label()
    band = [
        c for c in ax.collections if isinstance(c, PolyCollection) and c.get_gid() == "intervall"
    ]
    assert band
    covered = np.concatenate([p.vertices[:, 0] for c in band for p in c.get_paths()])
    assert not ((covered > 2020) & (covered < 2022)).any(), "the GR range is not drawn across 2021"
    assert "2021 saknas" in chart.caption


def test_position_table_recomputes_the_share_below(ale):
    idx = person_centred.index(ale)
    row = person_centred.position_table(ale, idx).data.set_index("area").loc["hemtjänst"]
    year = idx[(idx.area == "hemtjänst") & (idx.year == 2022)]
    nat = year.loc[~year.municipality_id.str.startswith("00"), "index"].dropna()
    own = year.loc[year.municipality_id == "1440", "index"].item()
    assert row["index"] == own
    assert row["share_below"] == (nat < own).mean() * 100


def test_a_year_without_the_survey_gives_a_report_that_says_so(ale):
    from dataclasses import replace

    from fou.reports.display import Chart, Note

    ctx = replace(ale, year=2021)  # the catalogue's survey_not_run
    idx = person_centred.index(ctx)
    summary = person_centred.summary(ctx, idx)
    assert any("genomfördes inte 2021" in item for item in summary.items)
    for section in (person_centred.position_table(ctx, idx), person_centred.survey_table(ctx),
                    person_centred.funnel_chart(ctx), person_centred.alpha_table(ctx)):  # fmt: skip
        assert isinstance(section, Note) and section.kind == "missing"
        assert "genomfördes inte 2021" in section.paragraphs[0]
    # What there is for the other years is still shown.
    assert isinstance(person_centred.index_trend_chart(ctx, idx), Chart)
    assert len(person_centred.stability_table(ctx, idx).data) >= 1  # the fixture has hemtjänst


def test_the_funnel_finding_counts_only_points_outside_the_drawn_limits(ale):
    from fou.core.registry import municipality_name
    from fou.stats.survey import funnel_data

    finding = person_centred.funnel_finding(ale, area="hemtjänst")
    fd = funnel_data(ale.values, kpi="U21463", year=2022, catalog=ale.catalog)
    gr = fd.points[fd.points["is_gr"] & fd.points["outside_95"].fillna(False).astype(bool)]
    names = {municipality_name(m) for m in gr["municipality_id"]}
    assert finding is not None and finding.kpi == "U21463"
    assert all(n in finding.text for n in names)
    if fd.adjusted:
        assert "vidgade för att kommunerna skiljer sig mer än slumpen ger" in finding.text
    if not names:
        assert "ingen av GR:s" in finding.text
