"""Planning: a batch and the data set in use → one typed :class:`Job` per report.

A job carries everything its report depends on, decided here once: the
notebook, the municipality, the year, the comparison, the data set's
provenance and where the outputs go. The notebook parameters papermill
receives (``kommun``, ``ar``, ``jamforelse``, ``datakalla``) are derived from
those fields, never given separately, so the year and the data source cannot
travel on two channels.

Every parameter name must be a Python identifier that the notebook declares in
its ``parameters`` cell (papermill writes names into code unescaped), and
notebook names and municipalities are checked the same way whether they come
from a batch file or through the Python API.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from fou.batch import notebooks as nbs
from fou.batch.spec import Batch
from fou.core import registry
from fou.core.catalog import DEFAULT_VIEW
from fou.core.errors import ParameterError, one_of_message
from fou.core.groups import load_groups
from fou.core.profiles import load_profile
from fou.core.vocabulary import (
    COMPARISON,
    COMPARISON_MARK,
    COMPARISONS,
    DATA_SOURCE,
    DEFAULT_COMPARISON,
    FOLLOWUP_NOTEBOOK,
    MUNICIPALITY,
    PROFILE,
    RESERVED_PARAMETERS,
    VIEW,
    YEAR,
)
from fou.data.provenance import Provenance

if TYPE_CHECKING:
    from fou.data.dataset import Dataset

#: Output folder of jobs without a municipality (the regional report).
REGIONAL_UNIT = "gr"
_MUNICIPALITY_ID = re.compile(r"^\d{4}$")


@dataclass(frozen=True)
class Outputs:
    """Where a job's files go, relative to ``outputs/``."""

    folder: PurePosixPath
    stem: str

    def file(self, suffix: str) -> PurePosixPath:
        """``<folder>/<stem><suffix>``, e.g. ``.ipynb``, ``.html``, ``.pdf``, ``.failed.ipynb``."""
        return self.folder / f"{self.stem}{suffix}"

    @property
    def ipynb(self) -> PurePosixPath:
        """The executed notebook."""
        return self.file(".ipynb")

    @property
    def html(self) -> PurePosixPath:
        """The reviewer HTML."""
        return self.file(".html")

    @property
    def pdf(self) -> PurePosixPath:
        """The PDF."""
        return self.file(".pdf")

    @property
    def failed(self) -> PurePosixPath:
        """The executed notebook of a failed run, kept for inspection."""
        return self.file(".failed.ipynb")


@dataclass(frozen=True)
class Job:
    """One report to make: a notebook for a municipality (or the region) and a year.

    Attributes
    ----------
    notebook
        Notebook name (the stem of a file in ``notebooks/``).
    notebook_path
        The notebook file.
    municipality_id
        Municipality id, or None for a regional notebook.
    year
        The year the report is about.
    comparison
        What the municipality is compared with (``jamforelse``).
    provenance
        The data set the report is computed from.
    declared
        The parameters the notebook declares.
    extra
        Other notebook parameters (declared by the notebook).
    """

    notebook: str
    notebook_path: Path
    municipality_id: str | None
    year: int
    comparison: str
    provenance: Provenance
    declared: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def unit(self) -> str:
        """Output folder name: the municipality id, or ``gr`` for regional jobs."""
        return self.municipality_id or REGIONAL_UNIT

    @property
    def stem(self) -> str:
        """The report's file name: the notebook, then its view and comparison when not the default.

        A batch that groups the key figures by another view (``parameters:
        {vy: fardplan}``) writes its reports beside the default ones, not over
        them, and so does a batch with another comparison (``--comparison
        liknande``): ``<notebook>[_<vy>][_jfr_<jamforelse>]``. A notebook that
        does not declare ``jamforelse`` makes the same report whatever the
        comparison, so its name has none. A follow-up report is named after its
        profile (``uppfoljning_<profil>``), which chooses its comparison.

        Examples
        --------
        >>> from pathlib import Path
        >>> from fou.data.provenance import Provenance
        >>> job = Job("municipality_profile", Path("x.ipynb"), "1480", 2025, "liknande",
        ...           Provenance("demo", "demo", "2026-01-01"), declared=("jamforelse",),
        ...           extra={"vy": "fardplan"})
        >>> job.stem
        'municipality_profile_fardplan_jfr_liknande'
        """
        if self.extra.get(PROFILE):
            return f"{self.notebook}_{self.extra[PROFILE]}"
        stem = self.notebook
        view = self.extra.get(VIEW)
        if view not in (None, "", DEFAULT_VIEW):
            stem += f"_{view}"
        if COMPARISON in self.declared and self.comparison != DEFAULT_COMPARISON:
            stem += f"{COMPARISON_MARK}{self.comparison}"
        return stem

    @property
    def id(self) -> str:
        """Stable job id ``<year>/<municipality or gr>/<stem>``."""
        return f"{self.year}/{self.unit}/{self.stem}"

    @property
    def outputs(self) -> Outputs:
        """Where the job's files go (relative to ``outputs/``)."""
        return Outputs(PurePosixPath(str(self.year), self.unit), self.stem)

    @property
    def source(self) -> str:
        """The data source the notebook reads (``kolada`` or ``demo``)."""
        return self.provenance.source

    @property
    def parameters(self) -> dict[str, Any]:
        """What papermill injects: the job's fields under the notebook's parameter names."""
        fields: dict[str, Any] = {
            MUNICIPALITY: self.municipality_id,
            YEAR: self.year,
            COMPARISON: self.comparison,
            DATA_SOURCE: self.source,
        }
        out = {k: v for k, v in fields.items() if k in self.declared and v is not None}
        out.update(self.extra)
        return out


