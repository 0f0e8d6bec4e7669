"""Regional översikt (fou.reports.regional): overview tables, trend data and the data gaps."""

from __future__ import annotations

import numpy as np
from small_data import MUNICIPALITIES, value_of

from fou.core import sv
from fou.core.registry import GR_MUNICIPALITIES
from fou.reports import data_quality, regional
from fou.reports.display import Heading, Note


def test_overview_caption_numbers(region):
    table = regional.overview_table(region, "N20900")
    gr = [value_of("N20900", MUNICIPALITIES.index(m), 2022) for m in GR_MUNICIPALITIES]
    riket = np.mean([value_of("N20900", i, 2022) for i in range(len(MUNICIPALITIES))])
    assert table.caption == (
        f"2022: GR-snitt {sv.number(np.mean(gr), 1)}{sv.NBSP}%, riket {sv.number(riket, 1)}{sv.NBSP}%"
    )
    assert len(table.data) == 13


def test_gr_trend_mean_is_the_plain_mean_of_the_13(region):
    data = regional.gr_trend_data(region, "N20403", [2019, 2020, 2021, 2022])
    for year in (2019, 2022):
        vals = [value_of("N20403", MUNICIPALITIES.index(m), year) for m in GR_MUNICIPALITIES
                if not (m == "1440" and year == 2022)]  # fmt: skip
        got = data[(data.series == "GR-snitt") & (data.year == year)]["value"]
        assert got.item() == np.mean(vals)
    assert {"GR-snitt", "Riket", "Göteborg"} <= set(data.series)


def test_section_of_a_key_figure_without_values_says_why(region):
    issues = data_quality.issues(region)
    blocks = regional.kpi_section(region, "U23461", issues)
    # No table of thirteen dashes: the heading and one sentence with the reason.
    assert [type(b) for b in blocks] == [Heading, Note]
    assert blocks[1].kind == "missing"
    assert blocks[1].text.startswith("Inget värde för någon GR-kommun 2022: ")
    assert "okänd orsak" not in blocks[1].text


def test_data_gaps_count_the_missing_of_the_13(region):
    issues = data_quality.issues(region)
    gaps = regional.data_gaps_table(region, issues).data.set_index("kpi")
    assert gaps.at["U21463", "missing"] == 1  # Stenungsund suppressed
    assert gaps.at["N20403", "missing"] == 1  # Ale missing
    assert gaps.at["U23461", "missing"] == 13
    assert "N20900" not in gaps.index
    assert not gaps["reasons"].str.contains("suppressed|kpi_absent|missing_row").any()


def test_data_gaps_name_the_municipalities_without_a_value(region):
    issues = data_quality.issues(region)
    gaps = regional.data_gaps_table(region, issues).data.set_index("kpi")
    assert gaps.at["U21463", "which"] == "Stenungsund"
    assert gaps.at["N20403", "which"] == "Ale"
    assert gaps.at["U23461", "which"] == "alla"
