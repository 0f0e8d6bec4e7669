"""The key-figure catalogue: GR's nära vård key figures grouped by domain.

The catalogue is a readable YAML file (``fou/data/catalog.yaml``) that a
researcher can edit. Each key figure has its Kolada id, title as Kolada writes
it, unit, which direction is better, its area (home care, nursing home, …),
whether it comes from the user survey, and known definition breaks. Survey
key figures have companions: respondents, response rate, and the "fewer than
30 respondents" flag.

This module parses and validates the file; it fetches nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from fou.core.errors import FouError, ParameterError, check_choice, one_of_message
from fou.core.paths import PACKAGE_DATA

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_CATALOG = PACKAGE_DATA / "catalog.yaml"

#: The six nära vård domains, in report order.
DOMAINS: tuple[str, ...] = (
    "personcentrering",
    "samverkan",
    "hälsofrämjande och förebyggande",
    "kvalitet och säkerhet",
    "kompetens",
    "kostnader",
)
#: Structural covariates (not key figures to judge, but to control for).
COVARIATE_DOMAIN = "bakgrund"
UNITS: tuple[str, ...] = (
    "percent", "index", "days", "days_per_inhabitant", "per_inhabitant", "per_100k",
    "count", "sek", "msek", "percent_deviation", "flag", "level",
)  # fmt: skip
UNIT_LABELS: dict[str, str] = {
    "percent": "andel (%)",
    "index": "index/medelvärde",
    "days": "antal dagar",
    "days_per_inhabitant": "dagar per invånare 65+",
    "per_inhabitant": "antal per invånare 65+",
    "per_100k": "per 100 000 invånare",
    "count": "antal",
    "sek": "kronor",
    "msek": "miljoner kronor",
    "percent_deviation": "avvikelse (%)",
    "flag": "ja/nej",
    "level": "nivå (0 = nej, 1 = test, 2 = breddinfört)",
}
BETTER: tuple[str, ...] = ("higher", "lower", "neither")
BETTER_LABELS: dict[str, str] = {
    "higher": "högre är bättre",
    "lower": "lägre är bättre",
    "neither": "varken högre eller lägre är i sig bättre",
}
AREAS: tuple[str, ...] = ("hemtjänst", "särskilt boende", "hemsjukvård")

KPI_COLUMNS: tuple[str, ...] = (
    "kpi", "title", "label", "domain", "role", "unit", "better", "area", "survey",
    "respondents_kpi", "response_rate_kpi", "few_respondents_kpi", "decimals", "family",
    "built_from", "by_gender", "nara_domain",
)  # fmt: skip
#: Units whose values grow with the municipality's size (mnkr): not comparable between
#: municipalities, so never ranked or placed against a group mean.
SIZE_DEPENDENT_UNITS: tuple[str, ...] = ("msek",)
#: Decimals shown for a unit unless the catalogue says otherwise (survey shares: whole per cent).
UNIT_DECIMALS: dict[str, int] = {
    "percent": 1, "index": 1, "days": 1, "days_per_inhabitant": 2, "per_inhabitant": 2,
    "per_100k": 0, "count": 0, "sek": 0, "msek": 1, "percent_deviation": 1, "flag": 0,
    "level": 1,
}  # fmt: skip
BREAK_COLUMNS: tuple[str, ...] = ("kpi", "year", "change")
#: The default view: the key figures grouped by GR's six nära vård domains.
DEFAULT_VIEW = "nara_vard"


@dataclass(frozen=True)
class View:
    """One way of grouping the key figures: headings in order, each with its key figures.

    Attributes
    ----------
    name
        Its name as a parameter takes it (``nara_vard``, ``fardplan``).
    title
        Its Swedish title (shown in reports and decks).
    headings
        ``(heading, key-figure ids)`` in report order; every key figure of the
        catalogue is under exactly one heading.
    """

    name: str
    title: str
    headings: tuple[tuple[str, tuple[str, ...]], ...]

    def heading_of(self) -> dict[str, str]:
        """Map each key figure to its heading."""
        return {k: h for h, ids in self.headings for k in ids}


def _view_key(name: object) -> str:
    """A view name as compared: lower case, å/ä → a, ö → o, spaces and hyphens → _."""
    table = str.maketrans({"å": "a", "ä": "a", "ö": "o", " ": "_", "-": "_"})
    return str(name).strip().casefold().translate(table)


def is_ending(change: object) -> bool:
    """True when a catalogue break says the key figure ended, not that it changed.

    The catalogue writes an ending as a break in the first year without values
    (``"Nyckeltalet upphörde efter 2024."``).

    Examples
    --------
    >>> is_ending("Nyckeltalet upphörde efter 2024."), is_ending("Ny beräkningsmetod från 2019.")
    (True, False)
    """
    return "upphör" in str(change).casefold()


@dataclass(frozen=True)
class Catalog:
    """A parsed key-figure catalogue.

    Attributes
    ----------
    kpis
        One row per key figure: ``kpi, title, domain, role, unit, better, area,
        survey, respondents_kpi, response_rate_kpi, few_respondents_kpi``.
        ``role`` is ``key_figure``, ``covariate`` or ``companion``.
    breaks
        Known definition breaks: ``kpi, year, change`` (first year of the new
        definition, what changed).
    survey_not_run
        Years in which the user survey was not run (values are missing).
    min_respondents
        Publication threshold for survey results.
    source
        The file it was read from.
    """

    kpis: pd.DataFrame
    breaks: pd.DataFrame
    survey_not_run: tuple[int, ...] = ()
    min_respondents: int = 30
    source: Path = field(default=DEFAULT_CATALOG)
    views: dict[str, View] = field(default_factory=dict, compare=False)
    view: str = DEFAULT_VIEW
    domain_order: tuple[str, ...] = DOMAINS

    def with_view(self, name: str | None) -> Catalog:
        """This catalogue with its key figures grouped by the view *name*.

        ``domain`` then holds the view's heading and :meth:`domains` returns
        the view's headings in order; ``nara_domain`` keeps the nära vård
        domain (the person-centred index and the covariates use it).

        Parameters
        ----------
        name
            A view in the catalogue (``nara_vard``, ``fardplan``; å, ä and ö
            may be written a and o); None for the default.

        Returns
        -------
        Catalog

        Raises
        ------
        ParameterError
            For a view the catalogue does not have.

        Examples
        --------
        >>> cat = load_catalog().with_view("färdplan")
        >>> cat.view, cat.domains()[1]
        ('fardplan', 'Personal med rätt kompetens och bra arbetsförhållanden')
        """
        key = DEFAULT_VIEW if name in (None, "") else _view_key(name)
        if key not in self.views:
            raise ParameterError(one_of_message("vy", list(self.views), str(name)))
        view = self.views[key]
        heading = view.heading_of()
        kpis = self.kpis.assign(
            domain=[
                heading.get(k, d) if role == "key_figure" else d
                for k, d, role in zip(
                    self.kpis["kpi"], self.kpis["nara_domain"], self.kpis["role"], strict=True
                )
            ]
        )
        order = tuple(h for h, _ in view.headings)
        return replace(self, kpis=kpis, view=key, domain_order=order)

    @property
    def view_title(self) -> str:
        """The Swedish title of the view in use."""
        view = self.views.get(self.view)
        return view.title if view is not None else ""

    @cached_property
    def _records(self) -> dict[str, dict[str, Any]]:
        """Each key figure's catalogue row as a dict, by id (the first row of a repeated id).

        Reports look up labels, decimals and units thousands of times; a dict
        lookup instead of a scan of the table. Computed once per catalogue
        object (a catalogue is immutable: ``replace`` makes a new one).
        """
        records: dict[str, dict[str, Any]] = {}
        for label, rec in zip(self.kpis.index, self.kpis.to_dict("records"), strict=True):
            records.setdefault(str(rec["kpi"]), {**rec, "_label": label})
        return records

    def _field(self, kpi: str, name: str) -> Any:
        """The catalogue's *name* for *kpi*, or None for ids outside the catalogue."""
        rec = self._records.get(kpi)
        return None if rec is None else rec.get(name)

    def gender_split(self, kpi: str) -> bool:
        """True when Kolada divides *kpi* by gender (women and men besides the total)."""
        flag = self._field(kpi, "by_gender")
        return bool(flag) if flag is not None else False

    def ids(
        self, *, domain: str | None = None, roles: tuple[str, ...] = ("key_figure",)
    ) -> list[str]:
        """Return key-figure ids, optionally for one domain and for the given roles.

        Parameters
        ----------
        domain
            One of :data:`DOMAINS` (or ``bakgrund``); None for all.
        roles
            Which roles to include; ``("key_figure", "covariate", "companion")`` for all.

        Returns
        -------
        list of str
        """
        df = self.kpis[self.kpis["role"].isin(roles)]
        if domain is not None:
            known = list(dict.fromkeys(self.kpis["domain"].dropna()))
            if domain not in known:
                raise ParameterError(one_of_message("område", known, domain))
            df = df[df["domain"] == domain]
        return df["kpi"].tolist()

    @property
    def all_ids(self) -> list[str]:
        """Every id the workbench fetches: key figures, covariates and companions."""
        return self.kpis["kpi"].tolist()

    def title(self, kpi: str) -> str:
        """Return the Kolada title of *kpi*."""
        return str(self.row(kpi)["title"])

    def row(self, kpi: str) -> pd.Series:
        """Return the catalogue row of *kpi* (raises ParameterError if unknown)."""
        if kpi not in self._records:
            raise ParameterError(
                f"Nyckeltalet {kpi!r} finns inte i katalogen ({self.source.name}). "
                f"Kända id:n: {', '.join(self.kpis['kpi'].head(8))} … (se `fou catalog`)."
            )
        return self.kpis.loc[self._records[kpi]["_label"]]

    def label(self, kpi: str) -> str:
        """The short Swedish label of *kpi* (the id itself for ids outside the catalogue)."""
        return str(self._field(kpi, "label")) if kpi in self._records else kpi

    def decimals(self, kpi: str) -> int:
        """Decimals a report shows for *kpi* (1 for ids outside the catalogue)."""
        return int(self._field(kpi, "decimals")) if kpi in self._records else 1

    def same_family(self, a: str, b: str) -> bool:
        """True when the association of *a* and *b* is expected rather than found.

        They measure the same thing (the same ``family``, e.g. weekdays and
        weekends), or one is built from the other (``built_from``, e.g. an
        index of survey questions, or Effektivitetsindex from Resursindex).
        """
        table = self.kpis.set_index("kpi")
        fa, fb = table["family"].get(a), table["family"].get(b)
        if isinstance(fa, str) and fa == fb:
            return True
        parts = table["built_from"]
        return a in (parts.get(b) or ()) or b in (parts.get(a) or ())

    def fitted_to(self, values: pd.DataFrame) -> Catalog:
        """This catalogue with 0 decimals for key figures whose values are all whole numbers.

        Reports show ``95 %`` rather than ``95,0 %`` when the data have no decimals.
        """
        v = values.loc[values["value"].notna(), ["kpi", "value"]]
        frac = (v["value"] - v["value"].round()).abs() > 1e-9
        with_decimals = set(v.loc[frac, "kpi"].unique())
        present = set(v["kpi"].unique())
        whole = self.kpis["kpi"].isin(present - with_decimals)
        kpis = self.kpis.assign(decimals=self.kpis["decimals"].where(~whole, 0))
        return replace(self, kpis=kpis)

    @cached_property
    def _break_texts(self) -> dict[tuple[str, int], str]:
        """The first break text of each (key figure, first year of the new definition)."""
        texts: dict[tuple[str, int], str] = {}
        for kpi, year, change in zip(
            self.breaks["kpi"], self.breaks["year"], self.breaks["change"], strict=True
        ):
            texts.setdefault((str(kpi), int(year)), str(change))
        return texts

    def break_in(self, kpi: str, year: int) -> str | None:
        """The catalogue's text when *year* is the first year of a new definition of *kpi*.

        Parameters
        ----------
        kpi
            Key-figure id.
        year
            A year.

        Returns
        -------
        str or None
            The ``change`` of the break (the first, if several), None without one.
        """
        return self._break_texts.get((kpi, int(year)))

    def better(self, kpi: str) -> str:
        """Which way is better for *kpi*: ``higher``, ``lower`` or ``neither``.

        Ids outside the catalogue give ``neither`` (no direction is assumed).
        """
        return str(self._field(kpi, "better")) if kpi in self._records else "neither"

    def comparable(self, kpi: str) -> bool:
        """False for key figures whose level depends on the municipality's size (e.g. mnkr)."""
        return not (kpi in self._records and str(self._field(kpi, "unit")) in SIZE_DEPENDENT_UNITS)

    def unit_label(self, kpi: str) -> str:
        """The unit of *kpi* in Swedish (empty for ids outside the catalogue)."""
        return UNIT_LABELS.get(str(self._field(kpi, "unit")), "") if kpi in self._records else ""

    def domains(self) -> list[str]:
        """Return the domains that have key figures, in report order."""
        present = set(self.kpis.loc[self.kpis["role"] == "key_figure", "domain"])
        return [d for d in self.domain_order if d in present]


