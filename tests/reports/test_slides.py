"""Tests of ``fou.reports.slides`` and ``fou slides``: deck structure, talmanus numbers, charts, CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE
from typer.testing import CliRunner

from fou.cli import app
from fou.core.catalog import load_catalog
from fou.core.registry import GR_MUNICIPALITIES, RIKET
from fou.data.dataset import load_dataset
from fou.reports.slides import build_deck
from fou.reports.talmanus import MAX_WORDS, word_count
from spoken_numbers import find_number, gr_values

runner = CliRunner()


def _close(quoted: float, exact: float, *, decimals: int = 1) -> None:
    tol = 0.5 if abs(exact) >= 1000 else 0.5 * 10**-decimals + 1e-9
    assert abs(quoted - exact) <= tol, (quoted, exact)


@pytest.fixture
def demo(project: Path):
    return load_dataset("demo")


@pytest.fixture
def deck(demo, project: Path) -> Path:
    return build_deck(demo, year=2024, municipality="Partille", domains=["kompetens"], output=None)


def test_deck_structure(deck: Path, project: Path) -> None:
    assert deck == project / "outputs" / "2024" / "slides" / "nyckeltal_2024_1402.pptx"
    prs = Presentation(str(deck))
    slides = list(prs.slides)
    cat = load_catalog()
    kpis = cat.ids(domain="kompetens")
    assert len(slides) == 1 + 1 + len(kpis)
    title_text = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "2024" in title_text and "Demodata" in title_text and "DEMODATA" in title_text
    # the domain slide shows the domain's overview figure, not a list of long titles
    assert slides[1].shapes.title.text == "Kompetens"
    assert [s.shape_type for s in slides[1].shapes].count(MSO_SHAPE_TYPE.PICTURE) == 1
    assert "Partille" in slides[1].notes_slide.notes_text_frame.text or "GR-snittet" in (
        slides[1].notes_slide.notes_text_frame.text
    )
    for slide, kpi in zip(slides[2:], kpis, strict=True):
        assert slide.shapes.title.text == f"{cat.label(kpi)}, 2024"
        notes = slide.notes_slide.notes_text_frame.text
        assert word_count(notes) <= MAX_WORDS
        texts = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        assert (
            "Demodata" in texts and kpi in texts and cat.title(kpi) in texts
        )  # full title one step away
        pictures = [s for s in slide.shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
        if "inga värden för GR:s kommuner" in notes:
            assert not pictures and "saknas" in texts and "Orsak:" in texts
        else:
            assert len(pictures) == 1


def test_missing_key_figure_slide(deck: Path) -> None:
    """U23495 ended after 2023: its 2024 slide says the value is missing and why."""
    prs = Presentation(str(deck))
    cat = load_catalog()
    slide = next(s for s in prs.slides if s.shapes.title.text == f"{cat.label('U23495')}, 2024")
    texts = " ".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
    assert "Värdet saknas för 2024" in texts
    assert "upphörde efter 2023" in texts
    assert not any(s.shape_type == MSO_SHAPE_TYPE.PICTURE for s in slide.shapes)


def test_charts_written(deck: Path) -> None:
    charts = deck.parent / "charts"
    for kpi in ("N23588", "N21609"):
        png, svg = charts / f"{kpi}_1402.png", charts / f"{kpi}_1402.svg"
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert b"<svg" in svg.read_bytes()[:2000]
    assert not (charts / "U23495_1402.png").exists()  # no empty charts
    assert (charts / "oversikt_kompetens_1402.png").exists()
    assert not list(charts.glob(".*.tmp"))


def test_bad_input(demo) -> None:
    from fou.core.errors import ParameterError

    with pytest.raises(ParameterError, match="finns inte"):
        build_deck(demo, year=2031, domains=["kompetens"])
    with pytest.raises(ParameterError, match="område"):
        build_deck(demo, year=2024, domains=["okänt"])
    with pytest.raises(ParameterError, match="ingår inte i Göteborgsregionen"):
        build_deck(demo, year=2024, municipality="0114", domains=["kompetens"])


def test_cli(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "deck" / "bilder.pptx"
    res = runner.invoke(
        app,
        ["slides", "--year", "2024", "--source", "demo", "-d", "kostnader", "--output", str(out)],
    )
    assert res.exit_code == 0, res.output
    prs = Presentation(str(out))
    assert len(prs.slides) == 2 + len(load_catalog().ids(domain="kostnader"))
    assert (out.parent / "charts" / "N20900.svg").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--year", "2024", "--municipality", "Narnia"],
        ["--year", "2031"],
        ["--year", "2024", "--domain", "okänt"],
    ],
)
def test_cli_bad_input(project: Path, args: list[str]) -> None:
    res = runner.invoke(app, ["slides", "--source", "demo", *args])
    assert res.exit_code == 2, res.output


@pytest.mark.shared
@pytest.mark.slow
def test_real_data_deck(project: Path, emulator_url: str) -> None:
    from fou.data.fetch import fetch_to_project

    fetch_to_project(
        base_url=emulator_url, years=(2020, 2022), municipalities=[*GR_MUNICIPALITIES, RIKET],
        root=project, progress=False,
    )  # fmt: skip
    ds = load_dataset("kolada")
    path = build_deck(ds, year=2022, municipality="1480", domains=["samverkan"])
    prs = Presentation(str(path))
    slides = list(prs.slides)
    kpis = load_catalog().ids(domain="samverkan")
    assert len(slides) == 2 + len(kpis)
    assert "Källa: Kolada, hämtat" in " ".join(
        s.text_frame.text for s in slides[0].shapes if s.has_text_frame
    )
    kpi = kpis[0]  # N20403, days: spoken with one decimal
    notes = slides[2].notes_slide.notes_text_frame.text
    cur = gr_values(ds.values, kpi, 2022)
    assert notes.startswith("Göteborg")
    _close(find_number(r"GR-snittet är NUM", notes), cur.mean())
    if not np.isnan(cur["1480"]):
        _close(find_number(r"Göteborg har NUM", notes), cur["1480"])


def test_fardplan_deck_is_grouped_by_the_four_headings(demo, project: Path) -> None:
    """``fou slides --view fardplan``: the färdplan's headings in order, their key figures after each."""
    heading = "Personal med rätt kompetens och bra arbetsförhållanden"
    res = runner.invoke(
        app, ["slides", "--year", "2024", "--source", "demo", "--view", "färdplan", "-d", heading]
    )
    assert res.exit_code == 0, res.output
    path = project / "outputs" / "2024" / "slides" / "nyckeltal_2024_fardplan.pptx"
    prs = Presentation(str(path))
    slides = list(prs.slides)
    title_text = " ".join(s.text_frame.text for s in slides[0].shapes if s.has_text_frame)
    assert "Ordnade efter Göteborgs färdplan för äldreomsorgen" in title_text
    assert slides[1].shapes.title.text == heading
    assert slides[1].notes_slide.notes_text_frame.text.startswith(f"Rubriken {heading} har 11 ")
    far = load_catalog().with_view("fardplan")
    kpis = far.ids(domain=heading)
    assert [s.shapes.title.text for s in slides[2:]] == [f"{far.label(k)}, 2024" for k in kpis]
    assert "N20206" in kpis and "U21401" in kpis  # heltid and personalkontinuitet


def test_unknown_view_names_the_option(project: Path) -> None:
    res = runner.invoke(app, ["slides", "--source", "demo", "--view", "strategi"])
    assert res.exit_code == 2
    assert "--view: vy måste vara ett av 'nara_vard', 'fardplan'" in " ".join(res.output.split())


def test_batch_decks_are_made_once_per_year_and_view(demo, project: Path) -> None:
    from fou.batch.decks import make_decks

    first = make_decks(demo, years=[2024], views=["fardplan"], root=project)
    assert [(d.year, d.view, d.made) for d in first] == [(2024, "fardplan", True)]
    assert first[0].path.name == "nyckeltal_2024_fardplan.pptx"
    stamp = first[0].path.stat().st_mtime_ns
    again = make_decks(demo, years=[2024], views=["fardplan"], root=project)
    assert not again[0].made and again[0].path.stat().st_mtime_ns == stamp
    forced = make_decks(demo, years=[2024], views=["fardplan"], root=project, force=True)
    assert forced[0].made
