"""The reviewer check (fou.reports.review) on a tiny outputs/ folder built here.

The folder holds an index with one good and one broken relative link, a report
with a very wide table, a regional report with a fitting table and a two-page
PDF, an older report that is not the newest of its kind, and a failed job.
Tests that drive Chromium share one browser (module fixture, one xdist group);
they skip without Chromium locally and fail in CI (``require_chromium``).
"""

from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path

import pytest
from PIL import Image
from support import require_chromium

from fou.reports import review as review_mod
from fou.reports.review import (
    A4_WIDTH_PX,
    PageReview,
    check_pdf_image,
    find_chromium,
    image_stem,
    main,
    open_browser,
    pick_pdfs,
    pick_reports,
    render_html,
    render_pdf,
    review,
)

PAGE = """<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8"><title>{title}</title>
<style>body {{ font-family: "DejaVu Sans", sans-serif; }} td {{ border: 1px solid #000; }}</style>
</head><body><h1 id="top">{title}</h1>{body}</body></html>
"""
WIDE_TABLE = (
    '<table style="width: 3000px"><caption>Kostnader per år</caption>'
    "<tr><th>År</th><th>Kronor</th></tr><tr><td>2025</td><td>1 234</td></tr></table>"
)
FITTING_TABLE = (
    "<table><caption>Översikt</caption><tr><th>Kommun</th><th>Värde</th></tr>"
    "<tr><td>Ale</td><td>80</td></tr></table>"
)


def _page(title: str, body: str) -> str:
    return PAGE.format(title=title, body=body)


def _write_pdf(path: Path, html: str) -> Path:
    from weasyprint import HTML

    path.parent.mkdir(parents=True, exist_ok=True)
    HTML(string=html).write_pdf(str(path))
    return path


def make_outputs(root: Path) -> Path:
    """A small ``outputs/`` as ``make reports`` would leave it (manifest, index, reports)."""
    out = root / "outputs"
    files = {
        "2025/1480/municipality_profile.html": _page("Kommunprofil", WIDE_TABLE),
        "2024/1480/municipality_profile.html": _page("Kommunprofil 2024", FITTING_TABLE),
        "2025/gr/regional_report.html": _page("Regional översikt", FITTING_TABLE),
        "index.html": _page(
            "Rapporter",
            '<ul><li><a href="2025/gr/regional_report.html">Regional översikt</a></li>'
            '<li><a href="2025/1480/saknas.html">Kommunprofil</a></li>'
            '<li><a href="#top">Till början</a></li></ul>',
        ),
    }
    for rel, text in files.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text, encoding="utf-8")
    _write_pdf(
        out / "2025/gr/regional_report.pdf",
        _page("Regional översikt", FITTING_TABLE + '<p style="break-before: page">Sida två</p>'),
    )
    jobs = [
        {"id": "municipality_profile-1480-2025", "notebook": "municipality_profile",
         "municipality_id": "1480", "year": 2025, "status": "ok",
         "outputs": ["2025/1480/municipality_profile.html"]},
        {"id": "municipality_profile-1480-2024", "notebook": "municipality_profile",
         "municipality_id": "1480", "year": 2024, "status": "skipped",
         "outputs": ["2024/1480/municipality_profile.html"]},
        {"id": "regional_report-gr-2025", "notebook": "regional_report",
         "municipality_id": None, "year": 2025, "status": "ok",
         "outputs": ["2025/gr/regional_report.html", "2025/gr/regional_report.pdf"]},
        {"id": "data_quality-1440-2025", "notebook": "data_quality", "municipality_id": "1440",
         "year": 2025, "status": "failed", "outputs": ["2025/1440/data_quality.failed.ipynb"]},
    ]  # fmt: skip
    (out / "manifest.json").write_text(json.dumps({"jobs": jobs}), encoding="utf-8")
    return out


@pytest.fixture
def outputs(tmp_path: Path) -> Path:
    return make_outputs(tmp_path)


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module's browser tests."""
    chromium = require_chromium()
    with open_browser(chromium) as context:
        yield context


@pytest.fixture(scope="module")
def reviewed(browser, tmp_path_factory):
    """(outputs, result) of one review of the small outputs folder."""
    out = make_outputs(tmp_path_factory.mktemp("review"))
    stale = out / "review" / "pdf" / "2023_gr_regional_report-p09.png"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"old")
    return out, review(out, context=browser)


def _is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# --- Without a browser ----------------------------------------------------------------