def check_parameter_names(
    params: Mapping[str, Any], declared: Iterable[str], *, where: str
) -> None:
    """Refuse names that are not identifiers or that the notebook does not declare."""
    declared = list(declared)
    for name in params:
        if not isinstance(name, str) or not name.isidentifier():
            raise ParameterError(
                f"{where}: {name!r} är inte ett parameternamn (bokstäver, siffror och _)."
            )
    unknown = [k for k in params if k not in declared]
    if unknown:
        raise ParameterError(
            f"{where}: okänd parameter {', '.join(repr(u) for u in unknown)}; notebookens "
            f"parametercell deklarerar {', '.join(repr(d) for d in declared) or 'inga parametrar'}."
        )


def check_job(job: Job) -> Job:
    """Check a job made through the Python API as planning checks its own.

    Raises
    ------
    ParameterError
        A notebook name that is a path, a municipality id that is not a
        municipality, a year that is not a year, or parameter names that are
        not identifiers declared by the notebook (including the reserved
        ``kommun``, ``ar`` and ``datakalla`` given as extras).
    """
    nbs.check_name(job.notebook, where="Job.notebook")
    if job.municipality_id is not None:
        if not isinstance(job.municipality_id, str) or not _MUNICIPALITY_ID.match(
            job.municipality_id
        ):
            raise ParameterError(
                f"Job.municipality_id: {job.municipality_id!r} är ingen kommunkod "
                "(fyra siffror som text, t.ex. '1480')."
            )
        registry.resolve_municipality(job.municipality_id, parameter="Job.municipality_id")
    if isinstance(job.year, bool) or not isinstance(job.year, int):
        raise ParameterError(f"Job.year måste vara ett årtal (heltal), men {job.year!r} angavs.")
    reserved = [k for k in job.extra if k in RESERVED_PARAMETERS or k == COMPARISON]
    if reserved:
        raise ParameterError(
            f"Job.extra: {', '.join(map(repr, reserved))} bestäms av jobbets egna fält "
            "(municipality_id, year, comparison, provenance)."
        )
    declared = job.declared or tuple(nbs.parameters(job.notebook_path))
    check_parameter_names(job.extra, declared, where=job.notebook_path.name)
    return job


def _years(batch: Batch, available: list[int], years: Sequence[Any] | None) -> list[int]:
    def check(ys: Iterable[Any], where: str) -> list[int]:
        out = []
        for y in ys:
            try:
                yi = int(y)
            except (TypeError, ValueError):
                raise ParameterError(f"{where}: {y!r} är inte ett årtal.") from None
            if yi not in available:
                raise ParameterError(
                    f"{where}: året {yi} finns inte i datamängden (tillgängliga år: "
                    f"{available[0]}–{available[-1]})."
                )
            out.append(yi)
        return sorted(set(out))

    if years:
        return check(years, "--year")
    return check(batch.years, f"{batch.path}: nyckeln 'years'")


