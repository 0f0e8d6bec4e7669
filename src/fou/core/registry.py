"""Municipalities, regions, GR membership and comparison groups.

The comparisons themselves (:data:`COMPARISONS`, :data:`COMPARISON_LABELS`) are
vocabulary, defined in :mod:`fou.core.vocabulary`.

The registry ships with the package (``data/municipalities.csv``: all 290
municipalities, the 21 regions and Riket, with Kolada ids and names). Names
resolve case-insensitively and Unicode-normalised (NFC), but accents stay
significant: *Habo* (0643) and *Håbo* (0305) are different municipalities.

Comparison groups for a municipality:

* ``gr``: Göteborgsregionen, the unweighted mean of the 13 members
  (Kolada group ``G96190``);
* ``riket``: Sweden (``0000``);
* ``region``: the municipality's region (``00`` + the first two digits);
* ``liknande``: "Liknande kommuner äldreomsorg" (Kolada groups ``G176…``),
  whose members come with the data set (fetched from Kolada or, for demo
  data, generated).
"""

from __future__ import annotations

import csv
import numbers
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from fou.core.errors import ParameterError, check_choice, one_of_message
from fou.core.paths import PACKAGE_DATA
from fou.core.vocabulary import COMPARISONS

if TYPE_CHECKING:
    import pandas as pd

RIKET = "0000"
GR_GROUP_ID = "G96190"
GR_GROUP_TITLE = "Göteborgsregionen (ovägt medel)"

#: The 13 GR municipalities, in the order GR lists them.
GR_MUNICIPALITIES: tuple[str, ...] = (
    "1384", "1401", "1402", "1407", "1415", "1419", "1440",
    "1441", "1462", "1480", "1481", "1482", "1489",
)  # fmt: skip

#: Kolada's "Liknande kommuner äldreomsorg, <kommun>, 2024" group per GR municipality.
SIMILAR_GROUP_IDS: Mapping[str, str] = {
    "1440": "G176485", "1489": "G176486", "1480": "G176542", "1401": "G176566",
    "1384": "G176593", "1482": "G176595", "1441": "G176603", "1462": "G176607",
    "1481": "G176632", "1402": "G176657", "1415": "G176682", "1419": "G176709",
    "1407": "G176764",
}  # fmt: skip


#: Columns of a group-membership table (one row per group and member).
GROUP_COLUMNS: tuple[str, ...] = ("group_id", "title", "municipality_id")


def normalise_name(name: str) -> str:
    """Normalise a name for lookup: NFC, case-folded, surrounding space removed.

    Accents are kept (``"Håbo" != "Habo"``).

    Examples
    --------
    >>> normalise_name("  GÖTEBORG ") == normalise_name("göteborg")
    True
    >>> normalise_name("Håbo") == normalise_name("Habo")
    False
    """
    return unicodedata.normalize("NFC", name).strip().casefold()


@lru_cache(maxsize=1)
def _rows() -> tuple[tuple[str, str, str], ...]:
    """``(municipality_id, name, type)`` of every row of the registry, names in NFC.

    Read with the standard library: looking a name up (as every report's
    header does, in the batch worker too) needs no pandas.
    """
    with (PACKAGE_DATA / "municipalities.csv").open(encoding="utf-8", newline="") as f:
        return tuple(
            (r["municipality_id"], unicodedata.normalize("NFC", r["name"]), r["type"])
            for r in csv.DictReader(f)
        )


@lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame(list(_rows()), columns=["municipality_id", "name", "type"])
    municipal = df["type"] == "K"
    df["region_id"] = ("00" + df["municipality_id"].str[:2]).where(municipal, pd.NA)
    df["is_gr"] = df["municipality_id"].isin(GR_MUNICIPALITIES)
    return df


@lru_cache(maxsize=1)
def _names() -> dict[str, str]:
    """Name by id (the registry is read once; reports look names up thousands of times)."""
    return {mid: name for mid, name, _ in _rows()}


@lru_cache(maxsize=1)
def _ids_by_name() -> dict[str, str]:
    """Id by normalised name."""
    return {normalise_name(name): mid for mid, name, _ in _rows()}


def municipalities(*, kind: str | None = None) -> pd.DataFrame:
    """Return the registry as a table.

    Parameters
    ----------
    kind
        ``"K"`` for municipalities, ``"L"`` for regions and Riket, None for both.

    Returns
    -------
    pandas.DataFrame
        Columns ``municipality_id, name, type, region_id, is_gr``.

    Examples
    --------
    >>> len(municipalities(kind="K"))
    290
    """
    df = _table()
    if kind is not None:
        if kind not in ("K", "L"):
            raise ParameterError(one_of_message("kind", ["K", "L"], kind))
        df = df[df["type"] == kind]
    return df.reset_index(drop=True).copy()


def municipality_ids(*, kind: str = "K") -> list[str]:
    """Return the ids of all municipalities (``kind="K"``) or regions (``"L"``)."""
    return municipalities(kind=kind)["municipality_id"].tolist()


def municipality_name(municipality_id: str) -> str:
    """Return the Kolada name of a municipality or region id.

    Examples
    --------
    >>> municipality_name("1480")
    'Göteborg'
    """
    names = _names()
    if isinstance(municipality_id, str) and municipality_id in names:
        return names[municipality_id]
    return names[resolve_municipality(municipality_id)]