class CatalogError(FouError, ValueError):
    """The catalogue file is malformed."""


def _require(entry: dict[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise CatalogError(f"{where}: fältet '{key}' saknas.")
    return entry[key]


#: The longest short label a table column or a chart axis can take.
MAX_LABEL = 50


def _label(entry: dict[str, Any], where: str) -> str:
    """The entry's short label: its ``label``, else its title when that is short enough.

    A label is at most :data:`MAX_LABEL` characters; a long title without a
    label is an error rather than a label cut in the middle.
    """
    given = entry.get("label")
    label = str(given if given not in (None, "") else _require(entry, "title", where)).strip()
    if len(label) > MAX_LABEL:
        what = "label" if given else "titeln (ingen label angiven)"
        raise CatalogError(
            f"{where}: {what} är {len(label)} tecken; högst {MAX_LABEL} får plats i tabeller och "
            f"diagram. Ge nyckeltalet en kort label: {label!r}."
        )
    return label


def _decimals(entry: dict[str, Any], is_survey: bool, where: str) -> int:
    """Decimals to show: the entry's ``decimals``, else 0 for survey shares, else the unit's."""
    d = entry.get("decimals")
    if d is None:
        return 0 if is_survey else UNIT_DECIMALS.get(str(entry.get("unit")), 1)
    if isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 4:
        raise CatalogError(f"{where}: decimals måste vara ett heltal 0–4, men {d!r} angavs.")
    return d


def parse_catalog(data: dict[str, Any], *, source: Path = DEFAULT_CATALOG) -> Catalog:
    """Build a :class:`Catalog` from the parsed YAML structure.

    Parameters
    ----------
    data
        The mapping read from the YAML file.
    source
        File name for messages.

    Returns
    -------
    Catalog

    Raises
    ------
    CatalogError
        Missing fields, unknown unit/direction/area, duplicate ids.
    """
    if not isinstance(data, dict) or "domains" not in data:
        raise CatalogError(f"{source}: katalogen måste ha avsnittet 'domains'.")
    survey = data.get("survey") or {}
    companions = survey.get("companions") or {}
    rows: list[dict[str, Any]] = []
    breaks: list[dict[str, Any]] = []
    for domain, entries in data["domains"].items():
        if domain not in DOMAINS and domain != COVARIATE_DOMAIN:
            raise CatalogError(
                f"{source}: " + one_of_message("område", (*DOMAINS, COVARIATE_DOMAIN), domain)
            )
        for k, entry in enumerate(entries or []):
            where = f"{source.name}, område '{domain}', post {k + 1}"
            kpi = str(_require(entry, "id", where))
            where = f"{source.name}, {kpi}"
            area = entry.get("area")
            if area is not None:
                check_choice(area, AREAS, "area", where=where, error=CatalogError)
            is_survey = bool(entry.get("survey", False))
            comp = companions.get(area, {}) if is_survey else {}
            rows.append(
                {
                    "kpi": kpi,
                    "title": str(_require(entry, "title", where)),
                    "label": _label(entry, where),
                    "domain": domain,
                    "role": "covariate" if domain == COVARIATE_DOMAIN else "key_figure",
                    "unit": check_choice(
                        _require(entry, "unit", where),
                        UNITS,
                        "unit",
                        where=where,
                        error=CatalogError,
                    ),
                    "better": check_choice(
                        entry.get("better", "neither"),
                        BETTER,
                        "better",
                        where=where,
                        error=CatalogError,
                    ),
                    "area": area,
                    "survey": is_survey,
                    "respondents_kpi": comp.get("respondents"),
                    "response_rate_kpi": comp.get("response_rate"),
                    "few_respondents_kpi": comp.get("few_respondents"),
                    "decimals": _decimals(entry, is_survey, where),
                    "family": entry.get("family"),
                    "built_from": tuple(str(b) for b in entry.get("built_from") or ()),
                    "by_gender": _flag(entry, "by_gender", where),
                    "nara_domain": domain,
                }
            )
            for b in entry.get("breaks") or []:
                breaks.append(
                    {
                        "kpi": kpi,
                        "year": int(_require(b, "year", where)),
                        "change": str(_require(b, "change", where)),
                    }
                )
    for k, entry in enumerate(data.get("companions") or []):
        where = f"{source.name}, companions, post {k + 1}"
        kpi = str(_require(entry, "id", where))
        rows.append(
            {
                "kpi": kpi,
                "title": str(_require(entry, "title", where)),
                "label": _label(entry, where),
                "domain": None,
                "role": "companion",
                "unit": check_choice(
                    _require(entry, "unit", where), UNITS, "unit", where=where, error=CatalogError
                ),
                "better": "neither",
                "area": None,
                "survey": False,
                "respondents_kpi": None,
                "response_rate_kpi": None,
                "few_respondents_kpi": None,
                "decimals": _decimals(entry, False, where),
                "family": entry.get("family"),
                "built_from": tuple(str(b) for b in entry.get("built_from") or ()),
                "by_gender": _flag(entry, "by_gender", where),
                "nara_domain": None,
            }
        )
    import pandas as pd

    kpis = pd.DataFrame(rows, columns=list(KPI_COLUMNS))
    dup = kpis["kpi"][kpis["kpi"].duplicated()]
    if not dup.empty:
        raise CatalogError(f"{source}: id förekommer flera gånger: {', '.join(dup)}.")
    same = kpis[kpis["label"].duplicated(keep=False)]
    if not same.empty:
        pairs = ", ".join(f"{r.kpi} ({r.label!r})" for r in same.itertuples())
        raise CatalogError(
            f"{source}: samma label för flera nyckeltal: {pairs}. Etiketter måste vara unika."
        )
    return Catalog(
        kpis=kpis,
        breaks=pd.DataFrame(breaks, columns=list(BREAK_COLUMNS)).astype({"year": "int64"}),
        survey_not_run=tuple(int(y) for y in survey.get("not_run") or ()),
        min_respondents=int(survey.get("min_respondents", 30)),
        source=source,
        views=_parse_views(data.get("views"), kpis, source),
    )


def _flag(entry: dict[str, Any], key: str, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise CatalogError(f"{where}: {key} måste vara true eller false, men {value!r} angavs.")
    return value


def _parse_views(data: Any, kpis: pd.DataFrame, source: Path) -> dict[str, View]:
    """The catalogue's views: the default (the domains) and each one under ``views:``.

    Every key figure must be under exactly one heading of each view, and a
    view names only the catalogue's key figures.
    """
    figures = kpis.loc[kpis["role"] == "key_figure"]
    domains = [d for d in DOMAINS if d in set(figures["domain"])]
    default_title = "GR:s områden för god och nära vård"
    given = data or {}
    if not isinstance(given, dict):
        raise CatalogError(f"{source.name}, views: ange vyer som namn: {{title, headings}}.")
    if isinstance(given.get(DEFAULT_VIEW), dict):
        default_title = str(given[DEFAULT_VIEW].get("title") or default_title)
    views = {
        DEFAULT_VIEW: View(
            DEFAULT_VIEW,
            default_title,
            tuple((d, tuple(figures.loc[figures["domain"] == d, "kpi"])) for d in domains),
        )
    }
    known = list(figures["kpi"])
    for raw, spec in given.items():
        name = _view_key(raw)
        if name == DEFAULT_VIEW:
            continue
        where = f"{source.name}, views, {raw}"
        if not isinstance(spec, dict) or not isinstance(spec.get("headings"), dict):
            raise CatalogError(f"{where}: vyn behöver 'title' och 'headings' (rubrik: [id, …]).")
        headings = []
        seen: dict[str, str] = {}
        for heading, ids in spec["headings"].items():
            listed = [str(i) for i in ids or []]
            for kpi in listed:
                if kpi not in known:
                    raise CatalogError(
                        f"{where}, rubriken {heading!r}: {kpi} är inget nyckeltal i katalogen "
                        "(vyer grupperar katalogens nyckeltal, inte bakgrundsmått eller följetal)."
                    )
                if kpi in seen:
                    raise CatalogError(
                        f"{where}: {kpi} står under både {seen[kpi]!r} och {heading!r}; "
                        "ett nyckeltal hör till en rubrik per vy."
                    )
                seen[kpi] = str(heading)
            headings.append((str(heading), tuple(listed)))
        left = [k for k in known if k not in seen]
        if left:
            raise CatalogError(
                f"{where}: nyckeltal utan rubrik i vyn: {', '.join(left)}. Varje nyckeltal ska "
                "stå under exakt en rubrik."
            )
        views[name] = View(name, str(spec.get("title") or raw), tuple(headings))
    return views


def read_catalog(path: Path | str) -> Catalog:
    """Read and validate a catalogue file.

    Parameters
    ----------
    path
        YAML file.

    Returns
    -------
    Catalog
    """
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CatalogError(f"Katalogfilen {path} finns inte.") from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: ogiltig YAML: {exc}") from None
    return parse_catalog(data, source=path)


@lru_cache(maxsize=4)
def load_catalog(path: Path | str | None = None) -> Catalog:
    """Return the catalogue (the packaged one unless *path* is given), cached.

    Examples
    --------
    >>> cat = load_catalog()
    >>> cat.title("N20900")
    'Nettokostnadsavvikelse äldreomsorg, (%)'
    >>> "personcentrering" in cat.domains()
    True
    """
    return read_catalog(DEFAULT_CATALOG if path is None else path)
