"""The batch's slide decks: one GR deck per year and view, skipped when nothing changed.

A batch file's ``slides: [nara_vard, fardplan]`` asks for the key-figure deck
(:func:`fou.reports.slides.build_deck`) grouped by each view, for every year
the batch runs. A deck is remade only when its inputs changed: next to each
deck a hidden file ``.<deck>.inputs`` holds the hash of the data snapshot, the
local submissions, the view, the year and the package's code; an unchanged
deck is left as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from fou.core.atomic import write_text
from fou.core.version import code_fingerprint, package_version
from fou.data.dataset import Dataset

__all__ = ["DeckResult", "deck_inputs", "make_decks"]


@dataclass(frozen=True)
class DeckResult:
    """One deck of the batch.

    Attributes
    ----------
    year, view
        What it shows.
    path
        The ``.pptx`` file.
    made
        True when it was (re)made, False when it was unchanged.
    """

    year: int
    view: str
    path: Path
    made: bool


def deck_inputs(dataset: Dataset, *, year: int, view: str) -> str:
    """sha256 of what a deck is computed from: data, view, year and code."""
    h = hashlib.sha256()
    prov = dataset.provenance
    for part in (prov.snapshot_id, ",".join(prov.local_files), view, str(year),
                 package_version(), code_fingerprint()):  # fmt: skip
        h.update(part.encode())
        h.update(b"\0")
    return h.hexdigest()


def _sidecar(path: Path) -> Path:
    return path.with_name(f".{path.name}.inputs")


def make_decks(
    dataset: Dataset,
    *,
    years: Iterable[int],
    views: Sequence[str],
    root: Path | None = None,
    force: bool = False,
) -> list[DeckResult]:
    """Make the GR deck for each year and view, unless it is there and unchanged.

    Parameters
    ----------
    dataset
        The data set the batch runs on.
    years
        The batch's years.
    views
        Catalogue views (checked names, e.g. from :class:`~fou.batch.spec.Batch`).
    root
        Project root (None: the current project).
    force
        Remake every deck.

    Returns
    -------
    list of DeckResult
    """
    from fou.reports.slides import build_deck, default_output

    out = []
    for year in sorted(set(years)):
        for view in views:
            path = default_output(year, root=root, view=view)
            key = deck_inputs(dataset, year=year, view=view)
            side = _sidecar(path)
            fresh = (
                not force
                and path.exists()
                and side.exists()
                and side.read_text(encoding="utf-8").strip() == key
            )
            if not fresh:
                build_deck(dataset, year=year, view=view, output=path)
                write_text(side, key + "\n")
            out.append(DeckResult(year, view, path, made=not fresh))
    return out
