"""Plotting: every function draws what its result table says, in Swedish, and nothing else.

The fixtures are small tidy tables built here (no data files). Figures use the
Agg backend (set in conftest.py).
"""

from __future__ import annotations

import types

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import to_hex
from matplotlib.text import Text

from fou.core import sv
from fou.core.errors import ParameterError
from fou.core.registry import GR_MUNICIPALITIES, municipality_name
from fou.plotting import (
    PALETTE,
    SwedishFormatter,
    comparison_bar,
    correlation_heatmap,
    finish_figure,
    funnel_limits_wide,
    funnel_plot,
    kpi_label,
    quality_heatmap,
    savefig_atomic,
    scatter_labelled,
    short_title,
    trend_plot,
)

NBSP = "\u00a0"
OTHERS = ("0180", "1280", "0580", "1880", "2480")  # Stockholm, Malmö, Linköping, Örebro, Umeå


@pytest.fixture(autouse=True)
def _close_figures():
    assert matplotlib.get_backend().lower() == "agg"
    yield
    plt.close("all")


def texts(ax, gid):
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def collection(ax, gid):
    found = [c for c in ax.collections if c.get_gid() == gid]
    assert len(found) <= 1
    return found[0] if found else None


def n_points(ax, gid):
    c = collection(ax, gid)
    return 0 if c is None else len(c.get_offsets())


def hexcolor(c):
    return to_hex(c, keep_alpha=False).lower()


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def wide():
    """GR-13 and five others; Tjörn (1419) lacks y, Umeå lacks x."""
    ids = [*GR_MUNICIPALITIES, *OTHERS]
    x = np.linspace(80, 95, len(ids))
    y = 40 + 0.5 * (x - 80) + np.tile([0.0, 3.0, -2.0], 6)[: len(ids)]
    df = pd.DataFrame({"municipality_id": ids, "U21468": x, "U21467": y, "extra": "ok"})
    df.loc[df["municipality_id"] == "1419", "U21467"] = np.nan
    df.loc[df["municipality_id"] == "2480", "U21468"] = np.nan
    return df


@pytest.fixture
def screen():
    """Four key figures, six pairs; one pair not estimable, two significant."""
    kpis = ["U21463", "U21468", "U21467", "N20900"]
    pairs = [(a, b) for i, a in enumerate(kpis) for b in kpis[i + 1 :]]
    r = [0.72, 0.41, np.nan, -0.63, 0.05, 0.12]
    p = [0.001, 0.20, np.nan, 0.03, 0.9, 0.8]
    return pd.DataFrame(
        {
            "x": [a for a, _ in pairs],
            "y": [b for _, b in pairs],
            "scope": "gr",
            "year": 2022,
            "method": "Spearman",
            "n": 13,
            "r": r,
            "p_adj": p,
            "adjust": "Holm",
        }
    )


@pytest.fixture
def funnel_points():
    ids = [*GR_MUNICIPALITIES, *OTHERS]
    n = np.linspace(40, 4000, len(ids)).round()
    value = 85 + np.tile([-6.0, 0.0, 4.0], 6)[: len(ids)]
    df = pd.DataFrame({"municipality_id": ids, "respondents": n, "value": value})
    df.loc[df["municipality_id"] == "1440", "value"] = np.nan  # Ale: suppressed
    df.loc[df["municipality_id"] == "0180", "respondents"] = np.nan
    return df


@pytest.fixture
def limits():
    n = np.array([30, 100, 300, 1000, 3000, 5000], dtype=float)
    se = np.sqrt(0.85 * 0.15 / n) * 100
    return pd.DataFrame(
        {
            "n": n,
            "lower_95": 85 - 1.96 * se,
            "upper_95": np.minimum(100, 85 + 1.96 * se),
            "lower_998": 85 - 3.09 * se,
            "upper_998": np.minimum(100, 85 + 3.09 * se),
            "target": 85.0,
        }
    )


@pytest.fixture
def trend():
    """Like trend_table: 2019–2023 without a row for 2021; Göteborg lacks 2020."""
    years = [2019, 2020, 2022, 2023]
    rows = []
    for series, kind, base in (
        ("Göteborg", "kommun", 80.0),
        ("GR-snitt", "gr", 83.0),
        ("Liknande kommuner", "liknande", 82.0),
        ("Riket", "riket", 84.0),
    ):
        for k, y in enumerate(years):
            rows.append(
                {
                    "kpi": "U21468",
                    "year": y,
                    "series": series,
                    "series_kind": kind,
                    "value": base + k,
                    "n": 1,
                }
            )
    df = pd.DataFrame(rows)
    df.loc[(df["series"] == "Göteborg") & (df["year"] == 2020), "value"] = np.nan
    return df


