"""Follow-up profiles (*uppföljningsprofiler*): ``parameters/profiles/<name>.yaml``.

A municipality's own set of key figures, followed every year against its own
comparison group::

    title: "Tjörn: uppföljning av äldreomsorgen"
    municipality: Tjörn
    comparison: tjorn_aldreomsorg     # gr, liknande, riket, a group in groups.yaml, or G…
    years: 10                         # how many years back (8–10 reads well)
    kpis:
      - id: N20900
        label: "Nettokostnadsavvikelse (%)"
        better: lower                 # optional: higher, lower or neither
      - id: N21006

Key figures are any Kolada ids, not only the catalogue's; their titles and
descriptions come from Kolada's metadata, fetched with the values (``fou
fetch`` fetches the union of the catalogue and every profile). Every problem
is a :class:`~fou.core.errors.ParameterError` naming the file, the line and
what is accepted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fou.core.catalog import BETTER, MAX_LABEL
from fou.core.errors import ParameterError
from fou.core.registry import resolve_municipality
from fou.core.yamlfile import read_yaml

__all__ = [
    "PROFILES_DIR",
    "FollowUpProfile",
    "ProfileKpi",
    "list_profiles",
    "load_profile",
    "parse_profile",
    "profile_kpi_ids",
]

PROFILES_DIR = "profiles"
_KPI_ID = re.compile(r"^[A-Z]\d{5}$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_KEYS = ("title", "municipality", "comparison", "years", "kpis")
_KPI_KEYS = ("id", "label", "better")
DEFAULT_YEARS = 10


@dataclass(frozen=True)
class ProfileKpi:
    """One key figure of a profile: its Kolada id, an optional short label and direction."""

    kpi: str
    label: str | None = None
    better: str | None = None


@dataclass(frozen=True)
class FollowUpProfile:
    """A validated follow-up profile.

    Attributes
    ----------
    name
        The file's stem (``tjorn_aldreomsorg``), as the notebook parameter takes it.
    title
        The report's title.
    municipality_id
        The municipality followed.
    comparison
        ``gr``, ``liknande``, ``riket``, ``region``, a group of
        ``parameters/groups.yaml`` or a Kolada group id.
    years
        How many years back the report shows.
    kpis
        The key figures, in the profile's order.
    path
        The file.
    """

    name: str
    title: str
    municipality_id: str
    comparison: str
    years: int
    kpis: tuple[ProfileKpi, ...]
    path: Path

    @property
    def ids(self) -> list[str]:
        """The key figures' ids."""
        return [k.kpi for k in self.kpis]


def parse_profile(path: Path | str) -> FollowUpProfile:
    """Read and check one profile file.

    Raises
    ------
    ParameterError
        Unknown keys, a missing municipality or key-figure list, an id that
        is not a Kolada id, an id listed twice, a bad direction or a label
        too long for a table.
    """
    doc = read_yaml(path, what="profilfilen")
    name = doc.path.stem
    if not _NAME.match(name):
        raise ParameterError(
            f"{doc.path}: filnamnet blir profilens namn och skrivs med små bokstäver a–z, "
            "siffror och _ (t.ex. tjorn_aldreomsorg.yaml)."
        )
    data = doc.data
    if not isinstance(data, dict):
        raise ParameterError(f"{doc.path}: profilen ska ha nycklarna {', '.join(_KEYS)}.")

    def where(*keys: str) -> str:
        line = doc.line_of(*keys)
        return f"{doc.path}" + (f", rad {line}" if line else "")

    for key in data:
        if key not in _KEYS:
            raise ParameterError(
                f"{where(str(key))}: okänd nyckel {key!r}; tillåtna: {', '.join(_KEYS)}."
            )
    if not data.get("municipality"):
        raise ParameterError(
            f"{doc.path}: nyckeln 'municipality' saknas (kommunens namn eller kod)."
        )
    try:
        mid = resolve_municipality(str(data["municipality"]), parameter="municipality")
    except ParameterError as exc:
        raise ParameterError(f"{where('municipality')}: {exc}") from None
    years = data.get("years", DEFAULT_YEARS)
    if isinstance(years, bool) or not isinstance(years, int) or not 2 <= years <= 20:
        raise ParameterError(
            f"{where('years')}: years ska vara ett heltal 2–20, men {years!r} angavs."
        )
    raw = data.get("kpis")
    if not isinstance(raw, list) or not raw:
        raise ParameterError(
            f"{where('kpis')}: kpis ska vara en lista med nyckeltal (id: N20900, label: …)."
        )
    kpis: list[ProfileKpi] = []
    for i, item in enumerate(raw, start=1):
        spot = f"{where('kpis')}, nyckeltal {i}"
        entry = {"id": item} if isinstance(item, str) else item
        if not isinstance(entry, dict) or "id" not in entry:
            raise ParameterError(f"{spot}: ange id (t.ex. id: N20900) och gärna label.")
        for key in entry:
            if key not in _KPI_KEYS:
                raise ParameterError(
                    f"{spot}: okänd nyckel {key!r}; tillåtna: {', '.join(_KPI_KEYS)}."
                )
        kid = str(entry["id"]).strip().upper()
        if not _KPI_ID.match(kid):
            raise ParameterError(
                f"{spot}: {entry['id']!r} är inget Kolada-id (en bokstav och fem siffror, "
                "t.ex. N20900)."
            )
        if kid in [k.kpi for k in kpis]:
            raise ParameterError(f"{spot}: {kid} står två gånger i profilen.")
        better = entry.get("better")
        if better is not None and better not in BETTER:
            raise ParameterError(
                f"{spot}: better ska vara {', '.join(BETTER)}, men {better!r} angavs."
            )
        label = entry.get("label")
        if label is not None and len(str(label)) > MAX_LABEL:
            raise ParameterError(
                f"{spot}: label är {len(str(label))} tecken; högst {MAX_LABEL} får plats."
            )
        kpis.append(ProfileKpi(kid, None if label is None else str(label), better))
    return FollowUpProfile(
        name=name,
        title=str(data.get("title") or name),
        municipality_id=mid,
        comparison=str(data.get("comparison") or "gr"),
        years=int(years),
        kpis=tuple(kpis),
        path=doc.path,
    )


def list_profiles(parameters_dir: Path | str) -> list[str]:
    """Names of the profiles in ``<parameters_dir>/profiles/``, sorted."""
    d = Path(parameters_dir) / PROFILES_DIR
    return sorted(p.stem for p in d.glob("*.yaml")) if d.is_dir() else []


def load_profile(name: str, parameters_dir: Path | str) -> FollowUpProfile:
    """The profile *name* of the project.

    Raises
    ------
    ParameterError
        When there is no such profile (the message lists those there are).
    """
    known = list_profiles(parameters_dir)
    if name not in known:
        raise ParameterError(
            f"profil: {name!r} finns inte i {Path(parameters_dir) / PROFILES_DIR}; "
            f"finns: {', '.join(known) or 'inga'}."
        )
    return parse_profile(Path(parameters_dir) / PROFILES_DIR / f"{name}.yaml")


def profile_kpi_ids(parameters_dir: Path | str) -> list[str]:
    """Every key figure any profile of the project names (for ``fou fetch``)."""
    ids: list[str] = []
    for name in list_profiles(parameters_dir):
        ids += load_profile(name, parameters_dir).ids
    return list(dict.fromkeys(ids))
