"""Checking a notebook's parameters before anything is computed.

papermill injects the parameters it is given as a cell whose code starts with
``# Parameters``. A misspelt name (``-p komun 1480``) would be silently
ignored, so :func:`check_injected_parameters` reads the kernel's input history
(``In`` in the notebook's ``globals()``), parses the injected cell(s) and
refuses names the notebook does not declare. Outside IPython (no ``In``) the
check is skipped. The batch runner checks the same names before it starts a
job (:mod:`fou.batch.plan`); this check catches papermill run by hand.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from fou.core import registry
from fou.core.catalog import Catalog, load_catalog
from fou.core.errors import ParameterError, check_choice
from fou.core.groups import ComparisonGroup, kolada_group, load_groups
from fou.core.paths import paths
from fou.core.vocabulary import (
    COMPARISON,
    COMPARISONS,
    DATA_SOURCE,
    DATA_SOURCES,
    MUNICIPALITY,
    VIEW,
    assigned_names,
)

#: A Kolada municipality group id.
KOLADA_GROUP = re.compile(r"^G\d+$")
#: Marks the cell papermill injects.
INJECTED_MARK = "# Parameters"


def injected_names(history: Sequence[Any]) -> list[str]:
    """Names assigned in papermill's injected cells of an IPython input history."""
    names: list[str] = []
    for src in history:
        if not isinstance(src, str) or not src.lstrip().startswith(INJECTED_MARK):
            continue
        try:
            names += list(assigned_names(src))
        except SyntaxError:
            continue
    return list(dict.fromkeys(names))


def check_injected_parameters(namespace: Mapping[str, Any] | None, known: Iterable[str]) -> None:
    """Refuse parameters papermill injected that the notebook does not declare.

    Parameters
    ----------
    namespace
        The notebook's ``globals()``; its ``In`` (IPython input history) is
        searched for papermill's ``# Parameters`` cells. A global
        ``_fou_parameter_names`` adds accepted names.
    known
        The notebook's parameter names.

    Raises
    ------
    ParameterError
        An injected name is unknown.
    """
    if not namespace:
        return
    accepted = set(known) | set(namespace.get("_fou_parameter_names", ()) or ())
    history = namespace.get("In")
    if not isinstance(history, Sequence):
        return
    unknown = [n for n in injected_names(history) if n not in accepted]
    if unknown:
        raise ParameterError(
            f"Okänd parameter {', '.join(repr(n) for n in unknown)}. Notebooken tar emot "
            f"{', '.join(repr(n) for n in sorted(accepted))} (stavning utan å/ä/ö, t.ex. 'ar')."
        )


def check_source(datakalla: Any) -> str:
    """The data source parameter, checked."""
    return str(check_choice(datakalla, DATA_SOURCES, DATA_SOURCE))


def check_comparison(jamforelse: Any, *, own: Mapping[str, ComparisonGroup] | None = None) -> str:
    """The comparison parameter, checked: a built-in, an own group or a Kolada group id.

    Parameters
    ----------
    jamforelse
        ``gr``, ``liknande``, ``riket``, ``region``, a group name from
        ``parameters/groups.yaml`` or a Kolada group id (``G33901``).
    own
        The groups of ``parameters/groups.yaml`` (None: read the project's).
    """
    name = str(jamforelse).strip()
    if name in COMPARISONS:
        return name
    groups = load_groups(paths().parameters) if own is None else own
    if name in groups or KOLADA_GROUP.match(name):
        return name
    known = [*COMPARISONS, *groups]
    raise ParameterError(
        f"{COMPARISON} måste vara ett av {', '.join(repr(k) for k in known)} eller ett "
        f"Kolada-grupp-id (G…), men {name!r} angavs. Egna grupper läggs i "
        "parameters/groups.yaml."
    )


def comparison_group(
    name: str, groups: pd.DataFrame, *, own: Mapping[str, ComparisonGroup] | None = None
) -> ComparisonGroup | None:
    """The group behind a comparison name (None for the built-in ones)."""
    if name in COMPARISONS:
        return None
    mine = load_groups(paths().parameters) if own is None else own
    group = mine.get(name)
    if group is not None and group.kolada_id is None:
        return group
    gid = group.kolada_id if group is not None else name
    title = group.title if group is not None else ""
    try:
        found = kolada_group(str(gid), groups, title=title)
    except ParameterError as exc:
        raise ParameterError(f"{COMPARISON}: {exc}") from None
    return found if group is None else ComparisonGroup(group.name, found.title, found.members,
                                                       found.kolada_id)  # fmt: skip


def check_municipality(kommun: Any) -> str:
    """The municipality parameter: a municipality (not a region or Riket), as its id."""
    if kommun is None:
        raise ParameterError(
            f"{MUNICIPALITY} måste anges (kommunkod som text, t.ex. '1480', eller namn)."
        )
    mid = registry.resolve_municipality(kommun, parameter=MUNICIPALITY)
    if mid.startswith("00"):
        raise ParameterError(
            f"{MUNICIPALITY}: {mid} ({registry.municipality_name(mid)}) är en region eller riket, "
            "inte en kommun."
        )
    return mid


def check_view(vy: Any) -> Catalog:
    """The view parameter, checked: the packaged catalogue grouped by that view."""
    try:
        return load_catalog().with_view(None if vy is None else str(vy))
    except ParameterError as exc:
        raise ParameterError(f"{VIEW}: {exc}") from None