@pytest.fixture
def usable():
    """usable_summary-like: three municipalities × two years × two domains."""
    rows = []
    for m in ("1480", "1407", "1440"):
        for y in (2021, 2022):
            for d, k in (("personcentrering", 10), ("kostnader", 4)):
                n_ok = k if y == 2022 else k // 2
                rows.append(
                    {"municipality_id": m, "year": y, "domain": d, "n_kpis": k, "n_usable": n_ok}
                )
    df = pd.DataFrame(rows)
    df["share_usable"] = df["n_usable"] / df["n_kpis"]
    return df


@pytest.fixture
def overview():
    df = pd.DataFrame({"kpi": "U21468", "year": 2022, "municipality_id": list(GR_MUNICIPALITIES)})
    df["value"] = np.arange(80.0, 93.0)
    df.loc[df["municipality_id"] == "1415", "value"] = np.nan  # Stenungsund missing
    return df


# ---------------------------------------------------------------- Swedish numbers and labels


@pytest.mark.parametrize(
    ("locs", "expected"),
    [
        ([0.0, 0.5, 1.0], ["0,0", "0,5", "1,0"]),
        ([0, 2500, 5000], ["0", f"2{NBSP}500", f"5{NBSP}000"]),
        ([-0.25, 0.0, 0.25], ["−0,25", "0,00", "0,25"]),
    ],
)
def test_swedish_formatter(locs, expected):
    f = SwedishFormatter()
    f.set_locs(locs)
    assert [f(v) for v in locs] == expected


def test_short_title_and_kpi_label():
    assert short_title("Brukarbedömning särskilt boende äldreomsorg -  helhetssyn, andel (%)") == (
        "Särskilt boende: helhetssyn, andel (%)"
    )
    label = kpi_label("U21467", width=20)
    assert "\n" in label and "(hemtjänst)" in label
    assert all(line != "(%)" for line in label.split("\n"))  # never an orphaned unit
    assert kpi_label("okänt_id") == "okänt_id"
    assert "…" not in kpi_label("U21554", width=30, max_lines=2)  # labels are never cut


def test_swedish_sort_order():
    names = ["Öckerö", "Ale", "Kungälv", "Kungsbacka", "Alingsås", "Härryda"]
    assert sorted(names, key=sv.sort_key) == [
        "Ale",
        "Alingsås",
        "Härryda",
        "Kungsbacka",
        "Kungälv",
        "Öckerö",
    ]


# ---------------------------------------------------------------- ax handling for every function


def _calls(wide, screen, funnel_points, limits, trend, usable, overview):
    return {
        "scatter_labelled": lambda ax: scatter_labelled(wide, x="U21468", y="U21467", ax=ax),
        "correlation_heatmap": lambda ax: correlation_heatmap(screen, ax=ax),
        "funnel_plot": lambda ax: funnel_plot(funnel_points, limits=limits, ax=ax),
        "trend_plot": lambda ax: trend_plot(trend, ax=ax),
        "quality_heatmap": lambda ax: quality_heatmap(usable, ax=ax),
        "comparison_bar": lambda ax: comparison_bar(overview, ax=ax),
    }


FUNCTIONS = (
    "scatter_labelled",
    "correlation_heatmap",
    "funnel_plot",
    "trend_plot",
    "quality_heatmap",
    "comparison_bar",
)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_draws_on_given_axes_or_a_new_figure(
    name, wide, screen, funnel_points, limits, trend, usable, overview
):
    call = _calls(wide, screen, funnel_points, limits, trend, usable, overview)[name]
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(14, 5))
    n_figs = len(plt.get_fignums())
    assert call(a1) is a1
    assert len(plt.get_fignums()) == n_figs  # no new figure
    assert a2.has_data() is False  # the other axes is untouched
    ax = call(None)
    assert ax is not a1 and ax.figure is not fig
    assert len(plt.get_fignums()) == n_figs + 1


@pytest.mark.parametrize("name", FUNCTIONS)
def test_rejects_what_is_not_axes(
    name, wide, screen, funnel_points, limits, trend, usable, overview
):
    call = _calls(wide, screen, funnel_points, limits, trend, usable, overview)[name]
    with pytest.raises(ParameterError, match="ax måste vara en matplotlib Axes"):
        call("ax")


