"""``outputs/index.html``: the landing page of every report, offline.

For the newest year the page starts with the regional report and the slide
deck, then one row per municipality with a column per kind of report (Swedish
names and what each is for, from :data:`fou.core.vocabulary.REPORT_KINDS`).
Failed jobs are listed at the top and marked red where their report would be.
Older years follow, folded. Links are relative, so the folder can be moved or
served as it is.

:func:`index_model` builds what the page shows from the manifest (a plain
structure a test can read); :func:`write_index` renders it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fou.core import sv
from fou.core.atomic import write_text
from fou.core.paths import paths
from fou.core.registry import municipality_name
from fou.core.version import package_version
from fou.core.vocabulary import (
    COMPARISON_LABELS,
    COMPARISON_MARK,
    FAILED_STATUSES,
    FOLLOWUP_NOTEBOOK,
    REPORT_KINDS,
    REPORTS,
    STATUS_LABELS,
    report_name,
)

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
#: Output files a reader opens, in the order the page links them.
LINK_SUFFIXES: tuple[tuple[str, str], ...] = (
    (".html", "HTML"),
    (".pdf", "PDF"),
    (".xlsx", "Excel"),
)
REGIONAL_UNIT = "gr"


@dataclass(frozen=True)
class Link:
    """A link to one file."""

    href: str
    label: str


@dataclass(frozen=True)
class Cell:
    """One report of one municipality (or the region) on the page."""

    job_id: str
    notebook: str
    name: str
    status: str
    status_label: str
    links: tuple[Link, ...] = ()
    error: str | None = None

    @property
    def failed(self) -> bool:
        """True when the job did not produce its report."""
        return self.status in FAILED_STATUSES


@dataclass(frozen=True)
class Row:
    """A municipality and its reports, by notebook."""

    municipality_id: str
    name: str
    cells: Mapping[str, Cell] = field(default_factory=dict)


@dataclass(frozen=True)
class Year:
    """Everything of one year."""

    year: int
    regional: tuple[Cell, ...]
    decks: tuple[Link, ...]
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


def _links(job: Mapping[str, Any], outputs: Path) -> tuple[Link, ...]:
    files = [o for o in job.get("outputs") or [] if (outputs / o).exists()]
    out = []
    for suffix, label in LINK_SUFFIXES:
        out += [
            Link(o, label) for o in files if o.endswith(suffix) and not o.endswith(".failed.ipynb")
        ]
    out += [Link(o, "Misslyckad notebook") for o in files if o.endswith(".failed.ipynb")]
    return tuple(out)


def _stem(job: Mapping[str, Any]) -> str:
    """The report's file name: the notebook, or ``<notebook>_<vy>`` for another view."""
    return str(job.get("id") or job.get("notebook", "")).rsplit("/", 1)[-1]


def _split(stem: str) -> tuple[str, str | None, str | None]:
    """A report's file name → (notebook, view, comparison); None where it is the default.

    ``municipality_profile_fardplan_jfr_liknande`` → (``municipality_profile``,
    ``fardplan``, ``liknande``); see :attr:`fou.batch.plan.Job.stem`.
    """
    from fou.core.catalog import load_catalog

    if stem.startswith(f"{FOLLOWUP_NOTEBOOK}_"):
        return FOLLOWUP_NOTEBOOK, None, None
    comparison = None
    base, mark, tail = stem.rpartition(COMPARISON_MARK)
    if mark and tail and _split(base)[0] in REPORTS:
        stem, comparison = base, tail
    for view in load_catalog().views:
        if stem.endswith(f"_{view}") and stem[: -len(view) - 1] in REPORTS:
            return stem[: -len(view) - 1], view, comparison
    return stem, None, comparison


def comparison_label(name: str) -> str:
    """How a report's comparison reads in the index.

    Examples
    --------
    >>> comparison_label("liknande"), comparison_label("G33901")
    ('jämfört med liknande kommuner äldreomsorg', 'jämfört med G33901')
    """
    label = COMPARISON_LABELS.get(name)
    return f"jämfört med {label[0].lower() + label[1:] if label else name}"


