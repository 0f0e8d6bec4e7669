"""Look at what the workbench makes: screenshots, PDF pages and layout checks.

Reviewers read the reports in a browser and as A4 PDFs, so this module looks
at them the same way. :func:`review` takes ``outputs/`` after ``make reports``
and

* picks the index and one HTML report of each kind (:func:`pick_reports`);
* opens each in headless Chromium from its ``file://`` URL, checks it
  (:func:`check_page`: tables wider than the page, relative links to files
  that do not exist, anchors that lead nowhere, anything loaded from the
  network) and saves a full-page screenshot, on screen (1200 px wide) and
  with print media at the width of an A4 page's content box
  (:func:`render_html`);
* renders every page of the matching PDFs to PNG and checks that the pages
  are A4 and that nothing spills into the side margins (:func:`render_pdf`).

Everything goes to ``outputs/review/`` (``html/`` and ``pdf/``), written
atomically; PNGs a previous review left there and this one did not write
are removed. ``python -m fou.reports.review`` (``make review``) prints what it
wrote and the problems, and exits 1 when there are problems.

Chromium is not a Python package: Debian's ``chromium`` (``apt-get install
chromium``) or any Chromium/Chrome named by the environment variable
``FOU_CHROMIUM``. It is driven by playwright (a development dependency, never
with a browser of its own) with a fresh, empty profile and no network.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import sys
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fou.core.atomic import write_bytes
from fou.core.errors import FouError
from fou.core.paths import paths

if TYPE_CHECKING:
    from PIL.Image import Image
    from playwright.sync_api import BrowserContext, Page, Request

#: Environment variable naming the Chromium (or Chrome) executable to use.
CHROMIUM_ENV = "FOU_CHROMIUM"
#: Where Debian's package puts Chromium, tried after :data:`CHROMIUM_ENV`.
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
#: Executables looked for on ``PATH`` after that.
CHROMIUM_NAMES: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome")
#: Headless, no sandbox (root in CI), and none of the background connections a
#: closed network refuses. ``--disable-dev-shm-usage``: containers often have a
#: tiny /dev/shm (Debian's launcher means to add it but its check can misfire).
CHROMIUM_ARGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)
#: Browser window width for the screen check, CSS px.
SCREEN_WIDTH = 1200
_SCREEN_HEIGHT = 900
#: CSS px per mm (CSS fixes 96 px to the inch).
CSS_PX_PER_MM = 96 / 25.4
#: A4 in mm.
A4_MM = (210.0, 297.0)
#: An A4 page's width in CSS px (≈ 794).
A4_WIDTH_PX = round(A4_MM[0] * CSS_PX_PER_MM)
#: WeasyPrint's page margin when a document declares none (its user-agent ``@page``).
DEFAULT_PAGE_MARGIN_PX = 75.0
#: Width of the strip along each side edge of a PDF page that must stay blank.
#: Narrower than any page margin the reports use (16 mm; WeasyPrint's default ≈ 20 mm).
MARGIN_STRIP_MM = 8.0
#: Resolution of the PDF page images: 1.5 → 108 dpi, 893 × 1263 px for A4.
PDF_SCALE = 1.5
#: Job states whose reports exist (see :data:`fou.core.vocabulary.STATUSES`).
REPORT_STATUSES: tuple[str, ...] = ("ok", "skipped")
#: Folder under ``outputs/`` the review writes to.
REVIEW_DIR = "review"
_PAGE_TIMEOUT_MS = 60_000
_TOLERANCE_PX = 1.0
#: More wide tables than this on one page are reported in one sentence.
_MAX_SEPARATE = 3
_NETWORK = re.compile(r"^(?:https?|wss?|ftp):", re.I)
_LOCAL_SCHEMES = ("file", "data", "blob", "about")

NO_CHROMIUM = (
    "Ingen Chromium hittades. Installera Debians paket (som root): "
    "apt-get install chromium, eller ange programmet i miljövariabeln "
    f"{CHROMIUM_ENV} (t.ex. {CHROMIUM_ENV}=/usr/bin/chromium)."
)
NO_PLAYWRIGHT = (
    "Python-paketet playwright saknas (ett utvecklingsberoende). Kör make setup, "
    "eller .venv/bin/pip install -c constraints.txt -e '.[dev]'. "
    "Kör inte playwright install: granskningen använder systemets Chromium."
)


class ReviewError(FouError):
    """The review cannot run (no Chromium, no playwright, no reports yet)."""


@dataclass(frozen=True)
class PageReview:
    """What the review saw in one file.

    Attributes
    ----------
    source
        The HTML report or PDF.
    images
        PNGs written for it (screen and print screenshots, or one per PDF page).
    problems
        What is wrong with it (Swedish, each naming the file).
    """

    source: Path
    images: tuple[Path, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReviewResult:
    """The outcome of :func:`review`.

    Attributes
    ----------
    out_dir
        Where the images are (``outputs/review``).
    reports
        HTML pages looked at (the index first).
    pdfs
        PDFs looked at.
    screenshots
        PNGs of the HTML pages (``html/``).
    pdf_pages
        PNGs of the PDF pages (``pdf/``).
    problems
        Everything found, in the order of the files.
    """

    out_dir: Path
    reports: tuple[Path, ...] = ()
    pdfs: tuple[Path, ...] = ()
    screenshots: tuple[Path, ...] = ()
    pdf_pages: tuple[Path, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self.problems


# ---------------------------------------------------------------------------
# Finding Chromium and the reports


def _executable(candidate: str | Path) -> Path | None:
    """*candidate* as an executable file (a path, or a name looked up on PATH), or None."""
    text = str(candidate)
    if os.sep in text or (os.altsep and os.altsep in text):
        path = Path(text).expanduser()
        return path if path.is_file() and os.access(path, os.X_OK) else None
    found = shutil.which(text)
    return Path(found) if found else None


def find_chromium() -> Path | None:
    """The Chromium to drive, or None when there is none.

    Looks at the environment variable ``FOU_CHROMIUM`` (a path or a name on
    ``PATH``) first: when it is set but names no executable, the answer is
    None rather than some other browser. Then ``/usr/bin/chromium`` (Debian's
    package), then ``chromium``, ``chromium-browser`` and ``google-chrome`` on
    ``PATH``.

    Returns
    -------
    pathlib.Path or None
    """
    chosen = os.environ.get(CHROMIUM_ENV, "").strip()
    if chosen:
        return _executable(chosen)
    candidates: tuple[str | Path, ...] = (DEBIAN_CHROMIUM, *CHROMIUM_NAMES)
    for candidate in candidates:
        found = _executable(candidate)
        if found is not None:
            return found
    return None


def _manifest_jobs(outputs: Path) -> list[dict[str, Any]] | None:
    """The manifest's jobs, or None when there is no readable manifest."""
    try:
        data = json.loads((outputs / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    jobs = data.get("jobs") if isinstance(data, dict) else None
    if not isinstance(jobs, list):
        return None
    return [job for job in jobs if isinstance(job, dict)]


def _jobs_from_files(outputs: Path) -> list[dict[str, Any]]:
    """Jobs read off ``outputs/<year>/<unit>/<notebook>.html`` when there is no manifest."""
    jobs = []
    for html in sorted(outputs.glob("*/*/*.html")):
        year, unit = html.parent.parent.name, html.parent.name
        if year.isdigit():
            jobs.append(
                {
                    "notebook": html.stem,
                    "municipality_id": None if unit == "gr" else unit,
                    "year": int(year),
                    "status": "ok",
                    "outputs": [html.relative_to(outputs).as_posix()],
                }
            )
    return jobs


def pick_reports(outputs: Path) -> list[Path]:
    """The index and one HTML report of each kind, the pages a review looks at.

    One report per notebook among the manifest's ``ok`` and ``skipped`` jobs
    whose HTML exists: the newest year's, and of those the regional one or the
    lowest municipality id. Without a readable manifest the reports are found
    as ``outputs/<year>/<unit>/<notebook>.html``.

    Parameters
    ----------
    outputs
        The ``outputs/`` folder.

    Returns
    -------
    list of pathlib.Path
        ``outputs/index.html`` first (when it exists), then the reports by
        notebook name.
    """
    outputs = Path(outputs)
    jobs = _manifest_jobs(outputs)
    if jobs is None:
        jobs = _jobs_from_files(outputs)
    best: dict[str, tuple[tuple[int, str, str], Path]] = {}
    for job in jobs:
        if job.get("status") not in REPORT_STATUSES:
            continue
        try:
            year = int(job.get("year") or 0)
        except (TypeError, ValueError):
            continue
        notebook = str(job.get("notebook") or "")
        htmls = [
            outputs / str(o)
            for o in job.get("outputs") or []
            if str(o).endswith(".html") and (outputs / str(o)).is_file()
        ]
        if not notebook or not htmls:
            continue
        key = (-year, str(job.get("municipality_id") or ""), htmls[0].as_posix())
        if notebook not in best or key < best[notebook][0]:
            best[notebook] = (key, htmls[0])
    picked = [best[name][1] for name in sorted(best)]
    index = outputs / "index.html"
    return ([index] if index.is_file() else []) + picked


def pick_pdfs(reports: Iterable[Path]) -> list[Path]:
    """The PDFs next to *reports* (same name, ``.pdf``) that exist; the index has none."""
    return [
        pdf
        for report in reports
        if report.name != "index.html" and (pdf := Path(report).with_suffix(".pdf")).is_file()
    ]


def image_stem(path: Path, root: Path | None = None) -> str:
    """The image file name (without suffix) for a report: its path below *root*, joined by ``_``.

    Parameters
    ----------
    path
        A report, e.g. ``outputs/2025/1480/municipality_profile.html``.
    root
        The folder the name is relative to (``outputs/``); the report's own
        folder when None or when *path* is not below it.

    Returns
    -------
    str

    Examples
    --------
    >>> image_stem(Path("outputs/2025/1480/municipality_profile.html"), Path("outputs"))
    '2025_1480_municipality_profile'
    >>> image_stem(Path("outputs/index.html"), Path("outputs"))
    'index'
    """
    path = Path(path)
    try:
        rel = path.relative_to(root) if root is not None else Path(path.name)
    except ValueError:
        rel = Path(path.name)
    return "_".join(rel.with_suffix("").parts)


def _label(path: Path, root: Path | None) -> str:
    """How a file is named in a problem: relative to *root* when below it."""
    if root is not None:
        try:
            return Path(path).relative_to(root).as_posix()
        except ValueError:
            pass
    return str(path)


# ---------------------------------------------------------------------------
# The browser


@contextmanager
def open_browser(chromium: Path | None = None) -> Iterator[BrowserContext]:
    """Headless Chromium with a fresh, empty profile and no network, as a playwright context.

    Requests other than ``file:``, ``data:`` and ``blob:`` are refused (and
    reported by :func:`render_html`). The profile is removed afterwards.

    Parameters
    ----------
    chromium
        The executable; :func:`find_chromium` when None.

    Yields
    ------
    playwright.sync_api.BrowserContext

    Raises
    ------
    ReviewError
        No Chromium, no playwright, or Chromium would not start.
    """
    exe = chromium or find_chromium()
    if exe is None:
        raise ReviewError(NO_CHROMIUM)
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        raise ReviewError(NO_PLAYWRIGHT) from exc
    with (
        tempfile.TemporaryDirectory(prefix="fou-chromium-", ignore_cleanup_errors=True) as profile,
        sync_playwright() as pw,
    ):
        try:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=str(exe),
                headless=True,
                args=list(CHROMIUM_ARGS),
                viewport={"width": SCREEN_WIDTH, "height": _SCREEN_HEIGHT},
                device_scale_factor=1,
                locale="sv-SE",
                timezone_id="Europe/Stockholm",
                color_scheme="light",
                reduced_motion="reduce",
                service_workers="block",
                accept_downloads=False,
            )
        except PlaywrightError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ReviewError(f"Chromium ({exe}) startade inte: {first}") from exc
        try:
            context.set_default_timeout(_PAGE_TIMEOUT_MS)
            context.route(_NETWORK, lambda route: route.abort("blockedbyclient"))
            yield context
        finally:
            context.close()


@contextmanager
def _browser(context: BrowserContext | None, chromium: Path | None) -> Iterator[BrowserContext]:
    """*context* when given (left open), else a new :func:`open_browser`."""
    if context is not None:
        yield context
    else:
        with open_browser(chromium) as ctx:
            yield ctx


# Measured in the page: the body's content box (within the viewport), every
# visible table's box and width (scrollWidth too, for tables in a scroll box),
# and every link with its attribute, its resolved URL and whether an anchor's
# target exists.
_MEASURE_JS = """
() => {
  const body = document.body || document.documentElement;
  const cs = getComputedStyle(body);
  const box = body.getBoundingClientRect();
  const viewport = document.documentElement.clientWidth;
  const left = Math.max(0, box.left + parseFloat(cs.paddingLeft) + parseFloat(cs.borderLeftWidth));
  const right = Math.min(viewport,
    box.right - parseFloat(cs.paddingRight) - parseFloat(cs.borderRightWidth));
  const text = (el) => (el ? el.textContent.replace(/\\s+/g, " ").trim() : "");
  const tables = [...document.querySelectorAll("table")].map((t) => {
    const r = t.getBoundingClientRect();
    const width = Math.max(r.width, t.scrollWidth);
    const first = t.querySelector("th, td");
    return {
      visible: r.width > 0 && r.height > 0,
      left: r.left, right: r.left + width, width: width,
      caption: text(t.caption) || text(first),
    };
  });
  const links = [...document.querySelectorAll("a[href]")].map((a) => {
    const raw = a.getAttribute("href");
    let target = true;
    if (raw.startsWith("#") && raw.length > 1) {
      // As the browser does: the fragment as written, then percent-decoded.
      const ids = [raw.slice(1)];
      try { ids.push(decodeURIComponent(raw.slice(1))); } catch (e) {}
      const found = (id) => document.getElementById(id) || document.getElementsByName(id).length;
      target = ids.some(found);
    }
    return {raw: raw, url: a.href, target: target};
  });
  return {left: left, right: right, tables: tables, links: links};
}
"""

# The left and right margins of the document's @page rules, in CSS px (null
# when none is declared).
_PAGE_MARGINS_JS = """
() => {
  let left = null, right = null;
  const visit = (rules) => {
    for (const rule of rules) {
      if (rule instanceof CSSPageRule && !rule.selectorText) {
        left = rule.style.marginLeft || left;
        right = rule.style.marginRight || right;
      } else if (rule.cssRules) {
        visit(rule.cssRules);
      }
    }
  };
  for (const sheet of document.styleSheets) {
    try { visit(sheet.cssRules); } catch (e) {}
  }
  const px = (value) => {
    if (!value) return null;
    const probe = document.createElement("div");
    probe.style.cssText = "position:absolute;visibility:hidden;height:0;width:" + value;
    document.documentElement.appendChild(probe);
    const width = probe.getBoundingClientRect().width;
    probe.remove();
    return width;
  };
  return [px(left), px(right)];
}
"""


def _short(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def check_page(page: Page, *, links: bool = True) -> list[str]:
    """Problems in a page loaded in the browser, at its current width and media.

    * a ``<table>`` wider than the body's content box (or reaching past it): it
      is cut off, or must be scrolled sideways, at this width;
    * with *links*: a relative ``<a href>`` whose file does not exist, and an
      anchor (``#id``) whose target is not in the page.

    Parameters
    ----------
    page
        A playwright page with the document loaded (from a ``file://`` URL, so
        that relative links resolve to files).
    links
        Check the links too (once per page is enough).

    Returns
    -------
    list of str
        One Swedish sentence per problem; empty when the page is fine.
    """
    found = page.evaluate(_MEASURE_JS)
    left, right = float(found["left"]), float(found["right"])
    available = round(max(0.0, right - left))
    tables = found["tables"]
    wide = [
        (number, table)
        for number, table in enumerate(tables, 1)
        if table["visible"]
        and (
            table["width"] > right - left + _TOLERANCE_PX
            or table["right"] > right + _TOLERANCE_PX
            or table["left"] < left - _TOLERANCE_PX
        )
    ]
    problems = []
    if len(wide) <= _MAX_SEPARATE:
        for number, table in wide:
            what = f" ({_short(table['caption'])})" if table["caption"] else ""
            problems.append(
                f"tabell {number} av {len(tables)}{what} är {round(table['width'])} px bred "
                f"men sidans innehållsyta är {available} px: den klipps eller måste "
                "rullas i sidled"
            )
    else:
        widths = sorted(round(table["width"]) for _, table in wide)
        span = f"{widths[0]}–{widths[-1]}" if widths[0] != widths[-1] else f"{widths[0]}"
        problems.append(
            f"{len(wide)} av {len(tables)} tabeller (nr {number_ranges(n for n, _ in wide)}) "
            f"är {span} px breda men sidans innehållsyta är {available} px: de klipps eller "
            "måste rullas i sidled"
        )
    if links:
        problems.extend(_link_problems(found["links"]))
    return problems


def _link_problems(links: Iterable[dict[str, Any]]) -> list[str]:
    problems = []
    seen = set()
    for link in links:
        raw = str(link["raw"]).strip()
        if raw in seen or not raw:
            continue
        seen.add(raw)
        if raw.startswith("#"):
            if not link["target"]:
                problems.append(f"länken {raw} leder ingenstans (inget element med det id:t)")
            continue
        if urllib.parse.urlsplit(raw).scheme or raw.startswith("//"):
            continue  # not relative
        target = urllib.parse.urlsplit(str(link["url"]))
        if target.scheme != "file":
            continue
        path = Path(urllib.request.url2pathname(target.path))
        if not path.exists():
            problems.append(f"länken {raw} pekar på en fil som inte finns ({path})")
    return problems


def _print_width(page: Page) -> float:
    """The content width of an A4 page for the loaded document, CSS px (print media)."""
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": round(A4_MM[1] * CSS_PX_PER_MM)})
    left, right = page.evaluate(_PAGE_MARGINS_JS)
    left = DEFAULT_PAGE_MARGIN_PX if left is None else float(left)
    right = DEFAULT_PAGE_MARGIN_PX if right is None else float(right)
    return max(100.0, A4_MM[0] * CSS_PX_PER_MM - left - right)


def _network_recorder(seen: list[str]) -> Callable[[Request], None]:
    """A request listener that notes every URL the page asks for that is not local."""

    def record(request: Request) -> None:
        if urllib.parse.urlsplit(request.url).scheme not in _LOCAL_SCHEMES:
            seen.append(request.url)

    return record


def render_html(
    pages: Sequence[Path],
    out_dir: Path,
    *,
    width: int = SCREEN_WIDTH,
    print_check: bool = True,
    root: Path | None = None,
    context: BrowserContext | None = None,
    chromium: Path | None = None,
) -> list[PageReview]:
    """Full-page screenshots of HTML files in headless Chromium, and their problems.

    Each page is loaded from its ``file://`` URL at *width* (screen media),
    checked with :func:`check_page` and saved as ``<name>.png``; with
    *print_check* it is then laid out with print media at the width of its A4
    content box (A4 less the ``@page`` side margins, WeasyPrint's 75 px when
    it declares none), checked again and saved as ``<name>.print.png``.
    Anything the page tries to load from the network is refused and reported.

    Parameters
    ----------
    pages
        HTML files.
    out_dir
        Folder for the PNGs (created).
    width
        Window width for the screen check, CSS px.
    print_check
        Also check and photograph the print layout.
    root
        Folder the image names and problem labels are relative to (see
        :func:`image_stem`).
    context
        A browser from :func:`open_browser` to reuse (left open); a new one
        is started and closed when None.
    chromium
        The executable when a browser is started.

    Returns
    -------
    list of PageReview
        One per page, in order.
    """
    out_dir = Path(out_dir)
    results = []
    with _browser(context, chromium) as ctx:
        from playwright.sync_api import Error as PlaywrightError  # importable: the browser runs

        for source in pages:
            source = Path(source)
            label, stem = _label(source, root), image_stem(source, root)
            images: list[Path] = []
            problems: list[str] = []
            requested: list[str] = []
            page = ctx.new_page()
            page.on("request", _network_recorder(requested))
            try:
                page.emulate_media(media="screen")
                page.set_viewport_size({"width": width, "height": _SCREEN_HEIGHT})
                page.goto(source.resolve().as_uri(), wait_until="load")
                problems += [f"{label} (skärm, {width} px): {p}" for p in check_page(page)]
                images.append(write_bytes(out_dir / f"{stem}.png", page.screenshot(full_page=True)))
                if print_check:
                    content = _print_width(page)
                    page.set_viewport_size({"width": round(content), "height": _SCREEN_HEIGHT})
                    problems += [
                        f"{label} (utskrift A4, {round(content)} px): {p}"
                        for p in check_page(page, links=False)
                    ]
                    shot = page.screenshot(full_page=True)
                    images.append(write_bytes(out_dir / f"{stem}.print.png", shot))
            except PlaywrightError as exc:
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else "okänt fel"
                problems.append(f"{label}: kunde inte visas i Chromium ({first})")
            finally:
                page.close()
            if requested:
                urls = ", ".join(_short(u, 80) for u in sorted(set(requested))[:3])
                problems.append(
                    f"{label}: försöker hämta från nätet ({urls}); rapporterna ska fungera offline"
                )
            results.append(PageReview(source, tuple(images), tuple(problems)))
    return results


# ---------------------------------------------------------------------------
# PDF pages


def number_ranges(numbers: Iterable[int]) -> str:
    """Numbers as ranges, for pages and tables: ``1–3, 5``.

    Examples
    --------
    >>> number_ranges([1, 2, 3, 5, 7, 8])
    '1–3, 5, 7–8'
    """
    parts: list[list[int]] = []
    for n in sorted(set(numbers)):
        if parts and n == parts[-1][1] + 1:
            parts[-1][1] = n
        else:
            parts.append([n, n])
    return ", ".join(f"{a}–{b}" if a != b else f"{a}" for a, b in parts)


def _inked_margins(image: Image, *, scale: float) -> list[str]:
    """The sides (``vänster``, ``höger``) whose edge strip has ink on it."""
    gray = image.convert("L")
    width, height = gray.size
    strip = max(1, round(MARGIN_STRIP_MM / 25.4 * 72 * scale))
    boxes = {"vänster": (0, 0, strip, height), "höger": (width - strip, 0, width, height)}
    return [
        side
        for side, box in boxes.items()
        if gray.crop(box).point(lambda v: 255 if v < 200 else 0).getbbox() is not None
    ]


def _margin_problem(side: str, pages: str) -> str:
    return (
        f"{pages}: innehåll i {side}marginalen (inom {MARGIN_STRIP_MM:g} mm från kanten): "
        "något är bredare än sidan och klipps troligen"
    )


def check_pdf_image(image: Image, *, scale: float, number: int | None = None) -> list[str]:
    """Problems in one rendered PDF page: ink in the strips along its side edges.

    Content there has left the page's content box (a table or figure wider
    than the page), and is usually cut off at the paper's edge. The strips are
    :data:`MARGIN_STRIP_MM` wide, less than the reports' page margins.

    Parameters
    ----------
    image
        The page rendered by pypdfium2 (``page.render(scale=scale).to_pil()``).
    scale
        The scale it was rendered at (1 = 72 dpi).
    number
        Page number for the message.

    Returns
    -------
    list of str
    """
    where = f"sida {number}" if number is not None else "sidan"
    return [_margin_problem(side, where) for side in _inked_margins(image, scale=scale)]


def render_pdf(
    pdf: Path, out_dir: Path, *, scale: float = PDF_SCALE, root: Path | None = None
) -> PageReview:
    """Every page of a PDF as a PNG, and the problems seen on them.

    Pages are written as ``<name>-p01.png``, ``<name>-p02.png``, …; each is
    checked to be A4 (portrait or landscape) and to have nothing in its side
    margins (:func:`check_pdf_image`; one problem per side, naming the pages).

    Parameters
    ----------
    pdf
        The PDF.
    out_dir
        Folder for the PNGs (created).
    scale
        1 = 72 dpi; the default 1.5 gives 108 dpi.
    root
        Folder the image names and problem labels are relative to.

    Returns
    -------
    PageReview
    """
    import pypdfium2

    pdf, out_dir = Path(pdf), Path(out_dir)
    label, stem = _label(pdf, root), image_stem(pdf, root)
    try:
        document = pypdfium2.PdfDocument(str(pdf))
    except pypdfium2.PdfiumError as exc:
        return PageReview(pdf, (), (f"{label}: PDF-filen kunde inte läsas ({exc})",))
    images: list[Path] = []
    problems: list[str] = []
    inked: dict[str, list[int]] = {}
    try:
        digits = max(2, len(str(len(document))))
        a4 = sorted(mm / 25.4 * 72 for mm in A4_MM)
        for i in range(len(document)):
            page = document[i]
            try:
                size = sorted(page.get_size())
                if any(abs(got - want) > 2 for got, want in zip(size, a4, strict=True)):
                    w, h = (round(v / 72 * 25.4) for v in page.get_size())
                    problems.append(f"{label} sida {i + 1}: sidan är {w} × {h} mm, inte A4")
                image = page.render(scale=scale).to_pil()
            finally:
                page.close()
            for side in _inked_margins(image, scale=scale):
                inked.setdefault(side, []).append(i + 1)
            buffer = io.BytesIO()
            image.save(buffer, format="PNG")
            images.append(
                write_bytes(out_dir / f"{stem}-p{i + 1:0{digits}d}.png", buffer.getvalue())
            )
    finally:
        document.close()
    for side, numbers in inked.items():
        problems.append(f"{label} " + _margin_problem(side, f"sida {number_ranges(numbers)}"))
    problems += check_pdf_text(pdf, label=label)
    return PageReview(pdf, tuple(images), tuple(problems))


def check_pdf_text(pdf: Path, *, label: str) -> list[str]:
    """Words of the report's HTML (next to the PDF) that no PDF page shows (cut off)."""
    from fou.reports.pdftext import missing_words

    html = pdf.with_suffix(".html")
    if not html.is_file():
        return []
    missing = missing_words(html.read_text(encoding="utf-8"), pdf)
    if not missing:
        return []
    shown = ", ".join(dict.fromkeys(missing[:12]))
    return [
        f"{label}: {len(missing)} ord i HTML-rapporten syns inte i PDF:en (avklippta?): {shown}"
    ]


# ---------------------------------------------------------------------------
# The whole review


def _remove_stale(folder: Path, keep: Iterable[Path]) -> None:
    """Remove PNGs in *folder* that this review did not write (pages of an older run)."""
    if not folder.is_dir():
        return
    kept = {Path(p).resolve() for p in keep}
    for old in folder.glob("*.png"):
        if old.resolve() not in kept:
            old.unlink(missing_ok=True)


def review(
    outputs: Path | None = None,
    out_dir: Path | None = None,
    *,
    width: int = SCREEN_WIDTH,
    scale: float = PDF_SCALE,
    chromium: Path | None = None,
    context: BrowserContext | None = None,
) -> ReviewResult:
    """Look at the reports as reviewers do: screenshots, PDF pages, problems.

    Parameters
    ----------
    outputs
        The ``outputs/`` folder ``make reports`` wrote; the project's when None.
    out_dir
        Where the images go: ``outputs/review`` when None (``html/`` and
        ``pdf/`` below it).
    width
        Window width for the screen check, CSS px.
    scale
        Resolution of the PDF page images (see :func:`render_pdf`).
    chromium
        The Chromium executable; :func:`find_chromium` when None.
    context
        A browser from :func:`open_browser` to reuse (left open).

    Returns
    -------
    ReviewResult

    Raises
    ------
    ReviewError
        No ``outputs/index.html`` (run ``make reports`` first), no Chromium or
        no playwright.
    """
    outputs = Path(outputs) if outputs is not None else paths().outputs
    if not (outputs / "index.html").is_file():
        raise ReviewError(
            f"{outputs / 'index.html'} finns inte: kör make reports först "
            "(eller ange mappen med --outputs)."
        )
    if context is None and chromium is None:
        chromium = find_chromium()
        if chromium is None:
            raise ReviewError(NO_CHROMIUM)
    out_dir = Path(out_dir) if out_dir is not None else outputs / REVIEW_DIR
    reports = pick_reports(outputs)
    pdfs = pick_pdfs(reports)
    seen = render_html(
        reports, out_dir / "html", width=width, root=outputs, context=context, chromium=chromium
    )
    seen += [render_pdf(pdf, out_dir / "pdf", scale=scale, root=outputs) for pdf in pdfs]
    screenshots = tuple(p for r in seen if r.source.suffix != ".pdf" for p in r.images)
    pdf_pages = tuple(p for r in seen if r.source.suffix == ".pdf" for p in r.images)
    _remove_stale(out_dir / "html", screenshots)
    _remove_stale(out_dir / "pdf", pdf_pages)
    return ReviewResult(
        out_dir=out_dir,
        reports=tuple(reports),
        pdfs=tuple(pdfs),
        screenshots=screenshots,
        pdf_pages=pdf_pages,
        problems=tuple(p for r in seen for p in r.problems),
    )


def _shown(path: Path) -> str:
    """*path* relative to the working directory when below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m fou.reports.review [--outputs DIR] [--out DIR]`` (``make review``).

    Parameters
    ----------
    argv
        Command-line arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        0 when the reports look right, 1 when problems were found, 2 when the
        review could not run (no Chromium, no playwright, no reports).
    """
    parser = argparse.ArgumentParser(
        prog="python -m fou.reports.review",
        description="Granska rapporterna som en läsare: skärmbilder av HTML, bilder av "
        "PDF-sidorna och kontroll av breda tabeller och trasiga länkar.",
    )
    parser.add_argument(
        "--outputs",
        type=Path,
        default=None,
        help="mappen make reports skrev (standard: projektets outputs/)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="var bilderna skrivs (standard: OUTPUTS/review)"
    )
    args = parser.parse_args(argv)
    outputs = args.outputs if args.outputs is not None else paths().outputs
    chosen = os.environ.get(CHROMIUM_ENV, "").strip()
    chromium = find_chromium()
    if (outputs / "index.html").is_file() and chromium is None:
        hint = f" ({CHROMIUM_ENV}={chosen} är inget körbart program.)" if chosen else ""
        print(NO_CHROMIUM + hint, file=sys.stderr)
        return 2
    try:
        result = review(outputs, args.out, chromium=chromium)
    except ReviewError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(
        f"Granskade {len(result.reports)} HTML-sidor och {len(result.pdfs)} PDF-filer i "
        f"{_shown(outputs)}."
    )
    print(f"  {len(result.screenshots)} skärmbilder i {_shown(result.out_dir / 'html')}")
    print(f"  {len(result.pdf_pages)} PDF-sidor i {_shown(result.out_dir / 'pdf')}")
    if result.ok:
        print("Inga problem hittades.")
        return 0
    count = len(result.problems)
    print(f"{count} problem hittades:" if count != 1 else "1 problem hittades:")
    for problem in result.problems:
        print(f"  - {problem}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