@pytest.mark.parametrize("name", FUNCTIONS)
def test_texts_are_swedish(name, wide, screen, funnel_points, limits, trend, usable, overview):
    ax = _calls(wide, screen, funnel_points, limits, trend, usable, overview)[name](None)
    shown = " ".join(
        [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        + ([t.get_text() for t in ax.get_legend().get_texts()] if ax.get_legend() else [])
    )
    for english in (
        "value",
        "respondents",
        "year",
        "share_usable",
        "series",
        "Correlation",
        "municipality",
    ):
        assert english not in shown, (name, english, shown)
    # Tick labels with decimals use a comma.
    ticks = [t.get_text() for t in [*ax.get_xticklabels(), *ax.get_yticklabels()]]
    assert not any("." in t and t.replace(".", "").replace("−", "").isdigit() for t in ticks), ticks


# ---------------------------------------------------------------- scatter_labelled


def test_scatter_points_labels_and_missing(wide):
    ax = scatter_labelled(
        wide,
        x="U21468",
        y="U21467",
        focus="Göteborg",
        annotation="r = 0,42 [−0,15; 0,78], n = 13 (GR)",
    )
    # 5 others, one without x; 13 GR, Tjörn without y, Göteborg in focus.
    assert n_points(ax, "övriga") == 4
    assert n_points(ax, "markerade") == 11
    assert n_points(ax, "fokus") == 1
    labels = texts(ax, "etikett")
    expected = {municipality_name(m) for m in GR_MUNICIPALITIES} - {"Tjörn"}
    assert set(labels) == expected and len(labels) == 12
    assert texts(ax, "annotering") == ["r = 0,42 [−0,15; 0,78], n = 13 (GR)"]
    (note,) = texts(ax, "saknas")
    assert "Värde saknas" in note and "Tjörn" in note and "Umeå" not in note
    assert hexcolor(collection(ax, "markerade").get_facecolor()[0]) == PALETTE["highlight"].lower()
    assert hexcolor(collection(ax, "fokus").get_facecolor()[0]) == PALETTE["focus"].lower()
    assert hexcolor(collection(ax, "övriga").get_facecolor()[0]) == PALETTE["other"].lower()
    assert ax.get_xlabel() == "Nöjda med helheten (hemtjänst)"
    assert ax.get_ylabel().replace("\n", " ") == "Mycket trygga (hemtjänst)"
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Övriga kommuner (4)", "GR-kommuner (11)", "Göteborg"]


def test_scatter_labels_do_not_overlap():
    # The 13 GR municipalities crowded on a short line, a few others far away.
    gr = pd.DataFrame(
        {
            "municipality_id": list(GR_MUNICIPALITIES),
            "a": 80 + 0.6 * np.arange(13),
            "b": 50.0 + np.tile([0.0, 0.5], 7)[:13],
        }
    )
    rest = pd.DataFrame(
        {"municipality_id": list(OTHERS), "a": [70, 100, 75, 95, 85.0], "b": [30, 70, 65, 35, 40.0]}
    )
    ax = scatter_labelled(pd.concat([gr, rest]), x="a", y="b")
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    # Text boxes only (an annotation's own extent includes its leader line).
    boxes = [Text.get_window_extent(t, renderer) for t in ax.texts if t.get_gid() == "etikett"]
    assert len(boxes) == 13
    overlaps = [(i, j) for i in range(len(boxes)) for j in range(i) if boxes[i].overlaps(boxes[j])]
    assert overlaps == []
    inside = ax.get_window_extent(renderer)
    assert all(
        inside.x0 <= b.x0 and b.x1 <= inside.x1 and inside.y0 <= b.y0 and b.y1 <= inside.y1
        for b in boxes
    )


def test_scatter_custom_labels_and_no_highlight(wide):
    ax = scatter_labelled(
        wide, x="U21468", y="U21467", highlight=None, x_label="X", y_label="Y", label=False
    )
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("X", "Y")
    assert texts(ax, "etikett") == []
    assert n_points(ax, "övriga") == 16


def test_scatter_all_missing_says_so(wide):
    empty = wide.assign(U21467=np.nan)
    ax = scatter_labelled(empty, x="U21468", y="U21467")
    assert "Inga värden att visa" in texts(ax, "saknas")
    assert n_points(ax, "markerade") == 0


def test_scatter_bad_input(wide):
    with pytest.raises(ParameterError) as err:
        scatter_labelled(wide, x="U21468", y="U99999")
    msg = str(err.value)
    assert "'U99999'" in msg and "municipality_id, U21468, U99999" in msg and "saknas" in msg
    with pytest.raises(ParameterError, match="måste innehålla tal"):
        scatter_labelled(wide.assign(U21467="hög"), x="U21468", y="U21467")
    with pytest.raises(ParameterError, match="okänd kommun"):
        scatter_labelled(wide, x="U21468", y="U21467", highlight=["Atlantis"])
    with pytest.raises(ParameterError, match="annotation_loc"):
        scatter_labelled(wide, x="U21468", y="U21467", annotation="a", annotation_loc="mitten")
    with pytest.raises(ParameterError, match="DataFrame"):
        scatter_labelled([1, 2], x="U21468", y="U21467")


# ---------------------------------------------------------------- correlation_heatmap


def test_correlation_heatmap_cells_stars_and_caption(screen):
    ax = correlation_heatmap(screen)
    cells = [t.get_text() for t in ax.texts if t.get_text() and t.get_gid() is None]
    assert sorted(cells) == sorted(["0,72*", "0,41", "−0,63*", "0,05", "0,12"])
    assert [p.get_gid() for p in ax.patches].count("saknas") == 1  # the pair with r missing
    assert ax.get_xlabel().startswith("* = p < 0,05 efter Holm-justering (n = 13)")
    assert "kan inte skattas" in ax.get_xlabel()
    assert ax.get_title() == "Samband mellan nyckeltal – Spearman, GR:s 13 kommuner, 2022"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["U21468", "U21467", "N20900"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["U21463", "U21468", "U21467"]
    mesh = ax.collections[0]
    assert mesh.get_clim() == (-1.0, 1.0)
    assert mesh.colorbar.ax.get_ylabel() == "Korrelation (r)"


def test_correlation_heatmap_stars_only_and_alpha(screen):
    ax = correlation_heatmap(screen.assign(adjust="Benjamini–Hochberg"), annotate=False, alpha=0.01)
    cells = [t.get_text() for t in ax.texts if t.get_text() and t.get_gid() is None]
    assert cells == ["*"]
    assert "p < 0,01 efter Benjamini–Hochberg-justering" in ax.get_xlabel()


def test_correlation_heatmap_titles_with_diagonal(screen):
    ax = correlation_heatmap(screen, labels="title")
    # Rows numbered with their labels; columns and the diagonal repeat only the numbers.
    assert texts(ax, "diagonal") == ["1", "2", "3", "4"]
    assert ax.get_yticklabels()[0].get_text().startswith("1. Hänsyn till åsikter")
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "2", "3", "4"]


def test_correlation_heatmap_bad_input(screen):
    with pytest.raises(ParameterError, match="'p_adj'"):
        correlation_heatmap(screen.drop(columns="p_adj"))
    two_years = pd.concat([screen, screen.assign(year=2023)])
    with pytest.raises(ParameterError, match=r"flera rader för samma par.*year"):
        correlation_heatmap(two_years)
    mixed = screen.copy()
    mixed.loc[0, "adjust"] = "Benjamini–Hochberg"
    with pytest.raises(ParameterError, match="blandar justeringsmetoder"):
        correlation_heatmap(mixed)
    with pytest.raises(ParameterError, match="labels"):
        correlation_heatmap(screen, labels="namn")


# ---------------------------------------------------------------- funnel_plot


def test_funnel_points_limits_and_highlight(funnel_points, limits):
    ax = funnel_plot(funnel_points, limits=limits, highlight="1480")
    # 5 others, Stockholm without respondents; 13 GR, Ale without value, Göteborg highlighted.
    assert n_points(ax, "övriga") == 4
    assert n_points(ax, "markerade") == 11
    assert n_points(ax, "fokus") == 1
    lines = [ln.get_gid() for ln in ax.get_lines()]
    assert (
        lines.count("gräns_95") == 2 and lines.count("gräns_998") == 2 and lines.count("mål") == 1
    )
    (target,) = [ln for ln in ax.get_lines() if ln.get_gid() == "mål"]
    assert target.get_ydata()[0] == 85.0
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:3] == [
        f"Gräns 95{NBSP}%",
        f"Gräns 99,8{NBSP}%",
        f"Jämförelsevärde (85,0{NBSP}%)",
    ]
    assert "Ale" not in texts(ax, "etikett") and "Göteborg" in texts(ax, "etikett")
    assert len(texts(ax, "etikett")) == 12
    (note,) = texts(ax, "saknas")
    assert "Ale" in note
    assert ax.get_xlabel() == "Antal svarande" and ax.get_ylabel() == "Andel (%)"
    assert ax.get_xscale() == "log"