def resolve_municipality(value: str | int, *, parameter: str = "kommun") -> str:
    """Resolve a municipality or region given as id or name to its four-character id.

    Parameters
    ----------
    value
        A four-character id (``"0114"``) or a name (``"Upplands Väsby"``,
        any case). Integers are refused, because ``0114`` read as a number
        becomes ``114``: pass ids as strings.
    parameter
        Name of the parameter, used in error messages.

    Returns
    -------
    str
        The id.

    Raises
    ------
    ParameterError
        Unknown id or name, or an integer.

    Examples
    --------
    >>> resolve_municipality("göteborg")
    '1480'
    >>> resolve_municipality("0114")
    '0114'
    """
    names = _names()
    if isinstance(value, bool) or not isinstance(value, str):
        hint = ""
        if isinstance(value, numbers.Integral) and not isinstance(value, bool):
            padded = f"{int(value):04d}"
            if padded in names:
                hint = f" Menade du '{padded}' ({municipality_name(padded)})?"
        raise ParameterError(
            f"{parameter} måste anges som text (kommunkod med fyra tecken, t.ex. '0114', "
            f"eller kommunnamn), men {value!r} ({type(value).__name__}) angavs.{hint}"
        )
    text = value.strip()
    if text in names:
        return text
    by_name = _ids_by_name()
    key = normalise_name(text)
    if key in by_name:
        return by_name[key]
    hint = ""
    if text.isdigit() and len(text) < 4 and text.zfill(4) in names:
        padded = text.zfill(4)  # 0114 typed (or read) without its leading zero
        hint = f" Menade du '{padded}' ({municipality_name(padded)})?"
    elif key:
        suggestions = similar_names(text, list(names.values()))
        hint = f" Menade du {sv_or(suggestions)}?" if suggestions else ""
    raise ParameterError(
        f"{parameter}: okänd kommun {value!r}. Ange en kommunkod med fyra tecken "
        f"(t.ex. '1480') eller ett kommunnamn som Kolada skriver det (t.ex. 'Göteborg').{hint}"
    )


def _plain(name: str) -> str:
    """Case and accents folded (for suggestions only: Håbo and Habo are two municipalities)."""
    decomposed = unicodedata.normalize("NFKD", normalise_name(name))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def similar_names(text: str, names: Sequence[str], *, n: int = 3) -> list[str]:
    """Names like *text*, ignoring case and accents, most similar first.

    Examples
    --------
    >>> similar_names("Goteborg", ["Gotland", "Göteborg", "Götene"])
    ['Göteborg']
    """
    import difflib

    by_plain: dict[str, list[str]] = {}
    for name in names:
        by_plain.setdefault(_plain(name), []).append(name)
    close = difflib.get_close_matches(_plain(text), list(by_plain), n=n, cutoff=0.75)
    return [name for plain in close for name in by_plain[plain]][:n]


def sv_or(names: Sequence[str]) -> str:
    """``'Göteborg'``, ``'Göteborg' eller 'Götene'`` (quoted, for "Menade du …?")."""
    quoted = [f"'{n}'" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " eller " + quoted[-1]


def resolve_municipalities(
    values: Iterable[str | int], *, parameter: str = "kommuner"
) -> list[str]:
    """Resolve several municipalities; see :func:`resolve_municipality`."""
    return [resolve_municipality(v, parameter=parameter) for v in values]


def region_of(municipality_id: str) -> str:
    """Return the region id (``00NN``) of a municipality.

    Examples
    --------
    >>> region_of("1384")  # Kungsbacka belongs to Region Halland
    '0013'
    """
    mid = resolve_municipality(municipality_id)
    if mid.startswith("00"):
        raise ParameterError(f"{mid} är en region eller riket, inte en kommun.")
    return "00" + mid[:2]


def similar_group(municipality_id: str, groups: pd.DataFrame | None) -> tuple[str, str, list[str]]:
    """Return the municipality's "Liknande kommuner äldreomsorg" group.

    Parameters
    ----------
    municipality_id
        The municipality.
    groups
        Group membership table (``group_id, title, municipality_id``) that came
        with the data set, or None.

    Returns
    -------
    tuple
        ``(group_id, title, member_ids)``; ``member_ids`` is empty when the data
        set has no members for the group.
    """
    mid = resolve_municipality(municipality_id)
    name = municipality_name(mid)
    if groups is None or groups.empty:
        gid = SIMILAR_GROUP_IDS.get(mid, "")
        return gid, f"Liknande kommuner äldreomsorg, {name}", []
    titles = groups["title"].map(lambda t: unicodedata.normalize("NFC", str(t)))
    wanted = SIMILAR_GROUP_IDS.get(mid)
    if wanted is not None and (groups["group_id"] == wanted).any():
        mask = groups["group_id"] == wanted
    else:
        mask = titles.str.startswith("Liknande kommuner äldreomsorg, " + name + ",")
    if not mask.any():
        return SIMILAR_GROUP_IDS.get(mid, ""), f"Liknande kommuner äldreomsorg, {name}", []
    sel = groups[mask]
    gid = str(sel["group_id"].iloc[0])
    sel = sel[sel["group_id"] == gid]
    return gid, str(titles[sel.index[0]]), sorted(sel["municipality_id"].astype(str))


def comparison_members(
    municipality_id: str, comparison: str, groups: pd.DataFrame | None = None
) -> list[str]:
    """Return the ids whose values make up a comparison for a municipality.

    Parameters
    ----------
    municipality_id
        The municipality being compared.
    comparison
        One of :data:`COMPARISONS`: ``gr`` (the 13), ``liknande`` (similar
        municipalities, from *groups*), ``riket`` (``["0000"]``) or ``region``
        (``["00NN"]``).
    groups
        Group membership table, needed for ``liknande``.

    Returns
    -------
    list of str
    """
    check_choice(comparison, COMPARISONS, "jämförelse")
    if comparison == "gr":
        return list(GR_MUNICIPALITIES)
    if comparison == "riket":
        return [RIKET]
    if comparison == "region":
        return [region_of(municipality_id)]
    return similar_group(municipality_id, groups)[2]
