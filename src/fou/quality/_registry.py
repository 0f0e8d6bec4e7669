"""What each data-quality check *is*: declared once, implemented in :mod:`fou.quality.checks`.

A *check* (``completeness``, ``suppression``, …) is one pure function that
returns rows of the issue table. Each check can report several *kinds* of
issue; the issue table's ``check`` column holds the kind. Every kind is
declared here with its Swedish label, what it means for interpretation (the
sentence a report prints next to the table), its default severity and what the
``value`` column holds for it. Nothing here computes anything.

The issue table has exactly the columns :data:`ISSUE_COLUMNS`; its schema is
:data:`ISSUES_SCHEMA` (pandera), so a report can rely on it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

#: Severities, most serious first (user-facing, Swedish).
SEVERITIES: tuple[str, ...] = ("fel", "varning", "info")
#: Ordered categorical dtype of the ``severity`` column: ``info < varning < fel``.
SEVERITY_DTYPE = pd.CategoricalDtype(list(reversed(SEVERITIES)), ordered=True)
#: The severity as a word in a table or a sentence ("info" is a code, not a word).
SEVERITY_WORDS: Mapping[str, str] = {"fel": "fel", "varning": "varning", "info": "upplysning"}
SEVERITY_LABELS: Mapping[str, str] = {
    "fel": "Fel: värdet ska inte användas som det är",
    "varning": "Varning: tolka med försiktighet",
    "info": "Information: förklarar luckor och brott",
}

#: Columns of the issue table, in order.
ISSUE_COLUMNS: tuple[str, ...] = (
    "check",
    "severity",
    "kpi",
    "municipality_id",
    "year",
    "gender",
    "value",
    "detail",
)


@dataclass(frozen=True)
class IssueKind:
    """One kind of finding, as it appears in the ``check`` column.

    Attributes
    ----------
    name
        Identifier (English, snake_case), the value of the ``check`` column.
    check
        The check (function) that reports it.
    label
        Short Swedish label for tables.
    meaning
        What the finding means for interpretation, in Swedish.
    severity
        Default severity, one of :data:`SEVERITIES`.
    value
        What the ``value`` column holds for this kind, in Swedish.
    level
        Granularity of the rows: ``cell`` (key figure, municipality, year),
        ``kpi_year`` (municipality empty), ``kpi`` (municipality and year
        empty, or year = the key figure's latest year), ``municipality_year``
        (key figure empty).
    """

    name: str
    check: str
    label: str
    meaning: str
    severity: str
    value: str
    level: str = "cell"


@dataclass(frozen=True)
class CheckSpec:
    """One check: a pure function ``(values, *, catalog, ...) -> issues``.

    Attributes
    ----------
    name
        Identifier, also the name of the implementing function.
    label
        Swedish label.
    description
        What it looks at, in Swedish.
    kinds
        The issue kinds it reports (names of :class:`IssueKind`).
    """

    name: str
    label: str
    description: str
    kinds: tuple[str, ...]


_KINDS: tuple[IssueKind, ...] = (
    # 1 completeness -----------------------------------------------------------
    IssueKind(
        "kpi_absent",
        "completeness",
        "Nyckeltalet saknas helt",
        "Nyckeltalet i katalogen har inga värden alls i datamängden. Troligen hämtades det "
        "aldrig, har fått ett nytt id eller publiceras bara för andra än kommuner. Det kan "
        "inte redovisas.",
        "varning",
        "tomt",
        level="kpi",
    ),
    IssueKind(
        "not_published",
        "completeness",
        "Året saknas för nyckeltalet",
        "Ingen kommun har värde detta år, trots att serien har värden före och efter: "
        "året saknas hos Kolada eller hämtades aldrig. Luckan gäller alla kommuner.",
        "info",
        "tomt",
        level="kpi_year",
    ),
    IssueKind(
        "missing_row",
        "completeness",
        "Rad saknas",
        "Kommunen har ingen rad alls för nyckeltalet detta år, fast andra kommuner har värden. "
        "Uppgiften levererades eller hämtades aldrig. En lucka är okänd, inte noll.",
        "varning",
        "tomt",
        level="cell",
    ),
    IssueKind(
        "completeness_summary",
        "completeness",
        "Sammanfattning per kommun och år",
        "Hur många av katalogens nyckeltal som saknar värde för kommunen detta år, och varför.",
        "info",
        "antal nyckeltal utan värde",
        level="municipality_year",
    ),
    # 2 suppression and small numbers -----------------------------------------
    IssueKind(
        "survey_not_run",
        "suppression",
        "Undersökningen genomfördes inte",
        "Brukarundersökningen (Vad tycker de äldre om äldreomsorgen) genomfördes inte detta år. "
        "Värdena saknas för alla kommuner; luckan beror inte på sekretess och säger inget om "
        "kommunerna.",
        "info",
        "tomt",
        level="kpi_year",
    ),
    IssueKind(
        "suppressed",
        "suppression",
        "Värde saknas (ej publicerat)",
        "Värdet är tomt medan andra kommuner (eller kommunen andra år) har värden. För "
        "brukarundersökningen beror det oftast på att färre än 30 svarade eller på sekretess; "
        "för andra nyckeltal rapporterade kommunen troligen aldrig in uppgiften, eller så "
        "publicerade Kolada den inte. Tomt är aldrig noll; kommunen kan inte jämföras detta år.",
        "varning",
        "tomt",
        level="cell",
    ),
    IssueKind(
        "few_respondents",
        "suppression",
        "Färre än 30 svarande",
        "Värdet bygger på färre svarande än publiceringsgränsen (30): "
        "slumpen kan ge stora skillnader mellan år och kommuner.",
        "varning",
        "nyckeltalets värde",
        level="cell",
    ),
    IssueKind(
        "low_response_rate",
        "suppression",
        "Låg svarsfrekvens",
        "Svarsfrekvensen i brukarundersökningen är låg: de som svarat kan skilja sig "
        "från dem som inte svarat, så andelen kan vara skev.",
        "varning",
        "nyckeltalets värde",
        level="cell",
    ),
    # 3 range and unit ---------------------------------------------------------
    IssueKind(
        "out_of_range",
        "range",
        "Omöjligt värde för enheten",
        "Värdet är omöjligt för nyckeltalets enhet (t.ex. en andel över 100 % eller en "
        "negativ kostnad): ett registrerings- eller enhetsfel. Använd inte värdet.",
        "fel",
        "värdet",
        level="cell",
    ),
    # 4 jumps ------------------------------------------------------------------
    IssueKind(
        "jump",
        "jumps",
        "Orimligt hopp mellan år",
        "Förändringen från föregående år är många gånger större än hur kommunerna brukar "
        "förändras samma år. Kan vara ett registreringsfel, en omorganisation eller ett "
        "litet underlag; kontrollera innan förändringen tolkas som utveckling.",
        "varning",
        "värdet",
        level="cell",
    ),
    # 5 level shifts -----------------------------------------------------------
    IssueKind(
        "level_shift",
        "level_shifts",
        "Möjligt odokumenterat definitionsbyte",
        "De flesta kommuner flyttar sig åt samma håll samma år, mycket mer än vanligt, och "
        "katalogen känner inte till något brott. Troligen ändrad definition eller mätmetod: "
        "jämför inte nivåer före och efter förrän det är utrett.",
        "varning",
        "medianförändring i riket",
        level="kpi_year",
    ),
    IssueKind(
        "known_break",
        "level_shifts",
        "Känt definitionsbyte",
        "Katalogen anger ett definitionsbyte detta år och det syns i data: "
        "nivåer före och efter är inte jämförbara.",
        "info",
        "medianförändring i riket",
        level="kpi_year",
    ),
    IssueKind(
        "known_break_not_visible",
        "level_shifts",
        "Känt brott syns inte i data",
        "Katalogen anger ett definitionsbyte detta år, men ingen gemensam nivåförskjutning "
        "syns i data. Jämför ändå försiktigt över brottet.",
        "info",
        "medianförändring i riket",
        level="kpi_year",
    ),
    # 6 outliers ---------------------------------------------------------------
    IssueKind(
        "outlier",
        "outliers",
        "Extremvärde i riket",
        "Värdet ligger många gånger längre från mitten än kommunerna brukar ligga samma år. "
        "Kan vara verkligt men också ett fel; kontrollera innan det lyfts fram.",
        "varning",
        "värdet",
        level="cell",
    ),
    # 7 duplicates -------------------------------------------------------------
    IssueKind(
        "duplicate",
        "duplicates",
        "Dubblett",
        "Samma nyckeltal, kommun, år och kön finns flera gånger med samma värde "
        "(t.ex. från både Kolada och en lokal inlämning). Räkna det bara en gång.",
        "varning",
        "värdet",
        level="cell",
    ),
    IssueKind(
        "contradiction",
        "duplicates",
        "Motstridiga värden",
        "Samma nyckeltal, kommun, år och kön finns flera gånger med olika värden. "
        "Det går inte att veta vilket som gäller förrän källorna är utredda.",
        "fel",
        "värdet från den första källan",
        level="cell",
    ),
    # 8 stale ------------------------------------------------------------------
    IssueKind(
        "stale",
        "stale",
        "Inaktuella data",
        "Nyckeltalets senaste år med värden är äldre än för övriga nyckeltal. Troligen är "
        "senare år ännu inte publicerade eller hämtade, eller så har nyckeltalet upphört. "
        "Jämför inte senaste år rakt av.",
        "varning",
        "tomt",
        level="kpi",
    ),
    IssueKind(
        "discontinued",
        "stale",
        "Nyckeltalet har upphört",
        "Nyckeltalet har upphört enligt katalogen; senare år finns inte och ska inte väntas.",
        "info",
        "tomt",
        level="kpi",
    ),
)

#: Every issue kind, by name, in report order.
KINDS: Mapping[str, IssueKind] = {k.name: k for k in _KINDS}

_CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec(
        "completeness",
        "Fullständighet",
        "Förväntat rutnät (nyckeltal × kommuner × år) mot det som finns: saknade rader och år.",
        (),
    ),
    CheckSpec(
        "suppression",
        "Sekretess och små tal",
        "Tomma värden där jämförbara värden finns, färre än 30 svarande, låg svarsfrekvens, "
        "år då undersökningen inte genomfördes.",
        (),
    ),
    CheckSpec(
        "range",
        "Rimlighet för enheten",
        "Andelar utanför 0–100, negativa kostnader och antal, index utanför skalan, flaggor "
        "som inte är 0/1.",
        (),
    ),
    CheckSpec(
        "jumps",
        "Hopp mellan år",
        "Förändringar från föregående år som är många gånger större än hur kommunerna "
        "brukar förändras samma år (robust z med median och MAD).",
        (),
    ),
    CheckSpec(
        "level_shifts",
        "Nivåskiften och definitionsbyten",
        "År då de flesta kommuner flyttar sig åt samma håll, jämfört med katalogens kända brott.",
        (),
    ),
    CheckSpec(
        "outliers",
        "Extremvärden",
        "Värden som ligger många gånger längre från mitten än kommunerna brukar samma år "
        "(robust z med median och MAD).",
        (),
    ),
    CheckSpec(
        "duplicates",
        "Dubbletter och motsägelser",
        "Samma nyckel (nyckeltal, kommun, år, kön) flera gånger, med samma eller olika värden.",
        (),
    ),
    CheckSpec(
        "stale",
        "Inaktuella data",
        "Nyckeltal vars senaste år är äldre än övriga nyckeltals.",
        (),
    ),
)

#: Every check, by name, in the order they run.
CHECKS: Mapping[str, CheckSpec] = {
    c.name: CheckSpec(
        c.name, c.label, c.description, tuple(k.name for k in _KINDS if k.check == c.name)
    )
    for c in _CHECKS
}

#: Plausible range per catalogue unit: ``(low, high, rule in Swedish)``; None = no bound.
#: ``flag`` values must be exactly 0 or 1.
UNIT_RULES: Mapping[str, tuple[float | None, float | None, str]] = {
    "percent": (0.0, 100.0, "en andel ligger mellan 0 och 100 %"),
    "index": (0.0, 100.0, "index och medelvärden i Kolada ligger mellan 0 och 100"),
    "days": (0.0, None, "antal dagar kan inte vara negativt"),
    "days_per_inhabitant": (0.0, None, "dagar per invånare kan inte vara negativt"),
    "per_inhabitant": (0.0, None, "antal per invånare kan inte vara negativt"),
    "per_100k": (0.0, None, "antal per 100 000 invånare kan inte vara negativt"),
    "count": (0.0, None, "ett antal kan inte vara negativt"),
    "sek": (0.0, None, "en kostnad i kronor kan inte vara negativ"),
    "msek": (None, None, "en avvikelse i miljoner kronor kan ha båda tecknen"),
    "percent_deviation": (
        -100.0,
        None,
        "en kostnadsavvikelse under −100 % betyder negativ kostnad",
    ),
    "flag": (0.0, 1.0, "en flagga är 0 (nej) eller 1 (ja)"),
    "level": (0.0, 2.0, "en nivå är 0 (nej), 1 (test) eller 2 (breddinfört)"),
}
#: Units whose level grows with the municipality's size (not compared across
#: municipalities by the jump and outlier checks: Göteborg would always stand out;
#: the level-shift check, which looks at medians and directions, keeps them).
SIZE_DEPENDENT_UNITS: tuple[str, ...] = ("msek",)


ISSUES_SCHEMA = pa.DataFrameSchema(
    {
        "check": pa.Column(str, pa.Check.isin(list(KINDS)), nullable=False),
        "severity": pa.Column(SEVERITY_DTYPE, nullable=False),
        "kpi": pa.Column(str, nullable=True),
        "municipality_id": pa.Column(str, pa.Check.str_matches(r"^\d{4}$"), nullable=True),
        "year": pa.Column("Int64", nullable=True),
        "gender": pa.Column(str, nullable=True),
        "value": pa.Column("float64", nullable=True),
        "detail": pa.Column(str, pa.Check.str_length(min_value=1), nullable=False),
    },
    strict=True,
    ordered=True,
    name="brister i data",
)


def kind_label(name: str) -> str:
    """Return the Swedish label of an issue kind (the name itself if unknown).

    Examples
    --------
    >>> kind_label("suppressed")
    'Värde saknas (ej publicerat)'
    """
    kind = KINDS.get(name)
    return kind.label if kind is not None else name


def kinds_table() -> pd.DataFrame:
    """Return the declarations as a table, for a report's "Om kontrollerna" section.

    Returns
    -------
    pandas.DataFrame
        One row per issue kind: ``check, check_label, kind, label, severity,
        meaning, value``.

    Examples
    --------
    >>> t = kinds_table()
    >>> t.loc[t["kind"] == "contradiction", "severity"].item()
    'fel'
    """
    return pd.DataFrame(
        [
            {
                "check": k.check,
                "check_label": CHECKS[k.check].label,
                "kind": k.name,
                "label": k.label,
                "severity": k.severity,
                "meaning": k.meaning,
                "value": k.value,
            }
            for k in _KINDS
        ]
    )