def test_pick_reports_takes_the_index_and_the_newest_report_of_each_kind(outputs):
    picked = pick_reports(outputs)
    assert [p.relative_to(outputs).as_posix() for p in picked] == [
        "index.html",
        "2025/1480/municipality_profile.html",
        "2025/gr/regional_report.html",
    ]
    assert pick_pdfs(picked) == [outputs / "2025/gr/regional_report.pdf"]


def test_pick_reports_without_a_manifest_reads_the_folders(outputs):
    (outputs / "manifest.json").unlink()
    picked = [p.relative_to(outputs).as_posix() for p in pick_reports(outputs)]
    assert picked == [
        "index.html",
        "2025/1480/municipality_profile.html",
        "2025/gr/regional_report.html",
    ]


def test_image_names_follow_the_report_paths(outputs):
    report = outputs / "2025/gr/regional_report.html"
    assert image_stem(report, outputs) == "2025_gr_regional_report"
    assert image_stem(report, None) == "regional_report"
    assert image_stem(report, outputs / "elsewhere") == "regional_report"


def test_find_chromium_honours_fou_chromium(tmp_path, monkeypatch):
    exe = tmp_path / "my-chromium"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setenv("FOU_CHROMIUM", str(exe))
    assert find_chromium() == exe
    monkeypatch.setenv("FOU_CHROMIUM", str(tmp_path / "missing"))
    assert find_chromium() is None  # an explicit choice is not replaced by another browser


def test_render_pdf_writes_every_page_and_accepts_a_fitting_pdf(outputs, tmp_path):
    seen = render_pdf(outputs / "2025/gr/regional_report.pdf", tmp_path / "pdf", root=outputs)
    assert isinstance(seen, PageReview) and seen.problems == ()
    assert [p.name for p in seen.images] == [
        "2025_gr_regional_report-p01.png",
        "2025_gr_regional_report-p02.png",
    ]
    assert all(_is_png(p) for p in seen.images)
    with Image.open(seen.images[0]) as img:
        assert img.size == (893, 1263)  # A4 at 108 dpi


def test_render_pdf_sees_a_table_wider_than_the_page(tmp_path):
    pdf = _write_pdf(tmp_path / "wide.pdf", _page("Bred", WIDE_TABLE))
    seen = render_pdf(pdf, tmp_path / "pdf", root=tmp_path)
    assert len(seen.images) == 1
    assert len(seen.problems) == 1
    assert seen.problems[0].startswith("wide.pdf sida 1: innehåll i högermarginalen")


def test_render_pdf_reports_a_page_that_is_not_a4(tmp_path):
    html = "<style>@page { size: 100mm 100mm; margin: 10mm }</style><p>Liten</p>"
    seen = render_pdf(_write_pdf(tmp_path / "small.pdf", html), tmp_path / "pdf", root=tmp_path)
    assert seen.problems == ("small.pdf sida 1: sidan är 100 × 100 mm, inte A4",)


def test_render_pdf_names_the_pages_with_wide_content_once(tmp_path):
    html = _page("Bred", WIDE_TABLE + '<p style="break-before: page">Smal</p>'
                 + '<div style="break-before: page">' + WIDE_TABLE + "</div>")  # fmt: skip
    seen = render_pdf(_write_pdf(tmp_path / "wide.pdf", html), tmp_path / "pdf", root=tmp_path)
    assert len(seen.images) == 3
    assert len(seen.problems) == 1
    assert seen.problems[0].startswith("wide.pdf sida 1, 3: innehåll i högermarginalen")


def test_check_pdf_image_on_blank_and_inked_margins():
    page = Image.new("RGB", (893, 1263), "white")
    assert check_pdf_image(page, scale=1.5) == []
    page.paste((0, 0, 0), (880, 600, 893, 602))  # a line into the right edge
    problems = check_pdf_image(page, scale=1.5, number=3)
    assert len(problems) == 1 and problems[0].startswith("sida 3: innehåll i högermarginalen")


def test_render_pdf_reports_an_unreadable_pdf(tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf")
    seen = render_pdf(bad, tmp_path / "pdf", root=tmp_path)
    assert seen.images == () and seen.problems[0].startswith("bad.pdf: PDF-filen kunde inte läsas")


def test_main_without_chromium_exits_2_and_says_what_to_install(outputs, monkeypatch, capsys):
    monkeypatch.setattr(review_mod, "find_chromium", lambda: None)
    assert main(["--outputs", str(outputs)]) == 2
    err = capsys.readouterr().err
    assert "apt-get install chromium" in err and "FOU_CHROMIUM" in err
    assert "Traceback" not in err
    assert not (outputs / "review").exists()


def test_main_without_playwright_exits_2_and_says_how_to_install_it(outputs, monkeypatch, capsys):
    monkeypatch.setattr(review_mod, "find_chromium", lambda: Path("/usr/bin/chromium"))
    monkeypatch.setitem(sys.modules, "playwright", None)
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)
    assert main(["--outputs", str(outputs)]) == 2
    err = capsys.readouterr().err
    assert "playwright saknas" in err and "make setup" in err and "Traceback" not in err