def column_label(stem: str) -> str:
    """A report's name on the page, with its view and comparison when not the default.

    Examples
    --------
    >>> column_label("data_quality"), column_label("municipality_profile_fardplan")
    ('Brister i data', 'Kommunprofil (Göteborgs färdplan för äldreomsorgen)')
    >>> column_label("municipality_profile_jfr_riket")
    'Kommunprofil (jämfört med riket)'
    """
    from fou.core.catalog import load_catalog

    if stem.startswith(f"{FOLLOWUP_NOTEBOOK}_"):
        profile = stem[len(FOLLOWUP_NOTEBOOK) + 1 :]
        return f"{report_name(FOLLOWUP_NOTEBOOK)} ({profile})"
    notebook, view, comparison = _split(stem)
    details = [load_catalog().views[view].title] if view else []
    details += [comparison_label(comparison)] if comparison else []
    if not details:
        return report_name(stem)
    return f"{report_name(notebook)} ({', '.join(details)})"


def _cell(job: Mapping[str, Any], outputs: Path) -> Cell:
    status = str(job.get("status", "failed"))
    error = job.get("error")
    return Cell(
        job_id=str(job.get("id", "")),
        notebook=str(job.get("notebook", "")),
        name=column_label(_stem(job)),
        status=status,
        status_label=STATUS_LABELS.get(status, status),
        links=_links(job, outputs),
        error=str(error).splitlines()[0][:300] if error else None,
    )


def _order(stems: Sequence[str]) -> list[str]:
    """Known reports in the index's order (each followed by its other views), then the rest."""
    rank = {k.notebook: i for i, k in enumerate(REPORT_KINDS)}

    def key(stem: str) -> tuple[int, str, str, str]:
        notebook, view, comparison = _split(stem)
        return (rank.get(notebook, len(rank)), notebook, view or "", comparison or "")

    return sorted(stems, key=key)


def index_model(manifest: Mapping[str, Any], outputs: Path) -> list[Year]:
    """What the landing page shows, newest year first."""
    jobs = [j for j in manifest.get("jobs", []) if isinstance(j, Mapping) and "year" in j]
    years: list[Year] = []
    for year in sorted({int(j["year"]) for j in jobs}, reverse=True):
        mine = [j for j in jobs if int(j["year"]) == year]
        regional = tuple(_cell(j, outputs) for j in mine if not j.get("municipality_id"))
        municipal = [j for j in mine if j.get("municipality_id")]
        columns = tuple(_order(sorted({_stem(j) for j in municipal})))
        rows = []
        for mid in sorted({str(j["municipality_id"]) for j in municipal}, key=municipality_name):
            cells = {_stem(j): _cell(j, outputs) for j in municipal if j["municipality_id"] == mid}
            rows.append(Row(mid, municipality_name(mid), cells))
        slides = outputs / str(year) / "slides"
        decks = (
            tuple(
                Link(p.relative_to(outputs).as_posix(), p.name)
                for p in sorted(slides.glob("*.pptx"))
            )
            if slides.is_dir()
            else ()
        )
        years.append(
            Year(year, tuple(sorted(regional, key=lambda c: c.name)), decks, columns, tuple(rows))
        )
    return years


def write_index(manifest: Mapping[str, Any], root: Path | str | None = None) -> Path:
    """Write ``outputs/index.html`` from a manifest.

    Parameters
    ----------
    manifest
        The content of ``outputs/manifest.json`` (``jobs`` list plus provenance).
    root
        Project root.

    Returns
    -------
    pathlib.Path
        The index file.
    """
    import jinja2

    outputs = paths(root).outputs
    years = index_model(manifest, outputs)
    cells = [
        c for y in years for c in (*y.regional, *(c for r in y.rows for c in r.cells.values()))
    ]
    failed = [c for c in cells if c.failed]
    counts = {s: sum(1 for c in cells if c.status == s) for s in STATUS_LABELS}
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        keep_trailing_newline=True,
    )
    prov = manifest.get("provenance") or {}
    stems = {n for y in years for n in y.columns}
    kinds = dict(REPORTS) | {n: REPORTS[_split(n)[0]] for n in stems if _split(n)[0] in REPORTS}
    html = env.get_template("index.html.j2").render(
        years=years,
        kinds=kinds,
        report_name=column_label,
        failed=failed,
        counts=counts,
        n_reports=len(cells),
        source_line=manifest.get("source_line", ""),
        is_demo=prov.get("source") == "demo",
        updated_at=_updated(manifest.get("updated_at")),
        version=manifest.get("fou_version") or package_version(),
        integer=sv.integer,
    )
    html = re.sub(r"https?://", "", html)
    return write_text(outputs / "index.html", html)


def _updated(iso: Any) -> str:
    text = str(iso or "")
    return text[:16].replace("T", " ") if text else ""