def test_funnel_highlight_missing_says_vardet_saknas(funnel_points, limits):
    ax = funnel_plot(funnel_points, limits=limits, highlight="Ale", group=None)
    (note,) = texts(ax, "saknas")
    assert note.startswith("Ale: värde saknas")
    assert n_points(ax, "fokus") == 0


def test_funnel_accepts_long_limits_and_funnel_data(funnel_points, limits):
    long = pd.concat(
        [
            pd.DataFrame(
                {
                    "n": limits["n"],
                    "confidence": c,
                    "level": lab,
                    "lower": limits[f"lower_{s}"],
                    "upper": limits[f"upper_{s}"],
                }
            )
            for c, s, lab in ((0.95, "95", "95 %"), (0.998, "998", "99,8 %"))
        ]
    )
    wide = funnel_limits_wide(long)
    pd.testing.assert_frame_equal(
        wide[["n", "lower_95", "upper_95", "lower_998", "upper_998"]],
        limits[["n", "lower_95", "upper_95", "lower_998", "upper_998"]],
        check_dtype=False,
    )
    fd = types.SimpleNamespace(
        points=funnel_points.assign(kpi="U21468", year=2022),
        limits=long,
        target=85.0,
        target_label="Riket (85 %)",
        note="Kommunerna skiljer sig mer än slumpen förklarar.",
    )
    ax = funnel_plot(fd, highlight="1480")
    assert "Riket (85 %)" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts(ax, "not") == ["Kommunerna skiljer sig mer än slumpen förklarar."]
    assert ax.get_title() == "Nöjda med helheten (hemtjänst), 2022"
    # Limits widened for overdispersion: labelled so, with chance's own limit thin beside them.
    widened = types.SimpleNamespace(**{**vars(fd), "chance_limits": long})
    ax = funnel_plot(widened, highlight="1480")
    legend = [t.get_text().replace("\u00a0", " ") for t in ax.get_legend().get_texts()]
    assert "Gräns 95 % (vidgad för överspridning)" in legend
    assert "Gräns 95 % för enbart slump" in legend
    assert len([ln for ln in ax.lines if ln.get_gid() == "gräns_slump"]) == 2


