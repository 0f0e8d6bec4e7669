"""Own comparison groups: ``parameters/groups.yaml``.

A municipality follows itself against the municipalities it chooses, e.g.
Tjörn against its "jämförbara kommuner". The file names each group::

    tjorn_aldreomsorg:
      title: "Tjörns jämförbara kommuner, äldreomsorg"
      members: [Hallstahammar, Hörby, Kiruna, Mörbylånga, Strömstad, Svenljunga, Vara]
    liknande_tjorn:
      title: "Koladas liknande kommuner, Tjörn"
      kolada: G33901              # a Kolada municipality group instead of a list

Members are municipality names or ids written as quoted strings (``'0114'``;
an unquoted ``0114`` is read by YAML as the number 76 and refused). Every
problem is a :class:`~fou.core.errors.ParameterError` naming the file, the
line and what is accepted. A group's value is the unweighted mean of its
members that have one, as Kolada computes group means
(:func:`fou.stats.compare.group_mean`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fou.core.errors import ParameterError
from fou.core.registry import municipality_name, resolve_municipality
from fou.core.yamlfile import child, quoting_hint, read_yaml, unquoted_ids

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["GROUPS_FILE", "ComparisonGroup", "kolada_group", "load_groups", "parse_groups"]

GROUPS_FILE = "groups.yaml"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_KOLADA_ID = re.compile(r"^G\d+$")
_KEYS = ("title", "members", "kolada")


@dataclass(frozen=True)
class ComparisonGroup:
    """A group of municipalities to compare with.

    Attributes
    ----------
    name
        Its name as ``jamforelse`` takes it (``tjorn_aldreomsorg``) or the
        Kolada id (``G33901``).
    title
        Its Swedish title (shown in reports).
    members
        Municipality ids (empty for a Kolada group until it is resolved
        against the data set's groups, :func:`kolada_group`).
    kolada_id
        The Kolada group id, when the group is one of Kolada's.
    """

    name: str
    title: str
    members: tuple[str, ...]
    kolada_id: str | None = None

    @property
    def member_names(self) -> list[str]:
        """The members' names."""
        return [municipality_name(m) for m in self.members]


def _where(path: Path, line: int | None) -> str:
    return f"{path}" + (f", rad {line}" if line else "")


def parse_groups(path: Path | str) -> dict[str, ComparisonGroup]:
    """Read and check ``groups.yaml``.

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    dict
        Group name → :class:`ComparisonGroup`, in the file's order.

    Raises
    ------
    ParameterError
        A duplicate key, a name that is not lower-case letters, digits and
        ``_``, an unknown key, an unknown municipality, an unquoted id, a
        member listed twice, or a group with neither members nor a Kolada id.
    """
    doc = read_yaml(path, what="gruppfilen")
    data = doc.data or {}
    if not isinstance(data, dict):
        raise ParameterError(
            f"{doc.path}: gruppfilen ska vara namn: {{title, members}} "
            "eller namn: {title, kolada}."
        )
    groups: dict[str, ComparisonGroup] = {}
    for name, spec in data.items():
        line = doc.line_of(str(name))
        where = _where(doc.path, line) + f": gruppen {name!r}"
        if not isinstance(name, str) or not _NAME.match(name):
            raise ParameterError(
                f"{where}: ett gruppnamn skrivs med små bokstäver a–z, siffror och _ "
                "(t.ex. tjorn_aldreomsorg), så att det kan anges som jamforelse."
            )
        if name in ("gr", "liknande", "riket", "region"):
            raise ParameterError(f"{where}: namnet är redan en inbyggd jämförelse; välj ett annat.")
        if not isinstance(spec, dict):
            raise ParameterError(f"{where}: ange title och members (eller kolada: G…).")
        for key in spec:
            if key not in _KEYS:
                raise ParameterError(
                    f"{_where(doc.path, doc.line_of(name, str(key)))}: okänd nyckel {key!r} i "
                    f"gruppen {name!r}; tillåtna: {', '.join(_KEYS)}."
                )
        title = str(spec.get("title") or name)
        kolada = spec.get("kolada")
        if kolada is not None:
            if not isinstance(kolada, str) or not _KOLADA_ID.match(kolada):
                raise ParameterError(
                    f"{_where(doc.path, doc.line_of(name, 'kolada'))}: kolada ska vara ett "
                    f"Kolada-grupp-id som G33901, men {kolada!r} angavs."
                )
            groups[name] = ComparisonGroup(name, title, (), kolada)
            continue
        groups[name] = ComparisonGroup(name, title, _members(doc, name, spec.get("members")))
    return groups


def _members(doc: Any, name: str, raw: Any) -> tuple[str, ...]:
    node = child(child(doc.node, name), "members")
    where = _where(doc.path, doc.line_of(name, "members"))
    for text, line in unquoted_ids(node):
        raise ParameterError(f"{_where(doc.path, line)}: gruppen {name!r}: {quoting_hint(text)}")
    if not isinstance(raw, list) or not raw:
        raise ParameterError(
            f"{where}: gruppen {name!r} behöver members: en lista med kommunnamn eller "
            "kommunkoder inom citattecken (eller kolada: G…)."
        )
    ids: list[str] = []
    for item in raw:
        try:
            mid = resolve_municipality(str(item), parameter=f"gruppen {name!r}")
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc}") from None
        if mid.startswith("00"):
            raise ParameterError(f"{where}: {item!r} är en region eller riket, inte en kommun.")
        if mid in ids:
            raise ParameterError(f"{where}: {item!r} står två gånger i gruppen {name!r}.")
        ids.append(mid)
    return tuple(ids)


def load_groups(parameters_dir: Path | str) -> dict[str, ComparisonGroup]:
    """The groups of ``<parameters_dir>/groups.yaml`` (none when there is no file)."""
    path = Path(parameters_dir) / GROUPS_FILE
    return parse_groups(path) if path.exists() else {}


def kolada_group(group_id: str, groups: pd.DataFrame, *, title: str = "") -> ComparisonGroup:
    """A Kolada municipality group from the data set's group table.

    Raises
    ------
    ParameterError
        When the data set has no such group.
    """
    part = groups[groups["group_id"] == group_id] if len(groups) else groups
    if part.empty:
        raise ParameterError(
            f"Kolada-gruppen {group_id} finns inte i datamängden. Grupper hämtas med "
            "`fou fetch`; se `fou data` för vilka som finns."
        )
    members = tuple(
        dict.fromkeys(str(m) for m in part["municipality_id"] if not str(m).startswith("00"))
    )
    return ComparisonGroup(group_id, title or str(part["title"].iloc[0]), members, group_id)
