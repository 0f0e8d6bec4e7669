"""The words the stages share: notebook parameters, data sources, job states, report names.

Each list is defined here once and nowhere else: the notebooks' ``parameters``
cells, the batch planner, the export's provenance box, the index and the CLI
all read it.

Notebook parameters are written without å/ä/ö (``ar``, ``jamforelse``,
``datakalla``) because they are Python names; readers see the Swedish labels.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Municipality id (as text) or name.
MUNICIPALITY = "kommun"
#: The year a report is about.
YEAR = "ar"
#: What the municipality is compared with.
COMPARISON = "jamforelse"
#: Which data the notebook reads.
DATA_SOURCE = "datakalla"
#: How the key figures are grouped into sections (a view of the catalogue).
VIEW = "vy"

#: The notebook parameters every report understands, in the order they are shown
#: (``vy`` only in the reports that group key figures: profile, data quality,
#: associations, regional).
PARAMETERS: tuple[str, ...] = (MUNICIPALITY, YEAR, COMPARISON, DATA_SOURCE, VIEW)
#: Swedish labels of the parameters (the provenance box, error messages).
PARAMETER_LABELS: Mapping[str, str] = {
    MUNICIPALITY: "kommun",
    YEAR: "år",
    COMPARISON: "jämförelse",
    DATA_SOURCE: "datakälla",
    VIEW: "gruppering",
}
#: Parameters the batch sets from the job itself; a batch file may not set them.
RESERVED_PARAMETERS: tuple[str, ...] = (MUNICIPALITY, YEAR, DATA_SOURCE)

#: What a municipality can be compared with.
COMPARISONS: tuple[str, ...] = ("gr", "liknande", "riket", "region")
#: The comparison a notebook makes when none is given, and that a report's file name leaves out.
DEFAULT_COMPARISON = "gr"
#: What comes before another comparison in a report's file name (``…_jfr_liknande``).
COMPARISON_MARK = "_jfr_"
#: Swedish labels of the comparisons.
COMPARISON_LABELS: Mapping[str, str] = {
    "gr": "GR-snitt (ovägt medel)",
    "liknande": "Liknande kommuner äldreomsorg",
    "riket": "Riket",
    "region": "Regionen",
}

#: Data sources a notebook or command can ask for.
DATA_SOURCES: tuple[str, ...] = ("auto", "kolada", "demo")
#: Swedish labels of the data sources.
DATA_SOURCE_LABELS: Mapping[str, str] = {
    "auto": "senast hämtade Kolada-data, annars demodata",
    "kolada": "Kolada",
    "demo": "demodata",
}

#: States of a batch job (manifest, index, CLI summary).
STATUSES: tuple[str, ...] = ("ok", "failed", "timeout", "skipped")
#: Swedish labels of the job states.
STATUS_LABELS: Mapping[str, str] = {
    "ok": "klar",
    "failed": "misslyckades",
    "timeout": "tidsgräns",
    "skipped": "oförändrad",
}
#: States that mean the job did not produce its report.
FAILED_STATUSES: tuple[str, ...] = ("failed", "timeout")


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: its notebook, its Swedish name and what it is for."""

    notebook: str
    name: str
    purpose: str


#: The reports, in the order the index lists them.
REPORT_KINDS: tuple[ReportKind, ...] = (
    ReportKind(
        "regional_report",
        "Regional översikt",
        "GR:s 13 kommuner sida vid sida per område, samband och brister i data.",
    ),
    ReportKind(
        "municipality_profile",
        "Kommunprofil",
        "Kommunens nyckeltal jämförda med GR-snittet, liknande kommuner och riket.",
    ),
    ReportKind(
        "data_quality",
        "Brister i data",
        "Vilka värden som saknas, är osäkra eller ser konstiga ut, och varför.",
    ),
    ReportKind(
        "associations",
        "Samband",
        "Hänger nyckeltalen ihop mellan kommunerna, och ser GR ut som riket?",
    ),
    ReportKind(
        "person_centred",
        "Personcentrering",
        "Ett index av brukarundersökningens frågor om hänsyn, bemötande och inflytande.",
    ),
    ReportKind(
        "uppfoljning",
        "Uppföljning",
        "Kommunens egen uppföljning: egna nyckeltal mot egen jämförelsegrupp, GR och riket, "
        "och vad som ändrats i Kolada sedan förra hämtningen.",
    ),
)
#: The follow-up notebook and its parameter (one job per profile).
FOLLOWUP_NOTEBOOK = "uppfoljning"
PROFILE = "profil"
REPORTS: Mapping[str, ReportKind] = {k.notebook: k for k in REPORT_KINDS}


def report_name(notebook: str) -> str:
    """The Swedish name of a report (the notebook name, readable, when it is not a known report).

    Examples
    --------
    >>> report_name("data_quality"), report_name("egen_analys")
    ('Brister i data', 'Egen analys')
    """
    kind = REPORTS.get(notebook)
    if kind is not None:
        return kind.name
    text = notebook.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def parameter_label(name: str) -> str:
    """The Swedish label of a notebook parameter (the name itself for other parameters)."""
    return PARAMETER_LABELS.get(name, name)


def assigned_names(source: str) -> dict[str, str]:
    """Names assigned at the top level of Python *source*, with the source of their values.

    Used for a notebook's ``parameters`` cell and for the cell papermill injects.

    Examples
    --------
    >>> assigned_names("kommun = '1480'\\nar: int | None = None\\nx = y = 2")
    {'kommun': "'1480'", 'ar': 'None', 'x': '2', 'y': '2'}

    Raises
    ------
    SyntaxError
        The source is not Python.
    """
    found: dict[str, str] = {}
    for stmt in ast.parse(source).body:
        targets: list[ast.expr] = []
        value: Any = None
        if isinstance(stmt, ast.Assign):
            targets, value = list(stmt.targets), stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            targets, value = [stmt.target], stmt.value
        for target in targets:
            if isinstance(target, ast.Name):
                found[target.id] = ast.unparse(value) if value is not None else ""
    return found