def test_funnel_with_stats_funnel_data():
    """The contract with fou.stats.funnel_data holds (points + long limits + target)."""
    from fou.core.catalog import load_catalog
    from fou.stats import funnel_data

    rows = [("U21463", "0000", 85.0), ("U23592", "0000", 80000.0)]
    for k, m in enumerate([*GR_MUNICIPALITIES, *OTHERS]):
        rows += [("U21463", m, 78.0 + k), ("U23592", m, 50.0 + 40 * k)]
    v = pd.DataFrame(rows, columns=["kpi", "municipality_id", "value"]).assign(
        year=2022, gender="T"
    )
    fd = funnel_data(v, kpi="U21463", year=2022, catalog=load_catalog())
    ax = funnel_plot(fd, highlight="1480")
    assert n_points(ax, "markerade") + n_points(ax, "fokus") == 13
    assert n_points(ax, "övriga") == 5


def test_funnel_bad_input(funnel_points, limits):
    with pytest.raises(ParameterError, match="'respondents'"):
        funnel_plot(funnel_points.drop(columns="respondents"), limits=limits)
    with pytest.raises(ParameterError, match="limits saknar gränskolumner"):
        funnel_plot(funnel_points, limits=limits[["n", "target"]])
    with pytest.raises(ParameterError, match="limits saknas"):
        funnel_plot(funnel_points)
    with pytest.raises(ParameterError, match="en enda kommun"):
        funnel_plot(funnel_points, limits=limits, highlight=["1480", "1440"])


# ---------------------------------------------------------------- trend_plot


def series_lines(ax, name=None):
    return [
        ln
        for ln in ax.get_lines()
        if (ln.get_gid() or "").startswith("serie:")
        and (name is None or ln.get_gid() == f"serie:{name}")
    ]


