"""The manifest ``outputs/manifest.json``: every job's inputs, outcome and files.

One :class:`Entry` per job. The input hash covers what a report depends on
(notebook source, parameters, data snapshot, package version), so an
unchanged job is skipped on the next run. The manifest is the only place a
job becomes JSON; everywhere else it is a :class:`~fou.batch.plan.Job` and an
:class:`Entry`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fou.batch.plan import Job
from fou.core.atomic import write_text
from fou.core.version import code_fingerprint, package_version
from fou.core.vocabulary import FAILED_STATUSES, FOLLOWUP_NOTEBOOK, STATUSES

if TYPE_CHECKING:
    import pandas as pd

MANIFEST_NAME = "manifest.json"


def _rows_digest(rows: pd.DataFrame) -> str:
    """sha256 of a values table's rows, independent of their order."""
    if rows.empty:
        return "none"
    cols = ["kpi", "municipality_id", "year", "gender", "value", "count", "source"]
    ordered = rows[cols].sort_values([*cols[:4], "source"], kind="stable").astype(str)
    return hashlib.sha256(ordered.to_csv(index=False).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LocalInputs:
    """What of the accepted local submissions each job reads, as digests.

    A municipality's values of a catalogue key figure enter every report: the
    GR mean, the position among the 13 and the national distributions. Its own
    key figures (ids outside the catalogue, such as ``L`` ids) appear only in
    that municipality's reports, the regional report and the follow-up
    reports (a profile may list them). So a change to one municipality's own
    key figures reruns only those jobs, and a change to a catalogue key figure
    reruns every job. (A submitted year after the data's last one moves the
    year ``latest`` plans, and so makes new jobs; only the regional and the
    follow-up reports read the data set's list of years, and they read all
    local rows.)

    Attributes
    ----------
    common
        Digest of the catalogue key figures' rows.
    own
        Digest of each municipality's rows of other ids, by municipality id.
    everything
        Digest of all local rows.
    """

    common: str = "none"
    own: Mapping[str, str] = field(default_factory=dict)
    everything: str = "none"

    @classmethod
    def from_values(cls, local: pd.DataFrame | None, catalogue_ids: Iterable[str]) -> LocalInputs:
        """Digests of *local* (:func:`fou.data.submissions.load_accepted`; None: no submissions)."""
        if local is None or local.empty:
            return cls()
        in_catalogue = local["kpi"].isin(set(catalogue_ids))
        others = local[~in_catalogue]
        return cls(
            common=_rows_digest(local[in_catalogue]),
            own={str(m): _rows_digest(g) for m, g in others.groupby("municipality_id")},
            everything=_rows_digest(local),
        )

    def for_job(self, job: Job) -> str:
        """The digest of the local rows *job* reads."""
        if job.municipality_id is None or job.notebook == FOLLOWUP_NOTEBOOK:
            return self.everything
        return self.common + ":" + self.own.get(job.municipality_id, "none")


def input_hash(job: Job, local: LocalInputs | None = None) -> str:
    """sha256 of notebook source + parameters + data snapshot + package version and code.

    Parameters
    ----------
    job
        The job.
    local
        The local submissions' digests (:class:`LocalInputs`); then only the
        submitted rows the job reads count. None: the names of the accepted
        files count (any change of them reruns every job).
    """
    h = hashlib.sha256()
    h.update(job.notebook_path.read_bytes())
    h.update(json.dumps(job.parameters, sort_keys=True, default=str).encode())
    h.update(job.provenance.snapshot_id.encode())
    if local is None:
        h.update(",".join(job.provenance.local_files).encode())
    else:
        h.update(local.for_job(job).encode())
    h.update(package_version().encode())
    h.update(code_fingerprint().encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Entry:
    """One job in the manifest.

    Attributes
    ----------
    id, notebook, municipality_id, year
        What the job is (see :class:`~fou.batch.plan.Job`).
    parameters
        The notebook parameters it ran with.
    input_hash
        :func:`input_hash` of the job.
    snapshot_id, source_line, is_demo
        The data the report was computed from.
    status
        One of :data:`fou.core.vocabulary.STATUSES`.
    duration_s
        Seconds the job took (0 when skipped).
    outputs
        Files written, relative to ``outputs/``.
    error
        Why it failed (Swedish), or None.
    finished_at
        ISO time the job finished.
    """

    id: str
    notebook: str
    municipality_id: str | None
    year: int
    parameters: Mapping[str, Any] = field(default_factory=dict)
    input_hash: str = ""
    snapshot_id: str = ""
    source_line: str = ""
    is_demo: bool = False
    status: str = "failed"
    duration_s: float = 0.0
    outputs: tuple[str, ...] = ()
    error: str | None = None
    finished_at: str | None = None

    @property
    def failed(self) -> bool:
        """True when the job did not produce its report."""
        return self.status in FAILED_STATUSES

    def to_json(self) -> dict[str, Any]:
        """The entry as written to ``manifest.json``."""
        d = asdict(self)
        d["parameters"] = dict(self.parameters)
        d["outputs"] = list(self.outputs)
        return d

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> Entry | None:
        """An entry read back (None for a record that is not one)."""
        try:
            known = {k: d[k] for k in cls.__dataclass_fields__ if k in d}
            known["outputs"] = tuple(known.get("outputs") or ())
            known["year"] = int(known["year"])
            if known.get("status") not in STATUSES:
                known["status"] = "failed"
            return cls(**known)
        except (KeyError, TypeError, ValueError):
            return None

    @classmethod
    def planned(cls, job: Job, *, input_hash: str) -> Entry:
        """The entry of a job before it runs."""
        return cls(
            id=job.id,
            notebook=job.notebook,
            municipality_id=job.municipality_id,
            year=job.year,
            parameters=job.parameters,
            input_hash=input_hash,
            snapshot_id=job.provenance.snapshot_id,
            source_line=job.provenance.source_line(),
            is_demo=job.provenance.is_demo,
        )

    def with_result(self, **changes: Any) -> Entry:
        """A copy with the outcome filled in."""
        return replace(self, **changes)


@dataclass(frozen=True)
class Manifest:
    """The manifest: the provenance of the last run and every job ever recorded."""

    entries: tuple[Entry, ...] = ()
    provenance: Mapping[str, Any] = field(default_factory=dict)
    source_line: str = ""
    updated_at: str = ""
    fou_version: str = ""

    def by_id(self) -> dict[str, Entry]:
        """Entries by job id."""
        return {e.id: e for e in self.entries}

    def merged(self, entries: Iterable[Entry], **fields: Any) -> Manifest:
        """This manifest with *entries* replacing those with the same ids (sorted by id)."""
        merged = {**self.by_id(), **{e.id: e for e in entries}}
        return replace(self, entries=tuple(merged[k] for k in sorted(merged)), **fields)

    def to_json(self) -> dict[str, Any]:
        """The manifest as written to disk."""
        return {
            "fou_version": self.fou_version,
            "updated_at": self.updated_at,
            "provenance": dict(self.provenance),
            "source_line": self.source_line,
            "jobs": [e.to_json() for e in self.entries],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Manifest:
        """A manifest read back (records that are not entries are dropped)."""
        entries = [Entry.from_json(d) for d in data.get("jobs") or [] if isinstance(d, Mapping)]
        return cls(
            entries=tuple(e for e in entries if e is not None),
            provenance=dict(data.get("provenance") or {}),
            source_line=str(data.get("source_line") or ""),
            updated_at=str(data.get("updated_at") or ""),
            fou_version=str(data.get("fou_version") or ""),
        )


def read_manifest(outputs: Path) -> Manifest:
    """Read ``outputs/manifest.json`` (an empty manifest if it is missing or unreadable)."""
    path = outputs / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Manifest()
    return Manifest.from_json(data) if isinstance(data, dict) else Manifest()


def load_manifest(outputs: Path) -> tuple[Manifest, str | None]:
    """Read the manifest for a run; an unreadable one is kept aside, never overwritten.

    Returns
    -------
    tuple of (Manifest, str or None)
        The manifest (empty when missing or unreadable) and, when it could not
        be read, a Swedish message saying what was found and where the file was
        moved (``manifest.json.oläslig-<tid>``), so nothing is lost.
    """
    path = outputs / MANIFEST_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Manifest(), None
    except (OSError, UnicodeDecodeError) as exc:
        why = f"kunde inte läsas ({exc.__class__.__name__})"
    else:
        try:
            data = json.loads(text)
        except ValueError as exc:
            why = f"är inte giltig JSON ({exc})"
        else:
            if isinstance(data, dict):
                return Manifest.from_json(data), None
            why = "har inte manifestets form"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    kept = path.with_name(f"{MANIFEST_NAME}.oläslig-{stamp}")
    try:
        path.rename(kept)
    except OSError as exc:
        return Manifest(), (
            f"{path} {why} och kunde inte flyttas undan ({exc}); alla jobb körs och en ny skrivs."
        )
    return Manifest(), (
        f"{path} {why}. Den sparades som {kept.name}; alla jobb körs och ett nytt manifest skrivs."
    )


def write_manifest(outputs: Path, manifest: Manifest) -> Path:
    """Write the manifest atomically."""
    text = json.dumps(manifest.to_json(), ensure_ascii=False, indent=2) + "\n"
    return write_text(outputs / MANIFEST_NAME, text)
