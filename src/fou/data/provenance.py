"""Where a data set came from: the provenance every report prints, and the files of a data set.

A processed data set is a folder (``data/processed/kolada/`` or
``data/processed/demo/``) with the files named here; its
``provenance.json`` is a :class:`Provenance`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

VALUES_FILE = "values.parquet"
GROUPS_FILE = "groups.parquet"
KPIS_FILE = "kpis.parquet"
PROVENANCE_FILE = "provenance.json"


@dataclass(frozen=True)
class Provenance:
    """Where a data set came from; printed in every report.

    Attributes
    ----------
    source
        ``kolada`` or ``demo``.
    snapshot_id
        Id of the raw snapshot (or demo generator version) behind the table.
    created_at
        ISO 8601 time of the fetch (or of the demo generation).
    base_url
        Kolada API base URL used (None for demo data).
    years
        First and last year in the table.
    n_requests
        Number of HTTP requests the fetch made (None for demo data).
    local_files
        Local submissions added on top.
    based_on
        Snapshots whose values outside a narrow fetch are kept (newest
        first); empty when one snapshot holds everything.
    """

    source: str
    snapshot_id: str
    created_at: str
    base_url: str | None = None
    years: tuple[int, int] | None = None
    n_requests: int | None = None
    local_files: tuple[str, ...] = ()
    based_on: tuple[str, ...] = ()

    @property
    def is_demo(self) -> bool:
        """True for the synthetic demo data."""
        return self.source == "demo"

    @property
    def date(self) -> str:
        """Date part (YYYY-MM-DD) of :attr:`created_at`."""
        return self.created_at[:10]

    def description(self) -> str:
        """What the data are, without the word "Källa" (for a labelled field).

        Examples
        --------
        >>> Provenance("kolada", "20261123T101500Z", "2026-11-23T10:15:00+00:00").description()
        'Kolada, hämtat 2026-11-23 (ögonblicksbild 20261123T101500Z)'
        """
        if self.is_demo:
            return "Demodata (syntetiska värden, inte verkliga resultat)"
        rest = f"; övriga värden från {', '.join(self.based_on)}" if self.based_on else ""
        return f"Kolada, hämtat {self.date} (ögonblicksbild {self.snapshot_id}{rest})"

    def source_line(self) -> str:
        """One Swedish line for figure captions and slides.

        Examples
        --------
        >>> Provenance("kolada", "20261123T101500Z", "2026-11-23T10:15:00+00:00").source_line()
        'Källa: Kolada, hämtat 2026-11-23 (ögonblicksbild 20261123T101500Z)'
        >>> Provenance("demo", "demo-1", "2026-11-23T10:15:00+00:00").source_line()
        'Demodata (syntetiska värden, inte verkliga resultat)'
        """
        return self.description() if self.is_demo else f"Källa: {self.description()}"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        d = asdict(self)
        d["years"] = list(self.years) if self.years else None
        d["local_files"] = list(self.local_files)
        d["based_on"] = list(self.based_on)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Provenance:
        """Inverse of :meth:`to_dict` (unknown keys are ignored)."""
        known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
        if known.get("years"):
            known["years"] = tuple(int(y) for y in known["years"])
        known["local_files"] = tuple(known.get("local_files") or ())
        known["based_on"] = tuple(known.get("based_on") or ())
        return cls(**known)
