"""The notebooks a batch can run: names, files, declared parameters, titles.

A notebook is named by the stem of a file in the project's ``notebooks/``
folder (``municipality_profile`` for ``notebooks/municipality_profile.ipynb``).
A name is never a path: ``/``, ``\\``, ``..`` and absolute paths are refused,
so a batch file can never make the runner read or write outside the project.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from fou.core.errors import ParameterError, one_of_message
from fou.core.vocabulary import assigned_names

#: What a notebook name may look like: a plain file stem.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
SUFFIX = ".ipynb"


def check_name(name: Any, *, where: str) -> str:
    """A notebook name as a plain stem (``.ipynb`` removed), or a :class:`ParameterError`."""
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"{where}: notebooknamn måste vara text, men {name!r} angavs.")
    stem = name.strip().removesuffix(SUFFIX)
    if not NAME_PATTERN.match(stem) or ".." in stem:
        raise ParameterError(
            f"{where}: {name!r} är inte ett notebooknamn. Ange bara namnet på en notebook i "
            "mappen notebooks/ (t.ex. 'municipality_profile'), utan mappar, '/', '\\' eller '..'."
        )
    return stem


def notebook_path(name: str, notebooks_dir: Path | str) -> Path:
    """``<notebooks_dir>/<name>.ipynb`` for a checked name."""
    return Path(notebooks_dir) / f"{check_name(name, where='notebook')}{SUFFIX}"


def available(notebooks_dir: Path | str) -> list[str]:
    """Names of the notebooks in *notebooks_dir*."""
    return sorted(p.stem for p in Path(notebooks_dir).glob(f"*{SUFFIX}"))


def resolve(name: Any, notebooks_dir: Path | str, *, where: str) -> str:
    """Check *name* and that the notebook exists; return the stem."""
    stem = check_name(name, where=where)
    if not notebook_path(stem, notebooks_dir).is_file():
        raise ParameterError(
            f"{where}: okänd notebook '{stem}' (finns inte i {notebooks_dir}). "
            + one_of_message("notebook", available(notebooks_dir), stem)
        )
    return stem


def parameters(path: Path | str) -> dict[str, str]:
    """The names (and default source) declared in a notebook's ``parameters`` cell.

    Parameters
    ----------
    path
        Notebook file.

    Returns
    -------
    dict
        ``{name: source of default value}``; empty if there is no tagged cell.

    Raises
    ------
    ParameterError
        The notebook cannot be read or its parameters cell is not Python.
    """
    path = Path(path)
    stat = path.stat()
    return dict(_parameters(str(path), stat.st_mtime_ns, stat.st_size))


@lru_cache(maxsize=64)
def _parameters(path: str, _mtime: int, _size: int) -> tuple[tuple[str, str], ...]:
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError) as exc:
        raise ParameterError(f"{path}: notebooken går inte att läsa ({exc}).") from None
    found: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        try:
            found.update(assigned_names(cell.source))
        except SyntaxError as exc:
            raise ParameterError(f"{path}: parametercellen går inte att tolka: {exc}") from None
    return tuple(found.items())


def title(nb: Any, fallback: str) -> str:
    """The notebook's first ``# `` heading (the report's title), else a readable *fallback*."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback.replace("_", " ").capitalize()