def test_main_names_a_bad_fou_chromium(outputs, monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("FOU_CHROMIUM", str(tmp_path / "nowhere"))
    assert main(["--outputs", str(outputs)]) == 2
    assert (
        f"FOU_CHROMIUM={tmp_path / 'nowhere'} är inget körbart program" in capsys.readouterr().err
    )


def test_main_before_make_reports_exits_2(tmp_path, capsys):
    assert main(["--outputs", str(tmp_path / "outputs")]) == 2
    err = capsys.readouterr().err
    assert "index.html finns inte: kör make reports först" in err


def test_review_without_chromium_raises_a_user_error(outputs, monkeypatch):
    monkeypatch.setattr(review_mod, "find_chromium", lambda: None)
    with pytest.raises(review_mod.ReviewError, match="apt-get install chromium"):
        review(outputs)


# --- In Chromium ------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.xdist_group("chromium")
def test_review_finds_exactly_the_wide_table_and_the_broken_link(reviewed):
    _, result = reviewed
    problems = list(result.problems)
    assert len(problems) == 3, problems
    link, screen, printed = problems  # in the order of the pages: the index first
    assert screen.startswith("2025/1480/municipality_profile.html (skärm, 1200 px): tabell 1 av 1")
    assert "(Kostnader per år) är 3000 px bred" in screen
    assert printed.startswith("2025/1480/municipality_profile.html (utskrift A4, 644 px): tabell 1")
    assert "3000 px bred men sidans innehållsyta är 628 px" in printed
    assert link.startswith("index.html (skärm, 1200 px): länken 2025/1480/saknas.html pekar på")
    assert not result.ok


@pytest.mark.slow
@pytest.mark.xdist_group("chromium")
def test_review_writes_screenshots_and_every_pdf_page(reviewed):
    out, result = reviewed
    review_dir = out / "review"
    assert result.out_dir == review_dir
    assert sorted(p.name for p in result.screenshots) == sorted(
        f"{stem}{kind}.png"
        for stem in ("index", "2025_1480_municipality_profile", "2025_gr_regional_report")
        for kind in ("", ".print")
    )
    assert all(p.parent == review_dir / "html" and _is_png(p) for p in result.screenshots)
    assert [p.relative_to(review_dir).as_posix() for p in result.pdf_pages] == [
        "pdf/2025_gr_regional_report-p01.png",
        "pdf/2025_gr_regional_report-p02.png",
    ]
    with Image.open(review_dir / "html" / "2025_gr_regional_report.png") as img:
        assert img.width == 1200
    with Image.open(review_dir / "html" / "2025_gr_regional_report.print.png") as img:
        assert img.width == round(A4_WIDTH_PX - 2 * 75)  # A4 less WeasyPrint's default margins
    with Image.open(review_dir / "html" / "2025_1480_municipality_profile.png") as img:
        assert img.width == 3008  # the page scrolls sideways: the screenshot shows how far
    assert not (review_dir / "pdf" / "2023_gr_regional_report-p09.png").exists()  # stale, removed
    assert not list(review_dir.rglob(".*.tmp"))


@pytest.mark.slow
@pytest.mark.xdist_group("chromium")
def test_a_table_that_fits_the_screen_but_not_a4_is_caught_in_print(browser, tmp_path):
    page = tmp_path / "medium.html"
    page.write_text(_page("Mellan", '<table style="width: 720px"><tr><td>x</td></tr></table>'))
    (seen,) = render_html([page], tmp_path / "shots", root=tmp_path, context=browser)
    assert len(seen.problems) == 1
    assert seen.problems[0].startswith("medium.html (utskrift A4, 644 px): tabell 1 av 1 (x)")


@pytest.mark.slow
@pytest.mark.xdist_group("chromium")
def test_page_margins_of_the_report_narrow_the_print_check(browser, tmp_path):
    """The reports declare @page margins (16 mm): the A4 content box is 672 px, not 644."""
    css = "<style media='print'>@page { size: A4; margin: 20mm 16mm 18mm 16mm }</style>"
    page = tmp_path / "margins.html"
    page.write_text(
        css + _page("Marginaler", '<table style="width: 660px"><tr><td>x</td></tr></table>')
    )
    (seen,) = render_html([page], tmp_path / "shots", root=tmp_path, context=browser)
    assert seen.problems == ("margins.html (utskrift A4, 673 px): tabell 1 av 1 (x) är 660 px "
                             "bred men sidans innehållsyta är 657 px: den klipps eller måste "
                             "rullas i sidled",)  # fmt: skip


@pytest.mark.slow
@pytest.mark.xdist_group("chromium")
def test_many_wide_tables_on_a_page_are_one_problem(browser, tmp_path):
    page = tmp_path / "many.html"
    tables = [f'<table style="width: {w}px"><tr><td>x</td></tr></table>' for w in (2000, 100, 1500)]
    page.write_text(_page("Många", "".join(tables * 2)))
    (seen,) = render_html([page], tmp_path / "shots", root=tmp_path, context=browser,
                          print_check=False)  # fmt: skip
    assert seen.problems == (
        "many.html (skärm, 1200 px): 4 av 6 tabeller (nr 1, 3–4, 6) är 1500–2000 px breda men "
        "sidans innehållsyta är 1184 px: de klipps eller måste rullas i sidled",
    )
    assert [p.name for p in seen.images] == ["many.png"]


@pytest.mark.slow
@pytest.mark.xdist_group("chromium")
def test_anchors_match_ids_as_written_or_decoded(browser, tmp_path):
    """nbconvert writes percent-encoded ids (``id="Sammanfattning-f%C3%B6r"``): not a dead link."""
    page = tmp_path / "anchors.html"
    page.write_text(
        _page(
            "Ankare",
            '<h2 id="F%C3%B6rsta-avsnittet">Första</h2><h2 id="Andra-avsnittet-ö">Andra</h2>'
            '<a href="#F%C3%B6rsta-avsnittet">1</a><a href="#Andra-avsnittet-%C3%B6">2</a>'
            '<a href="#top">upp</a><a href="#">tom</a>',
        ),
        encoding="utf-8",
    )
    (seen,) = render_html([page], tmp_path / "shots", root=tmp_path, context=browser)
    assert seen.problems == ()


@pytest.mark.slow
@pytest.mark.xdist_group("chromium")
def test_network_requests_and_dead_anchors_are_problems(browser, tmp_path):
    page = tmp_path / "online.html"
    page.write_text(
        _page("Nätet", '<img src="http://example.invalid/logo.png" alt=""><a href="#saknas">x</a>')
    )
    (seen,) = render_html([page], tmp_path / "shots", root=tmp_path, context=browser)
    assert seen.problems == (
        "online.html (skärm, 1200 px): länken #saknas leder ingenstans (inget element med det id:t)",
        "online.html: försöker hämta från nätet (http://example.invalid/logo.png); "
        "rapporterna ska fungera offline",
    )


@pytest.fixture
def shared_browser(browser, monkeypatch):
    """Make main() use the module's browser: playwright's sync API cannot nest a second one."""

    @contextlib.contextmanager
    def reuse(chromium=None):
        yield browser

    monkeypatch.setattr(review_mod, "open_browser", reuse)
    return browser


@pytest.mark.slow
@pytest.mark.xdist_group("chromium")
@pytest.mark.usefixtures("shared_browser")
def test_main_prints_in_swedish_and_exits_1_on_problems(capsys, tmp_path):
    out = make_outputs(tmp_path)
    assert main(["--outputs", str(out), "--out", str(tmp_path / "granskning")]) == 1
    printed = capsys.readouterr().out
    assert "Granskade 3 HTML-sidor och 1 PDF-filer" in printed
    assert "6 skärmbilder i" in printed and "2 PDF-sidor i" in printed
    assert "3 problem hittades:" in printed
    assert "länken 2025/1480/saknas.html" in printed
    assert len(list((tmp_path / "granskning" / "html").glob("*.png"))) == 6


@pytest.mark.slow
@pytest.mark.xdist_group("chromium")
@pytest.mark.usefixtures("shared_browser")
def test_main_exits_0_when_everything_fits(capsys, tmp_path):
    out = make_outputs(tmp_path)
    wide = out / "2025/1480/municipality_profile.html"
    wide.write_text(_page("Kommunprofil", FITTING_TABLE), encoding="utf-8")
    index = out / "index.html"
    index.write_text(index.read_text().replace("saknas.html", "municipality_profile.html"))
    assert main(["--outputs", str(out)]) == 0
    assert "Inga problem hittades." in capsys.readouterr().out
    assert len(list((out / "review" / "pdf").glob("*.png"))) == 2
