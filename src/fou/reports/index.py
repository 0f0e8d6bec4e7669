"""``outputs/index.html``: an offline overview of every report in the manifest.

Reports are grouped by year (newest first) and municipality, regional
(no-municipality) reports first; links to HTML/PDF are relative, failed jobs
are highlighted with their error, and slide decks found under
``outputs/<year>/slides/*.pptx`` are linked.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fou.core.atomic import write_text
from fou.core.paths import paths
from fou.core.registry import municipality_name
from fou.core.version import package_version
from fou.core.vocabulary import STATUS_LABELS, report_name

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_LINK_LABELS = {".html": "HTML", ".pdf": "PDF", ".ipynb": "Notebook"}


def _label(path: str) -> str:
    if path.endswith(".failed.ipynb"):
        return "Misslyckad notebook"
    return _LINK_LABELS.get(Path(path).suffix, Path(path).name)


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
    by_year: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    counts = dict.fromkeys(STATUS_LABELS, 0)
    for job in manifest.get("jobs", []):
        status = job.get("status", "failed")
        counts[status] = counts.get(status, 0) + 1
        unit = job.get("municipality_id") or "gr"
        links = [
            {"href": o, "label": _label(o)}
            for o in job.get("outputs") or []
            if (outputs / o).exists()
            and not (o.endswith(".ipynb") and not o.endswith(".failed.ipynb"))
        ]
        record: dict[str, Any] = {
            **job,
            "name": report_name(str(job.get("notebook", ""))),
            "status_label": STATUS_LABELS.get(status, status),
            "links": sorted(
                links,
                key=lambda link: (
                    ["HTML", "PDF"].index(link["label"]) if link["label"] in ("HTML", "PDF") else 9
                ),
            ),
            "error": job.get("error"),
        }
        by_year[int(job["year"])][unit].append(record)
    years: list[dict[str, Any]] = []
    for year in sorted(by_year, reverse=True):
        units: list[dict[str, Any]] = []
        for unit in sorted(
            by_year[year], key=lambda u: (u != "gr", municipality_name(u) if u != "gr" else "")
        ):
            name = (
                "Göteborgsregionen (regionala rapporter)"
                if unit == "gr"
                else municipality_name(unit)
            )
            units.append(
                {
                    "id": unit,
                    "name": name,
                    "jobs": sorted(by_year[year][unit], key=lambda j: j["notebook"]),
                }
            )
        slides_dir = outputs / str(year) / "slides"
        slides = (
            [
                {"href": p.relative_to(outputs).as_posix(), "name": p.name}
                for p in sorted(slides_dir.glob("*.pptx"))
            ]
            if slides_dir.is_dir()
            else []
        )
        years.append({"year": year, "units": units, "slides": slides})
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,
        keep_trailing_newline=True,
    )
    prov = manifest.get("provenance") or {}
    html = env.get_template("index.html.j2").render(
        years=years,
        counts=counts,
        source_line=manifest.get("source_line", ""),
        is_demo=prov.get("source") == "demo",
        updated_at=str(manifest.get("updated_at", "")).replace("T", " "),
        version=manifest.get("fou_version") or package_version(),
    )
    html = re.sub(r"https?://", "", html)
    return write_text(outputs / "index.html", html)
