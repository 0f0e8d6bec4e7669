"""Batch files: which notebooks to run for which municipalities and years.

A batch file (``parameters/gr.yaml``)::

    notebooks: [municipality_profile, data_quality]
    municipalities: gr          # riket (all 290), or a list of ids/names ('0114' quoted!)
    years: latest               # or a list of years
    regional: [regional_report] # notebooks without a municipality
    parameters: {jamforelse: gr}  # optional: other notebook parameters
    slides: [nara_vard, fardplan] # optional: one GR deck per year and view
    profiles: all                 # optional: the follow-up report of each profile (or a list)

:func:`load_batch` validates it; every problem is a Swedish
:class:`~fou.core.errors.ParameterError` naming the file, the line and the key.
``kommun``, ``ar`` and ``datakalla`` are set by the runner from the job and
may not be given under ``parameters``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fou.batch import notebooks as nbs
from fou.core.errors import ParameterError, one_of_message
from fou.core.paths import paths
from fou.core.registry import GR_MUNICIPALITIES, municipality_ids, resolve_municipality
from fou.core.vocabulary import RESERVED_PARAMETERS, VIEW
from fou.core.yamlfile import YamlFile, child, quoting_hint, read_yaml, unquoted_ids

#: Keys a batch file may contain.
BATCH_KEYS: tuple[str, ...] = (
    "notebooks", "municipalities", "years", "regional", "parameters", "slides", "profiles",
)  # fmt: skip
LATEST = "latest"


@dataclass(frozen=True)
class Batch:
    """A validated batch description.

    Attributes
    ----------
    path
        The YAML file it came from.
    notebooks
        Per-municipality notebooks (names without ``.ipynb``).
    municipalities
        Municipality ids (four-character strings).
    years
        ``"latest"`` or a tuple of years.
    regional
        Notebooks run once per year without a municipality.
    parameters
        Other notebook parameters (``jamforelse`` and any a notebook declares).
    notebooks_dir
        Where the notebooks are.
    slides
        Views of the catalogue to make a GR slide deck for, per year
        (``nara_vard``, ``fardplan``); empty for none.
    profiles
        Follow-up profiles (``parameters/profiles/<name>.yaml``) to run the
        ``uppfoljning`` notebook for, once per profile and year.
    """

    path: Path
    notebooks: tuple[str, ...]
    municipalities: tuple[str, ...]
    years: str | tuple[int, ...]
    regional: tuple[str, ...] = ()
    parameters: Mapping[str, Any] = field(default_factory=dict)
    notebooks_dir: Path = Path("notebooks")
    slides: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()


def _where(doc: YamlFile, key: str) -> str:
    line = doc.line_of(key)
    return f"{doc.path}" + (f", rad {line}" if line else "") + f": nyckeln '{key}'"


def _names(doc: YamlFile, key: str, nb_dir: Path, *, required: bool) -> tuple[str, ...]:
    raw = doc.data.get(key)
    where = _where(doc, key)
    if raw is None:
        if required:
            raise ParameterError(f"{where}: saknas; ange en lista med notebooknamn (utan .ipynb).")
        return ()
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise ParameterError(f"{where}: måste vara en lista med notebooknamn, men {raw!r} angavs.")
    return tuple(dict.fromkeys(nbs.resolve(n, nb_dir, where=where) for n in raw))


def _municipalities(doc: YamlFile, has_notebooks: bool) -> tuple[str, ...]:
    key = "municipalities"
    where = _where(doc, key)
    for text, line in unquoted_ids(child(doc.node, key)):
        raise ParameterError(f"{doc.path}, rad {line}: nyckeln '{key}': {quoting_hint(text)}")
    raw = doc.data.get(key, "gr" if has_notebooks else [])
    if isinstance(raw, str) and raw.strip().lower() == "gr":
        return tuple(GR_MUNICIPALITIES)
    if isinstance(raw, str) and raw.strip().lower() == "riket":
        return tuple(municipality_ids(kind="K"))  # all 290 municipalities
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        raise ParameterError(
            f"{where}: måste vara 'gr', 'riket' eller en lista med kommunkoder/namn, men {raw!r} "
            "angavs."
        )
    try:
        mids = tuple(dict.fromkeys(resolve_municipality(m, parameter=key) for m in raw))
    except ParameterError as exc:
        raise ParameterError(f"{where}: {exc}") from None
    if has_notebooks and not mids:
        raise ParameterError(f"{where}: inga kommuner angavs.")
    return mids


def _years(doc: YamlFile) -> str | tuple[int, ...]:
    raw = doc.data.get("years", LATEST)
    if isinstance(raw, str) and raw.strip().lower() == LATEST:
        return LATEST
    if isinstance(raw, int) and not isinstance(raw, bool):
        raw = [raw]
    if (
        not isinstance(raw, list)
        or not raw
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in raw)
    ):
        raise ParameterError(
            f"{_where(doc, 'years')}: måste vara 'latest' eller en lista med årtal, "
            f"men {raw!r} angavs."
        )
    return tuple(sorted(set(raw)))


def _parameters(doc: YamlFile) -> dict[str, Any]:
    params = doc.data.get("parameters") or {}
    where = _where(doc, "parameters")
    if not isinstance(params, dict):
        raise ParameterError(f"{where}: måste vara en mappning namn: värde, men {params!r} angavs.")
    for name in params:
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(
                f"{where}: {name!r} är inte ett parameternamn (bokstäver, siffror och _, "
                "t.ex. 'jamforelse')."
            )
        if name in RESERVED_PARAMETERS:
            raise ParameterError(
                f"{where}: '{name}' sätts av körningen för varje jobb (kommun och år från "
                "'municipalities'/'years', datakällan från --source); ta bort den här."
            )
    if VIEW in params:
        from fou.core.catalog import load_catalog

        try:
            params[VIEW] = load_catalog().with_view(str(params[VIEW])).view
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc}") from None
    return dict(params)


def _profiles(doc: YamlFile) -> tuple[str, ...]:
    from fou.core.profiles import list_profiles, load_profile

    raw = doc.data.get("profiles")
    if raw is None:
        return ()
    where = _where(doc, "profiles")
    parameters_dir = doc.path.parent
    known = list_profiles(parameters_dir)
    if raw == "all":
        names = known
    elif isinstance(raw, list) and all(isinstance(n, str) for n in raw):
        names = list(dict.fromkeys(raw))
    else:
        raise ParameterError(
            f"{where}: ange 'all' eller en lista med profiler ({', '.join(known) or 'inga'}), "
            f"men {raw!r} angavs."
        )
    for name in names:
        try:
            load_profile(name, parameters_dir)
        except ParameterError as exc:
            raise ParameterError(f"{where}: {exc}") from None
    return tuple(names)


def _slides(doc: YamlFile) -> tuple[str, ...]:
    from fou.core.catalog import load_catalog

    raw = doc.data.get("slides")
    if raw is None:
        return ()
    if isinstance(raw, str):
        raw = [raw]
    where = _where(doc, "slides")
    catalog = load_catalog()
    if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
        raise ParameterError(
            f"{where}: måste vara en lista med vyer ({', '.join(catalog.views)}), "
            f"men {raw!r} angavs."
        )
    try:
        return tuple(dict.fromkeys(catalog.with_view(v).view for v in raw))
    except ParameterError as exc:
        raise ParameterError(f"{where}: {exc}") from None


def load_batch(path: Path | str, *, notebooks_dir: Path | str | None = None) -> Batch:
    """Read and validate a batch YAML file.

    Parameters
    ----------
    path
        The batch file.
    notebooks_dir
        Where the notebooks are (default: the project's ``notebooks/``).

    Returns
    -------
    Batch

    Raises
    ------
    ParameterError
        Unknown or duplicate key, unknown municipality (or an id written as a
        number), unknown notebook or a notebook name that is a path, bad years,
        a reserved parameter. The message names the file, the line and the key.
    """
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else paths().notebooks
    doc = read_yaml(path, what="batchfilen")
    if not isinstance(doc.data, dict):
        raise ParameterError(
            f"{doc.path}: batchfilen måste vara en YAML-mappning med nycklarna "
            f"{', '.join(BATCH_KEYS)}."
        )
    for key in doc.data:
        if key not in BATCH_KEYS:
            line = doc.line_of(str(key))
            where = f"{doc.path}" + (f", rad {line}" if line else "")
            raise ParameterError(
                f"{where}: okänd nyckel '{key}'. " + one_of_message("nyckel", BATCH_KEYS, key)
            )
    notebooks = _names(
        doc, "notebooks", nb_dir, required="regional" not in doc.data and "profiles" not in doc.data
    )
    regional = _names(doc, "regional", nb_dir, required=False)
    return Batch(
        path=doc.path,
        notebooks=notebooks,
        municipalities=_municipalities(doc, bool(notebooks)),
        years=_years(doc),
        regional=regional,
        parameters=_parameters(doc),
        notebooks_dir=nb_dir,
        slides=_slides(doc),
        profiles=_profiles(doc),
    )