def plan_jobs(
    batch: Batch,
    *,
    dataset: Dataset,
    municipalities: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    notebooks: Sequence[str] | None = None,
) -> list[Job]:
    """Expand a batch into jobs, validating parameters against each notebook.

    Parameters
    ----------
    batch
        From :func:`fou.batch.spec.load_batch`.
    dataset
        The data set the reports are computed from: its years (``"latest"``
        resolves to the last year with values) and its provenance.
    municipalities
        Only these municipalities (ids or names). Regional notebooks are then
        left out unless named in *notebooks*.
    years
        Only these years (must be in the data).
    notebooks
        Only these notebooks (from the batch's ``notebooks`` or ``regional``).

    Returns
    -------
    list of Job
    """
    available = sorted(dataset.years)
    if not available:
        raise ParameterError("Datamängden innehåller inga år.")
    # "latest" is the year the notebooks' own default (ar=None) would pick.
    run_years = (
        [dataset.latest_year()]
        if batch.years == "latest" and not years
        else (_years(batch, available, years))
    )

    mids = list(batch.municipalities)
    if municipalities:
        mids = list(
            dict.fromkeys(
                registry.resolve_municipality(m, parameter="--municipality") for m in municipalities
            )
        )
        regions = [m for m in mids if m.startswith("00")]
        if regions:
            raise ParameterError(
                f"--municipality: {', '.join(regions)} är en region eller riket, inte en kommun."
            )

    nb_names, reg_names = list(batch.notebooks), list(batch.regional)
    if notebooks:
        wanted = [nbs.check_name(n, where="--notebook") for n in notebooks]
        known = nb_names + reg_names + ([FOLLOWUP_NOTEBOOK] if batch.profiles else [])
        for n in wanted:
            if n not in known:
                raise ParameterError(one_of_message("--notebook", known, n))
        nb_names = [n for n in nb_names if n in wanted]
        reg_names = [n for n in reg_names if n in wanted]
    elif municipalities:
        reg_names = []

    params = dict(batch.parameters)
    comparison = str(params.pop(COMPARISON, DEFAULT_COMPARISON))
    if comparison not in COMPARISONS:
        from fou.reports.parameters import check_comparison

        try:
            check_comparison(comparison, own=load_groups(batch.path.parent))
        except ParameterError as exc:
            raise ParameterError(f"{batch.path}: nyckeln 'parameters': {exc}") from None

    # the follow-up reports run with the batch, unless --notebook leaves them out; with
    # --municipality only the profiles of those municipalities
    profiles = list(batch.profiles)
    if notebooks and FOLLOWUP_NOTEBOOK not in notebooks:
        profiles = []
    if municipalities:
        chosen = {registry.resolve_municipality(m) for m in municipalities}
        profiles = [
            p for p in profiles if load_profile(p, batch.path.parent).municipality_id in chosen
        ]
    profile_nb = [FOLLOWUP_NOTEBOOK] if profiles else []
    declared_by = {
        name: tuple(nbs.parameters(nbs.notebook_path(name, batch.notebooks_dir)))
        for name in dict.fromkeys(nb_names + reg_names + profile_nb)
    }
    # A parameter no notebook of the batch declares is a typo, not an option.
    every = {p for names in declared_by.values() for p in names}
    check_parameter_names(params, sorted(every), where=f"{batch.path}: nyckeln 'parameters'")

    def make(name: str, mid: str | None, year: int) -> Job:
        path = nbs.notebook_path(name, batch.notebooks_dir)
        declared = declared_by[name]
        if mid is not None and MUNICIPALITY not in declared:
            raise ParameterError(
                f"{path.name}: notebooken saknar parametern '{MUNICIPALITY}' och kan inte köras "
                "per kommun; lägg den under 'regional' i batchfilen."
            )
        extra = {k: v for k, v in params.items() if k in declared}
        return check_job(
            Job(
                notebook=name,
                notebook_path=path,
                municipality_id=mid,
                year=int(year),
                comparison=comparison,
                provenance=dataset.provenance,
                declared=declared,
                extra=extra,
            )
        )

    def follow_up(name: str, year: int) -> Job:
        prof = load_profile(name, batch.path.parent)
        path = nbs.notebook_path(FOLLOWUP_NOTEBOOK, batch.notebooks_dir)
        return check_job(
            Job(
                notebook=FOLLOWUP_NOTEBOOK,
                notebook_path=path,
                municipality_id=prof.municipality_id,
                year=int(year),
                comparison=prof.comparison,
                provenance=dataset.provenance,
                declared=declared_by[FOLLOWUP_NOTEBOOK],
                extra={PROFILE: name},
            )
        )

    jobs: list[Job] = []
    for year in run_years:
        for name in reg_names:
            jobs.append(make(name, None, year))
        for mid in mids:
            for name in nb_names:
                jobs.append(make(name, mid, year))
        for name in profiles:
            jobs.append(follow_up(name, year))
    return jobs