def test_trend_lines_gaps_and_survey_year(trend):
    ax = trend_plot(trend)
    assert {ln.get_gid() for ln in series_lines(ax)} == {
        "serie:Göteborg",
        "serie:GR-snitt",
        "serie:Liknande kommuner",
        "serie:Riket",
    }
    (gbg,) = series_lines(ax, "Göteborg")
    assert list(gbg.get_xdata()) == [2019, 2020, 2021, 2022, 2023]
    y = np.asarray(gbg.get_ydata(), dtype=float)
    assert np.isnan(y[1]) and np.isnan(y[2])  # missing value and year without survey: gaps
    assert gbg.get_linewidth() > max(ln.get_linewidth() for ln in series_lines(ax) if ln is not gbg)
    assert hexcolor(gbg.get_color()) == PALETTE["focus"].lower()
    assert all(ln.get_linestyle() != "-" for ln in series_lines(ax) if ln is not gbg)
    # U21468 is a survey key figure: 2021 shaded automatically.
    assert texts(ax, "ej_genomförd") == ["ingen undersökning"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Göteborg", "GR-snitt", "Liknande kommuner", "Riket"]
    assert ax.get_title() == "Nöjda med helheten (hemtjänst)"
    assert ax.get_ylabel() == "Andel (%)" and ax.get_xlabel() == "År"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2019", "2020", "2021", "2022", "2023"]


def test_trend_breaks_cut_lines(trend):
    t = trend.assign(kpi="N20900")
    ax = trend_plot(t, not_run=None, breaks=[(2022, "Ny beräkningsmetod")])
    assert len(series_lines(ax, "Riket")) == 2  # before and after the break
    marks = [ln for ln in ax.get_lines() if ln.get_gid() == "definitionsbyte"]
    assert len(marks) == 1 and marks[0].get_xdata()[0] == 2021.5
    # The break is named in the legend, not in a note over the lines.
    assert texts(ax, "definitionsbyte") == []
    assert "Definitionsbyte 2022" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts(ax, "ej_genomförd") == []
    # From the catalogue: N20900 changed method in 2019 (first year of the data: no marker).
    ax = trend_plot(t.assign(year=t["year"] - 1))
    assert [ln.get_xdata()[0] for ln in ax.get_lines() if ln.get_gid() == "definitionsbyte"] == [
        2018.5
    ]
    assert "Definitionsbyte 2019" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_trend_highlight_by_municipality_and_missing_series(trend):
    ax = trend_plot(trend.drop(columns="series_kind"), highlight="1480", breaks=None, not_run=None)
    (gbg,) = series_lines(ax, "Göteborg")
    assert gbg.get_linewidth() == max(ln.get_linewidth() for ln in series_lines(ax))
    gone = trend.assign(value=np.where(trend["series"] == "Göteborg", np.nan, trend["value"]))
    ax = trend_plot(gone)
    assert texts(ax, "saknas") == ["Göteborg: värde saknas"]


def test_trend_background_lines_share_one_legend_entry(trend):
    others = pd.DataFrame(
        [{"year": y, "series": name, "value": v + k} for k, y in enumerate([2019, 2020, 2022, 2023])
         for name, v in (("Ale", 70.0), ("Lerum", 90.0), ("Tjörn", 75.0))]
    )  # fmt: skip
    data = pd.concat([trend.drop(columns="series_kind"), others], ignore_index=True)
    ax = trend_plot(
        data, highlight="GR-snitt", background=["Ale", "Lerum", "Tjörn", "Borås"], not_run=None
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["GR-snitt", "Göteborg", "Liknande kommuner", "Riket", "Kommunerna (3)"]
    grey = [ln for name in ("Ale", "Lerum", "Tjörn") for ln in series_lines(ax, name)]
    assert len(grey) == 3 and {hexcolor(ln.get_color()) for ln in grey} == {
        PALETTE["other"].lower()
    }
    (gr,) = series_lines(ax, "GR-snitt")
    assert all(ln.get_zorder() < gr.get_zorder() for ln in grey)
    assert all(ln.get_linewidth() < gr.get_linewidth() for ln in grey)
    # The highlighted series is never pushed into the background.
    ax = trend_plot(data, highlight="Ale", background=["Ale", "Lerum"], not_run=None)
    (ale,) = series_lines(ax, "Ale")
    assert hexcolor(ale.get_color()) == PALETTE["focus"].lower()


def test_trend_bad_input(trend):
    with pytest.raises(ParameterError, match="'series'"):
        trend_plot(trend.drop(columns="series"))
    with pytest.raises(ParameterError, match="finns inte bland serierna"):
        trend_plot(trend, highlight="Borås")
    with pytest.raises(ParameterError, match="flera rader per år och serie"):
        trend_plot(pd.concat([trend, trend]))
    with pytest.raises(ParameterError, match="breaks"):
        trend_plot(trend, breaks=42)


# ---------------------------------------------------------------- quality_heatmap


def test_quality_heatmap_pools_domains_per_municipality(usable):
    ax = quality_heatmap(usable)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Ale", "Göteborg", "Öckerö"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2021", "2022"]
    cells = [t.get_text() for t in ax.texts if t.get_gid() is None]
    # 2021: (5 + 2) / 14 = 50 %; 2022: 100 %.
    assert cells == ["50", "100"] * 3
    assert ax.collections[0].get_clim() == (0.0, 100.0)
    assert ax.get_title() == "Andel användbara nyckeltal per kommun och år"


def test_quality_heatmap_domains_and_missing_cells(usable):
    one = usable[usable["municipality_id"] == "1480"].copy()
    one.loc[(one["domain"] == "kostnader") & (one["year"] == 2022), "share_usable"] = np.nan
    ax = quality_heatmap(
        one.drop(columns=["n_usable", "n_kpis"]), rows="domain", municipality="Göteborg"
    )
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Personcentrering", "Kostnader"]
    cells = [t.get_text() for t in ax.texts if t.get_gid() is None]
    assert cells == ["50", "100", "50"]
    assert [p.get_gid() for p in ax.patches].count("saknas") == 1
    assert "Göteborg" in ax.get_title()


def test_quality_heatmap_bad_input(usable):
    with pytest.raises(ParameterError, match="flera rader per kommun och år"):
        quality_heatmap(usable.drop(columns=["n_usable", "n_kpis"]))
    with pytest.raises(ParameterError, match="share_usable"):
        quality_heatmap(usable.drop(columns=["share_usable", "n_usable"]))
    with pytest.raises(ParameterError, match="mellan 0 och 1"):
        quality_heatmap(
            usable.assign(share_usable=usable["share_usable"] * 100), domain="kostnader"
        )
    with pytest.raises(ParameterError, match="rows"):
        quality_heatmap(usable, rows="kpi")
    with pytest.raises(ParameterError, match="domain"):
        quality_heatmap(usable, domain="okänt område")


# ---------------------------------------------------------------- comparison_bar


def test_comparison_bar_order_missing_and_highlight(overview):
    ax = comparison_bar(overview, highlight="1480", reference={"GR-snitt": 85.5, "Riket": np.nan})
    names = [t.get_text() for t in ax.get_yticklabels()]
    # better = higher (from the catalogue): best on top, missing last.
    assert names[0] == municipality_name(GR_MUNICIPALITIES[-1]) and names[-1] == "Stenungsund"
    bars = [p for p in ax.patches if p.get_gid() != "saknas"]
    assert len(bars) == 12  # no zero-length bar for the missing value
    assert [round(b.get_width()) for b in bars] == sorted(
        [round(b.get_width()) for b in bars], reverse=True
    )
    assert texts(ax, "saknas") == ["saknas"]
    values = texts(ax, "värde")
    assert values[0] == "92" and len(values) == 12  # whole numbers: no decimals
    gbg = [b for b in bars if round(b.get_width()) == 89]
    assert hexcolor(gbg[0].get_facecolor()) == PALETTE["highlight"].lower()
    assert {hexcolor(b.get_facecolor()) for b in bars if b is not gbg[0]} == {
        PALETTE["bar"].lower()
    }
    refs = [ln for ln in ax.get_lines() if ln.get_gid() == "referens"]
    assert len(refs) == 1 and refs[0].get_xdata()[0] == 85.5  # Riket is NaN: left out
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["GR-snitt: 85,5"]
    assert ax.get_xlabel() == "Andel (%) – högre är bättre"
    assert ax.get_title() == "Nöjda med helheten (hemtjänst), 2022"


def test_comparison_bar_lower_is_better_and_negative(overview):
    d = overview.drop(columns="kpi").assign(value=overview["value"] - 86.25)
    ax = comparison_bar(d, better="lower", decimals=2)
    vals = texts(ax, "värde")
    assert vals[0] == "−6,25"
    assert ax.get_yticklabels()[0].get_text() == municipality_name(GR_MUNICIPALITIES[0])
    assert ax.get_xlabel() == "Värde – lägre är bättre"


def test_comparison_bar_bad_input(overview):
    with pytest.raises(ParameterError, match="'value'"):
        comparison_bar(overview.drop(columns="value"))
    with pytest.raises(ParameterError, match="better"):
        comparison_bar(overview, better="bäst")
    with pytest.raises(ParameterError, match="flera rader per kommun"):
        comparison_bar(pd.concat([overview, overview]))
    with pytest.raises(ParameterError, match="reference"):
        comparison_bar(overview, reference=[85.0])


# ---------------------------------------------------------------- source line and saving


def test_finish_figure_adds_one_source_line(overview):
    ax = comparison_bar(overview, source="Källa: Kolada, hämtat 2025-11-23")
    fig = ax.figure
    assert [t.get_text() for t in fig.texts] == ["Källa: Kolada, hämtat 2025-11-23"]
    finish_figure(fig, source="Demodata (syntetiska värden, inte verkliga resultat)")
    assert [t.get_text() for t in fig.texts] == [
        "Demodata (syntetiska värden, inte verkliga resultat)"
    ]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    src = fig.texts[0].get_window_extent(renderer)
    xlabel = ax.xaxis.label.get_window_extent(renderer)
    assert src.y1 <= xlabel.y0  # below the axes, not on top of them
    with pytest.raises(ParameterError, match="source"):
        finish_figure(fig, source="")


def test_savefig_atomic(tmp_path, overview):
    ax = comparison_bar(overview, source="Demodata")
    png = savefig_atomic(ax.figure, tmp_path / "ut" / "stapel.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg1 = savefig_atomic(ax, tmp_path / "a.svg").read_bytes()
    svg2 = savefig_atomic(ax, tmp_path / "b.svg").read_bytes()
    assert svg1.startswith(b"<?xml") and svg1 == svg2  # reproducible output
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [
        "a.svg",
        "b.svg",
        "stapel.png",
    ]
    with pytest.raises(ParameterError, match="filformat"):
        savefig_atomic(ax.figure, tmp_path / "bild.gif")
    assert not (tmp_path / "bild.gif").exists()


def _pixels(png: bytes) -> np.ndarray:
    import io

    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_png_bytes_draws_the_savefig_picture_as_opaque_rgb() -> None:
    import io

    from PIL import Image

    from fou.plotting import new_figure, png_bytes

    def figure():  # a constrained layout with a source line: the layout savefig draws twice
        fig, ax = new_figure((5, 3))
        ax.plot([2014, 2015, 2016], [1.5, -2.0, 3.25], marker="o")
        ax.set_title("Andel (%)")
        return finish_figure(fig, source="Demodata (syntetiska värden)")

    buf = io.BytesIO()
    figure().savefig(buf, format="png", dpi=120, facecolor="white")
    fig = figure()
    dpi_before = fig.dpi
    ours = png_bytes(fig, dpi=120)
    assert Image.open(io.BytesIO(ours)).mode == "RGB"
    assert np.array_equal(_pixels(ours), _pixels(buf.getvalue()))
    assert fig.dpi == dpi_before  # the figure is left as it was
    assert _pixels(png_bytes(fig, dpi=120)).shape == _pixels(ours).shape  # and draws again


# ---------------------------------------------------------------- position plot


def _positions() -> pd.DataFrame:
    """Three key figures for the 13: Ale better on one, missing on one, nobody with a value."""
    rows = []
    for i, m in enumerate(GR_MUNICIPALITIES):
        # N20403 (lower is better): Ale (1440) lowest; Riket above the mean.
        ale = m == "1440"
        rows.append(
            (
                "N20403",
                m,
                10.0 if ale else 14.0 + i,
                16.0,
                4.0,
                20.0,
                "bättre" if ale else "neutral",
            )
        )
        # U21463 (higher is better): Ale has no value.
        rows.append(("U21463", m, np.nan if ale else 80.0 + i, 86.0, 3.0, np.nan, "saknas"))
        rows.append(("U23461", m, np.nan, np.nan, np.nan, np.nan, "saknas"))
    cols = ["kpi", "municipality_id", "value", "gr_mean", "gr_sd", "riket", "verdict"]
    return pd.DataFrame(rows, columns=cols)


def test_position_plot_draws_the_13_riket_and_the_focus_row_by_row():
    from fou.plotting import position_plot

    data = _positions()
    ax = position_plot(data, focus="1440")
    others = collection(ax, "kommuner").get_offsets()
    # 12 others on N20403 (row 0) and 12 with values on U21463 (row 1); none on U23461.
    assert sorted(set(others[:, 1])) == [0.0, 1.0]
    assert list(others[:, 1]).count(0.0) == 12 and list(others[:, 1]).count(1.0) == 12
    # Right is better: on N20403 (lower is better) Ale's 10 is (16 − 10) / 4 = 1.5 to the right.
    (focus,) = [c for c in ax.collections if str(c.get_gid()).startswith("fokus:")]
    assert focus.get_gid() == "fokus:bättre"
    np.testing.assert_allclose(focus.get_offsets(), [[1.5, 0.0]])
    # Riket's 20 on N20403 is one standard deviation worse: to the left; U21463 has no Riket.
    np.testing.assert_allclose(collection(ax, "riket").get_offsets(), [[-1.0, 0.0]])
    assert sorted(t.get_text() for t in ax.texts if t.get_gid() == "saknas") == [
        "Ale: saknas",
        "inga värden",
    ]
    assert [t.get_position()[1] for t in ax.texts if t.get_text() == "inga värden"] == [2]
