"""How tables, charts and notes look (fou.reports.display)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from fou.core.errors import ParameterError
from fou.plotting import new_figure
from fou.reports.display import TABLE_MIME, Chart, Column, Heading, Note, Table

MINUS = "\u2212"


@pytest.fixture
def table() -> Table:
    data = pd.DataFrame(
        {
            "name": ["Ale", "Tjörn", "Öckerö"],
            "year": [2022, 2022, 2022],
            "value": [15.25, -1234.5, math.nan],
            "respondents": [566.0, 12.0, math.nan],
            "p": [0.0000003, 0.0194, 0.5],
            "decimals": [1, 0, 1],
            "mine": [True, False, False],
        }
    )
    columns = (
        Column("name", "Kommun"),
        Column("year", "År", "year"),
        Column("value", "Värde", "number", "decimals"),
        Column("respondents", "Svarande", "integer"),
        Column("p", "p (Holm)", "pvalue"),
    )
    return Table(data, columns, caption="Test 2022", name="Test", highlight="mine")


def test_what_the_reader_sees(table):
    shown = table.text()
    assert list(shown.columns) == ["Kommun", "År", "Värde", "Svarande", "p (Holm)"]
    assert shown.to_dict("records") == [
        {"Kommun": "Ale", "År": "2022", "Värde": "15,3", "Svarande": "566", "p (Holm)": "<0,001"},
        {"Kommun": "Tjörn", "År": "2022", "Värde": f"{MINUS}1\u00a0235", "Svarande": "12",
         "p (Holm)": "0,019"},
        {"Kommun": "Öckerö", "År": "2022", "Värde": "–", "Svarande": "–", "p (Holm)": "0,500"},
    ]  # fmt: skip


def test_html_marks_numbers_and_the_highlighted_row(table):
    html = table.to_html()
    assert "<caption>Test 2022</caption>" in html
    assert '<td class="number num">15,3</td>' in html
    assert html.count('<tr class="highlight">') == 1
    assert "2 022" not in html and "2\u00a0022" not in html


def test_json_copy_keeps_numbers_as_numbers(table):
    copy = table._repr_mimebundle_()[TABLE_MIME]
    assert copy["columns"][2] == {"label": "Värde", "kind": "number"}
    assert copy["rows"][0] == ["Ale", 2022, 15.25, 566.0, 3e-07]
    assert copy["rows"][2][2] is None  # missing is empty, never 0


def test_unknown_column_or_kind_is_refused():
    with pytest.raises(ParameterError, match="saknar kolumnerna"):
        Table(pd.DataFrame({"a": [1]}), (Column("b", "B"),))
    with pytest.raises(ParameterError, match="kind måste vara ett av"):
        Column("a", "A", "money")


def test_chart_embeds_a_png_with_caption_and_source():
    fig, ax = new_figure((3, 2))
    ax.plot([1, 2], [1, 2])
    html = Chart(fig, "En linje.", source="Demodata").to_html()
    assert html.startswith('<figure class="fou-chart"><img src="data:image/png;base64,')
    assert '<figcaption>En linje.<br><span class="source">Demodata</span></figcaption>' in html


def test_a_shown_chart_keeps_no_pixel_buffer_and_draws_the_same_again():
    fig, ax = new_figure((3, 2))
    ax.plot([1, 2], [1, 2])
    ax.set_title("Rubrik")
    chart = Chart(fig, "En linje.")
    first = chart.png()
    # matplotlib's texts and axes keep the last renderer after a draw; the chart lets go of it.
    assert [a for a in fig.findobj() if getattr(a, "_renderer", None) is not None] == []
    assert chart.png() == first


def test_note_and_heading():
    note = Note("Värdet saknas.", kind="missing", items=("Ale", "Tjörn"))
    assert note.to_html() == (
        '<div class="callout missing"><p>Värdet saknas.</p><ul><li>Ale</li><li>Tjörn</li></ul></div>'
    )
    assert Heading("Kvalitet och säkerhet").to_html() == (
        '<h3 id="Kvalitet-och-sakerhet">Kvalitet och säkerhet</h3>'
    )


def test_optional_columns_that_say_nothing_are_left_out():
    data = pd.DataFrame(
        {
            "name": ["Ale", "Tjörn"],
            "rank": [math.nan, math.nan],
            "pattern": ["förenligt", "förenligt"],
            "note": ["", "liten grupp"],
        }
    )
    columns = (
        Column("name", "Kommun"),
        Column("rank", "Rang", "integer", optional=True),
        Column("pattern", "Mönster", optional=True),
        Column("note", "Kommentar", optional=True),
    )
    table = Table(data, columns, notes=("Fotnot.",))
    assert table.labels == ["Kommun", "Kommentar"]  # the note differs row by row: kept
    assert table.all_notes == ("Mönster (samma för alla rader): förenligt.", "Fotnot.")
    html = table.to_html()
    assert "Rang" not in html and "Mönster (samma för alla rader): förenligt." in html
    assert table.to_json()["columns"] == [
        {"label": "Kommun", "kind": "text"},
        {"label": "Kommentar", "kind": "text"},
    ]


def test_a_required_column_stays_even_when_empty():
    data = pd.DataFrame({"name": ["Ale"], "rank": [math.nan]})
    table = Table(data, (Column("name", "Kommun"), Column("rank", "Rang", "integer")))
    assert table.labels == ["Kommun", "Rang"] and table.text().iloc[0, 1] == "–"
