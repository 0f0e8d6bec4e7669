"""Batch runs: a YAML batch description → jobs → executed notebooks and reports.

A batch file (``parameters/gr.yaml``) says which notebooks to run for which
municipalities and years::

    notebooks: [municipality_profile, data_quality]
    municipalities: gr          # or a list of ids/names ('0114' quoted!)
    years: latest               # or a list of years
    regional: [regional_report] # notebooks without a municipality
    parameters: {jamforelse: gr}  # optional extra notebook parameters

:func:`load_batch` validates the file, :func:`plan_jobs` expands it into
:class:`Job` objects whose parameters are checked against each notebook's
``parameters`` cell, and :func:`run_jobs` executes them with papermill in
worker processes (or on a Dask cluster), each job in its own private working
directory, exporting HTML and PDF and recording everything in
``outputs/manifest.json``. Each worker keeps one kernel and resets it between
jobs (:mod:`fou.batch.warm_kernel`), which saves starting a kernel and importing the
scientific stack for every job. A failing, hanging or crashing job never stops the
others. Jobs whose inputs (notebook source, parameters, data snapshot, package
version) are unchanged since their last successful run are skipped.
"""

from __future__ import annotations

import ast
import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import shutil
import time
import traceback
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from fou.core.errors import FouError, ParameterError, one_of_message
from fou.core.paths import paths

#: Keys a batch file may contain.
BATCH_KEYS: tuple[str, ...] = ("notebooks", "municipalities", "years", "regional", "parameters")
#: Job states recorded in the manifest.
STATUSES: tuple[str, ...] = ("ok", "failed", "timeout", "skipped")
#: Name used instead of a municipality id for regional (no-municipality) jobs.
REGIONAL_ID = "gr"
#: Notebook parameter names the runner fills in itself.
MUNICIPALITY_PARAM, YEAR_PARAM, SOURCE_PARAM = "kommun", "ar", "datakalla"
MANIFEST_NAME = "manifest.json"
KERNEL_NAME = "fou"


# --------------------------------------------------------------------------- batch file


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
        ``"latest"`` or a list of years.
    regional
        Notebooks run once per year without a municipality.
    parameters
        Extra notebook parameters applied to every notebook that declares them.
    notebooks_dir
        Where the notebooks are.
    """

    path: Path
    notebooks: tuple[str, ...]
    municipalities: tuple[str, ...]
    years: str | tuple[int, ...]
    regional: tuple[str, ...] = ()
    parameters: dict[str, Any] = field(default_factory=dict)
    notebooks_dir: Path = Path("notebooks")


def _err(path: Path, key: str, message: str, line: int | None = None) -> ParameterError:
    where = f"{path}" + (f", rad {line}" if line else "")
    return ParameterError(f"{where}: nyckeln '{key}': {message}")


def _node_for(root_node: Any, key: str) -> Any:
    if isinstance(root_node, yaml.MappingNode):
        for k, v in root_node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return v
    return None


def _check_municipality_nodes(path: Path, node: Any) -> None:
    """Refuse unquoted numeric ids: YAML reads 0114 as octal 76 and 1480 as an int."""
    items = node.value if isinstance(node, yaml.SequenceNode) else [node]
    for item in items:
        if isinstance(item, yaml.ScalarNode) and item.tag.endswith((":int", ":float")):
            raise _err(
                path,
                "municipalities",
                f"kommunkoden {item.value} är skriven som ett tal; YAML läser då t.ex. 0114 som "
                f"{_yaml_int(item.value)}. Sätt citattecken runt koden: '{item.value}'.",
                item.start_mark.line + 1,
            )


def _yaml_int(text: str) -> str:
    try:
        return str(yaml.safe_load(text))
    except yaml.YAMLError:  # pragma: no cover - defensive
        return "ett annat tal"


def notebook_path(name: str, notebooks_dir: Path | str) -> Path:
    """Return ``<notebooks_dir>/<name>.ipynb``."""
    name = name[: -len(".ipynb")] if name.endswith(".ipynb") else name
    return Path(notebooks_dir) / f"{name}.ipynb"


def _available_notebooks(notebooks_dir: Path) -> list[str]:
    return sorted(p.stem for p in Path(notebooks_dir).glob("*.ipynb"))


def _check_notebook(name: Any, notebooks_dir: Path, *, where: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ParameterError(f"{where}: notebooknamn måste vara text, men {name!r} angavs.")
    name = name.strip().removesuffix(".ipynb")
    if not notebook_path(name, notebooks_dir).exists():
        raise ParameterError(
            f"{where}: okänd notebook '{name}' (finns inte i {notebooks_dir}). "
            + one_of_message("notebook", _available_notebooks(notebooks_dir), name)
        )
    return name


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
        Unknown key, unknown municipality (or an id written as a number),
        unknown notebook, bad years. The message names the file and the key.
    """
    from fou.core.registry import GR_MUNICIPALITIES, resolve_municipality

    path = Path(path)
    nb_dir = Path(notebooks_dir) if notebooks_dir is not None else paths().notebooks
    if not path.exists():
        raise ParameterError(f"Batchfilen {path} finns inte.")
    text = path.read_text(encoding="utf-8")
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParameterError(f"{path}: ogiltig YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: batchfilen måste vara en YAML-mappning med nycklarna {', '.join(BATCH_KEYS)}.")
    for key in data:
        if key not in BATCH_KEYS:
            raise ParameterError(f"{path}: okänd nyckel '{key}'. " + one_of_message("nyckel", BATCH_KEYS, key))

    # notebooks / regional
    def names(key: str, required: bool) -> tuple[str, ...]:
        raw = data.get(key)
        if raw is None:
            if required:
                raise _err(path, key, "saknas; ange en lista med notebooknamn (utan .ipynb).")
            return ()
        if isinstance(raw, str):
            raw = [raw]
        if not isinstance(raw, list):
            raise _err(path, key, f"måste vara en lista med notebooknamn, men {raw!r} angavs.")
        return tuple(_check_notebook(n, nb_dir, where=f"{path}: nyckeln '{key}'") for n in raw)

    notebooks = names("notebooks", required="regional" not in data)
    regional = names("regional", required=False)

    # municipalities
    raw_m = data.get("municipalities", "gr" if notebooks else [])
    m_node = _node_for(node, "municipalities")
    if m_node is not None:
        _check_municipality_nodes(path, m_node)
    if isinstance(raw_m, str) and raw_m.strip().lower() == "gr":
        mids = tuple(GR_MUNICIPALITIES)
    else:
        if isinstance(raw_m, str):
            raw_m = [raw_m]
        if not isinstance(raw_m, list):
            raise _err(path, "municipalities", f"måste vara 'gr' eller en lista med kommunkoder/namn, men {raw_m!r} angavs.")
        try:
            mids = tuple(dict.fromkeys(resolve_municipality(m, parameter="municipalities") for m in raw_m))
        except ParameterError as exc:
            raise _err(path, "municipalities", str(exc)) from None
    if notebooks and not mids:
        raise _err(path, "municipalities", "inga kommuner angavs.")

    # years
    raw_y = data.get("years", "latest")
    years: str | tuple[int, ...]
    if isinstance(raw_y, str) and raw_y.strip().lower() == "latest":
        years = "latest"
    else:
        if isinstance(raw_y, int) and not isinstance(raw_y, bool):
            raw_y = [raw_y]
        if not isinstance(raw_y, list) or not raw_y or not all(
            isinstance(y, int) and not isinstance(y, bool) for y in raw_y
        ):
            raise _err(path, "years", f"måste vara 'latest' eller en lista med årtal, men {raw_y!r} angavs.")
        years = tuple(sorted(set(raw_y)))

    params = data.get("parameters") or {}
    if not isinstance(params, dict):
        raise _err(path, "parameters", f"måste vara en mappning namn: värde, men {params!r} angavs.")
    for reserved in (MUNICIPALITY_PARAM, YEAR_PARAM):
        if reserved in params:
            raise _err(path, "parameters", f"'{reserved}' sätts av körningen; använd 'municipalities'/'years'.")
    return Batch(
        path=path,
        notebooks=notebooks,
        municipalities=mids,
        years=years,
        regional=regional,
        parameters=dict(params),
        notebooks_dir=nb_dir,
    )


# --------------------------------------------------------------------------- notebook parameters


def notebook_parameters(path: Path | str) -> dict[str, str]:
    """Return the names (and default source) declared in a notebook's ``parameters`` cell.

    Parameters
    ----------
    path
        Notebook file.

    Returns
    -------
    dict
        ``{name: source of default value}``; empty if there is no tagged cell.
    """
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    found: dict[str, str] = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or "parameters" not in cell.get("metadata", {}).get("tags", []):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError as exc:
            raise ParameterError(f"{path}: parametercellen går inte att tolka: {exc}") from None
        for stmt in tree.body:
            targets: list[ast.expr] = []
            value = None
            if isinstance(stmt, ast.Assign):
                targets, value = stmt.targets, stmt.value
            elif isinstance(stmt, ast.AnnAssign):
                targets, value = [stmt.target], stmt.value
            for t in targets:
                if isinstance(t, ast.Name):
                    found[t.id] = ast.unparse(value) if value is not None else ""
    return found


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class Job:
    """One notebook run.

    Attributes
    ----------
    notebook
        Notebook name (without ``.ipynb``).
    notebook_path
        The notebook file.
    municipality_id
        Municipality id, or None for a regional notebook.
    year
        Year of the report.
    parameters
        Parameters passed to papermill (Python values; ids as strings).
    """

    notebook: str
    notebook_path: Path
    municipality_id: str | None
    year: int
    parameters: dict[str, Any]

    @property
    def unit(self) -> str:
        """Output folder name: municipality id or ``gr`` for regional jobs."""
        return self.municipality_id or REGIONAL_ID

    @property
    def id(self) -> str:
        """Stable job id ``<year>/<municipality or gr>/<notebook>``."""
        return f"{self.year}/{self.unit}/{self.notebook}"

    def output_dir(self, outputs: Path) -> Path:
        """``outputs/<year>/<municipality or gr>``."""
        return outputs / str(self.year) / self.unit


def _validate_params(nb_path: Path, params: dict[str, Any], declared: dict[str, str]) -> None:
    unknown = [k for k in params if k not in declared]
    if unknown:
        raise ParameterError(
            f"{nb_path.name}: okänd parameter {', '.join(repr(u) for u in unknown)}; notebookens "
            f"parametercell deklarerar {', '.join(repr(d) for d in declared) or 'inga parametrar'}."
        )


def plan_jobs(
    batch: Batch,
    *,
    dataset_years: Iterable[int],
    municipalities: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    notebooks: Sequence[str] | None = None,
    source: str | None = None,
) -> list[Job]:
    """Expand a batch into jobs, validating parameters against each notebook.

    Parameters
    ----------
    batch
        From :func:`load_batch`.
    dataset_years
        Years in the data set (``"latest"`` resolves to the last).
    municipalities
        Only these municipalities (ids or names). Regional notebooks are then
        left out unless named in *notebooks*.
    years
        Only these years (must be in the data).
    notebooks
        Only these notebooks (from the batch's ``notebooks`` or ``regional``).
    source
        Data source passed as ``datakalla`` to notebooks that declare it.

    Returns
    -------
    list of Job
    """
    from fou.core.registry import resolve_municipality

    available = sorted({int(y) for y in dataset_years})
    if not available:
        raise ParameterError("Datamängden innehåller inga år.")

    def check_years(ys: Iterable[Any], where: str) -> list[int]:
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
        run_years = check_years(years, "--year")
    elif batch.years == "latest":
        run_years = [available[-1]]
    else:
        run_years = check_years(batch.years, f"{batch.path}: nyckeln 'years'")

    mids = list(batch.municipalities)
    if municipalities:
        mids = list(dict.fromkeys(resolve_municipality(m, parameter="--municipality") for m in municipalities))

    nb_names = list(batch.notebooks)
    reg_names = list(batch.regional)
    if notebooks:
        wanted = [n.removesuffix(".ipynb") for n in notebooks]
        known = nb_names + reg_names
        for n in wanted:
            if n not in known:
                raise ParameterError(one_of_message("--notebook", known, n))
        nb_names = [n for n in nb_names if n in wanted]
        reg_names = [n for n in reg_names if n in wanted]
    elif municipalities:
        reg_names = []

    jobs: list[Job] = []
    declared_cache: dict[str, dict[str, str]] = {}

    def make(name: str, mid: str | None, year: int) -> Job:
        path = notebook_path(name, batch.notebooks_dir)
        if name not in declared_cache:
            declared_cache[name] = notebook_parameters(path)
        declared = declared_cache[name]
        params: dict[str, Any] = {}
        if mid is not None:
            if MUNICIPALITY_PARAM not in declared:
                raise ParameterError(
                    f"{path.name}: notebooken saknar parametern '{MUNICIPALITY_PARAM}' och kan inte köras "
                    "per kommun; lägg den under 'regional' i batchfilen."
                )
            params[MUNICIPALITY_PARAM] = str(mid)
        if YEAR_PARAM in declared:
            params[YEAR_PARAM] = int(year)
        if source is not None and SOURCE_PARAM in declared:
            params[SOURCE_PARAM] = source
        extra = dict(batch.parameters)
        _validate_params(path, extra, declared)
        params.update(extra)
        return Job(notebook=name, notebook_path=path, municipality_id=mid, year=int(year), parameters=params)

    for year in run_years:
        for name in reg_names:
            jobs.append(make(name, None, year))
        for mid in mids:
            for name in nb_names:
                jobs.append(make(name, mid, year))
    return jobs


# --------------------------------------------------------------------------- hashing and manifest


def input_hash(job: Job, *, snapshot_id: str) -> str:
    """sha256 of notebook source + parameters + data snapshot + package version."""
    from fou import __version__

    h = hashlib.sha256()
    h.update(job.notebook_path.read_bytes())
    h.update(json.dumps(job.parameters, sort_keys=True, default=str).encode())
    h.update(snapshot_id.encode())
    h.update(__version__.encode())
    return h.hexdigest()


def read_manifest(outputs: Path) -> dict[str, Any]:
    """Read ``outputs/manifest.json`` (an empty manifest if missing or unreadable)."""
    path = outputs / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("jobs"), list):
            return data
    except (OSError, ValueError):
        pass
    return {"jobs": []}


def write_manifest(outputs: Path, manifest: dict[str, Any]) -> Path:
    """Write the manifest atomically."""
    from fou.core.atomic import write_text

    return write_text(outputs / MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


# --------------------------------------------------------------------------- the job function


def _is_timeout(exc: BaseException) -> bool:
    names = {type(e).__name__ for e in _chain(exc)}
    if names & {"CellTimeoutError", "TimeoutError"}:
        return True
    return "timed out" in str(exc).lower() or "timeout" in type(exc).__name__.lower()


def _chain(exc: BaseException) -> list[BaseException]:
    out, seen = [], set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        out.append(e)
        e = e.__cause__ or e.__context__
    return out


def _notebook_title(nb: Any, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback.replace("_", " ").capitalize()


def execute_job(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one job (in a worker process or on a Dask worker); never raises.

    Parameters
    ----------
    spec
        Plain-data job description (see :func:`run_jobs`).

    Returns
    -------
    dict
        ``status, duration_s, outputs, error``.
    """
    start = time.monotonic()
    os.environ["OMP_NUM_THREADS"] = "1"
    os.environ["FOU_HOME"] = spec["root"]
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    outputs = Path(spec["outputs"])
    final_dir = outputs / spec["rel_dir"]
    work = outputs / ".work" / f"{spec['rel_dir'].replace('/', '_')}_{spec['notebook']}_{uuid.uuid4().hex[:8]}"
    work.mkdir(parents=True, exist_ok=True)
    executed = work / f"{spec['notebook']}.ipynb"
    result: dict[str, Any] = {"status": "ok", "outputs": [], "error": None}
    kernel_name = spec.get("kernel_name", KERNEL_NAME)
    warm = None
    try:
        import papermill as pm

        try:
            if spec.get("reuse_kernel", True):
                from fou.batch.warm_kernel import kernel_for_this_thread

                warm = kernel_for_this_thread(kernel_name)
                where: dict[str, Any] = warm.prepare(work, run_key=spec.get("run_key", ""))
            else:
                from fou.batch.warm_kernel import INLINE_BACKEND

                # papermill's fresh kernel inherits the environment: without the
                # inline backend plt.show() would produce no output at all.
                os.environ["MPLBACKEND"] = INLINE_BACKEND
                where = {"cwd": str(work)}
            pm.execute_notebook(
                spec["notebook_path"],
                str(executed),
                parameters=spec["parameters"],
                kernel_name=kernel_name,
                execution_timeout=spec["cell_timeout"],
                progress_bar=False,
                log_output=False,
                request_save_on_cell_execute=False,
                **where,
            )
            if warm is not None:
                warm.finish(ok=True)
        except BaseException as exc:  # noqa: BLE001 - every failure is recorded, never raised
            if warm is not None:
                warm.finish(ok=False)  # a timed-out or broken kernel is never reused
            result["status"] = "timeout" if _is_timeout(exc) else "failed"
            result["error"] = _short_error(exc, spec["cell_timeout"], result["status"])
            import nbformat

            from fou.core.atomic import write_text

            src = executed if executed.exists() else Path(spec["notebook_path"])
            nb = nbformat.read(str(src), as_version=4)
            note = nbformat.v4.new_markdown_cell(
                f"**Körningen misslyckades** ({result['status']}): {result['error']}\n\n"
                f"```\n{traceback.format_exception_only(type(exc), exc)[-1][:4000]}\n```"
            )
            nb.cells.insert(0, note)
            failed = final_dir / f"{spec['notebook']}.failed.ipynb"
            write_text(failed, nbformat.writes(nb))
            result["outputs"] = [str(failed.relative_to(outputs))]
            return result
        result["outputs"] = _place_outputs(spec, executed, work, final_dir, outputs)
        stale = final_dir / f"{spec['notebook']}.failed.ipynb"
        stale.unlink(missing_ok=True)
    except BaseException as exc:  # noqa: BLE001
        result["status"] = "failed"
        result["error"] = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}"
    finally:
        result["duration_s"] = round(time.monotonic() - start, 2)
        shutil.rmtree(work, ignore_errors=True)
    return result


def _short_error(exc: BaseException, timeout: float, status: str) -> str:
    if status == "timeout":
        return f"Tidsgränsen överskreds: en cell körde längre än {timeout:g} s."
    text = str(exc).strip()
    # PapermillExecutionError: keep the exception line, drop the ANSI traceback.
    ename = getattr(exc, "ename", None)
    evalue = getattr(exc, "evalue", None)
    if ename:
        cell = getattr(exc, "exec_count", None)
        return f"{ename}: {evalue}" + (f" (cell {cell})" if cell else "")
    return f"{type(exc).__name__}: {text[:2000]}"


def _place_outputs(spec: dict[str, Any], executed: Path, work: Path, final_dir: Path, outputs: Path) -> list[str]:
    """Export the executed notebook and move everything into place atomically."""
    import nbformat

    from fou.core.atomic import write_bytes

    nb_name = spec["notebook"]
    files: dict[str, bytes] = {"ipynb": executed.read_bytes()}
    if spec["export"]:
        from fou.data.dataset import Provenance
        from fou.reports.export import to_html, to_pdf
        from fou.core.registry import municipality_name

        nb = nbformat.reads(files["ipynb"].decode("utf-8"), as_version=4)
        mid = spec["municipality_id"]
        place = municipality_name(mid) if mid else "Göteborgsregionen"
        heading = _notebook_title(nb, nb_name)
        html = to_html(
            nb,
            title=heading,
            subtitle=f"{place} {spec['year']}",
            provenance=Provenance.from_dict(spec["provenance"]),
            parameters=spec["parameters"],
            generated_at=spec["generated_at"],
            municipality_id=mid,
            municipality=place,
            year=spec["year"],
            notebook=nb_name,
        )
        files["html"] = html.encode("utf-8")
        pdf_tmp = work / f"{nb_name}.pdf"
        to_pdf(html, pdf_tmp)
        files["pdf"] = pdf_tmp.read_bytes()
    placed = []
    for ext, data in files.items():
        target = final_dir / f"{nb_name}.{ext}"
        write_bytes(target, data)
        placed.append(str(target.relative_to(outputs)))
    return placed


# --------------------------------------------------------------------------- running


@dataclass
class RunResult:
    """Outcome of :func:`run_jobs`.

    Attributes
    ----------
    entries
        Manifest entries of the jobs of this run (in job order).
    manifest_path
        ``outputs/manifest.json``.
    index_path
        ``outputs/index.html`` (None if it could not be written).
    duration_s
        Wall time of the run.
    """

    entries: list[dict[str, Any]]
    manifest_path: Path
    index_path: Path | None
    duration_s: float

    @property
    def failed(self) -> list[dict[str, Any]]:
        """Entries with status failed or timeout."""
        return [e for e in self.entries if e["status"] in ("failed", "timeout")]

    @property
    def ok(self) -> bool:
        """True when no job failed."""
        return not self.failed

    def counts(self) -> dict[str, int]:
        """Number of jobs per status."""
        out = {s: 0 for s in STATUSES}
        for e in self.entries:
            out[e["status"]] += 1
        return out


def _spawn_pool(workers: int) -> cf.ProcessPoolExecutor:
    return cf.ProcessPoolExecutor(max_workers=max(1, workers), mp_context=multiprocessing.get_context("spawn"))


def run_jobs(
    jobs: Sequence[Job],
    *,
    workers: int | None = os.cpu_count(),
    scheduler: str | None = None,
    force: bool = False,
    cell_timeout: float = 600,
    export: bool = True,
    root: Path | str | None = None,
    progress: bool = True,
    source: str = "auto",
    kernel_name: str = KERNEL_NAME,
    reuse_kernels: bool = True,
) -> RunResult:
    """Execute jobs in parallel, export reports, write manifest and index.

    Parameters
    ----------
    jobs
        From :func:`plan_jobs`.
    workers
        Worker processes (local runs).
    scheduler
        Dask scheduler address (``tcp://…``); jobs then run on that cluster.
    force
        Re-run jobs even when their inputs are unchanged.
    cell_timeout
        Seconds a single cell may run.
    export
        Also write HTML and PDF.
    root
        Project root (default :func:`fou.core.paths.project_root`).
    progress
        Show a progress bar and a summary table.
    source
        Data source whose provenance keys the cache (``auto``, ``kolada``, ``demo``).
    kernel_name
        Jupyter kernel to use.
    reuse_kernels
        Run job after job in one kernel per worker, reset between jobs
        (:mod:`fou.batch.warm_kernel`); False starts a fresh kernel for every job.

    Returns
    -------
    RunResult
    """
    from fou import __version__
    from fou.data.dataset import load_dataset

    t0 = time.monotonic()
    p = paths(root)
    outputs = p.outputs
    outputs.mkdir(parents=True, exist_ok=True)
    if len({j.id for j in jobs}) != len(jobs):
        raise ParameterError("Samma jobb förekommer flera gånger i körningen.")
    prov = load_dataset(source, root=p.root).provenance
    generated_at = datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")
    run_key = uuid.uuid4().hex
    manifest = read_manifest(outputs)
    previous = {e["id"]: e for e in manifest["jobs"] if isinstance(e, dict) and "id" in e}

    entries: dict[str, dict[str, Any]] = {}
    specs: dict[str, dict[str, Any]] = {}
    for job in jobs:
        h = input_hash(job, snapshot_id=prov.snapshot_id)
        base = {
            "id": job.id,
            "notebook": job.notebook,
            "municipality_id": job.municipality_id,
            "year": job.year,
            "parameters": job.parameters,
            "input_hash": h,
            "snapshot_id": prov.snapshot_id,
            "provenance": prov.source_line(),
            "is_demo": prov.is_demo,
        }
        old = previous.get(job.id)
        if (
            not force
            and old
            and old.get("input_hash") == h
            and old.get("status") in ("ok", "skipped")
            and old.get("outputs")
            and all((outputs / o).exists() for o in old["outputs"])
            and (not export or any(o.endswith(".html") for o in old["outputs"]))
        ):
            entries[job.id] = {
                **base,
                "status": "skipped",
                "duration_s": 0.0,
                "outputs": old["outputs"],
                "error": None,
                "finished_at": old.get("finished_at"),
            }
            continue
        specs[job.id] = {
            "notebook": job.notebook,
            "notebook_path": str(job.notebook_path.resolve()),
            "municipality_id": job.municipality_id,
            "year": job.year,
            "parameters": job.parameters,
            "rel_dir": f"{job.year}/{job.unit}",
            "outputs": str(outputs.resolve()),
            "root": str(p.root),
            "cell_timeout": cell_timeout,
            "export": export,
            "provenance": prov.to_dict(),
            "generated_at": generated_at,
            "kernel_name": kernel_name,
            "reuse_kernel": reuse_kernels,
            "run_key": run_key,
        }
        entries[job.id] = base

    def record(job_id: str, res: dict[str, Any]) -> None:
        entries[job_id].update(
            status=res.get("status", "failed"),
            duration_s=res.get("duration_s", 0.0),
            outputs=res.get("outputs", []),
            error=res.get("error"),
            finished_at=datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds"),
        )

    specs = longest_first(specs, previous)
    bar = _Progress(len(specs), enabled=progress)
    try:
        if specs:
            if scheduler:
                _run_dask(specs, scheduler, record, bar)
            else:
                _run_local(specs, workers or 1, record, bar)
    finally:
        bar.close()
        shutil.rmtree(outputs / ".work", ignore_errors=True)

    ordered = [entries[j.id] for j in jobs]
    merged = {**previous, **{e["id"]: e for e in ordered}}
    new_manifest = {
        "fou_version": __version__,
        "updated_at": generated_at,
        "provenance": prov.to_dict(),
        "source_line": prov.source_line(),
        "jobs": [merged[k] for k in sorted(merged)],
    }
    manifest_path = write_manifest(outputs, new_manifest)
    index_path: Path | None = None
    try:
        from fou.reports.index import write_index

        index_path = write_index(new_manifest, p.root)
    except FouError:
        raise
    except Exception:  # noqa: BLE001 - the index must not hide the run's results
        index_path = None
    result = RunResult(
        entries=ordered, manifest_path=manifest_path, index_path=index_path, duration_s=round(time.monotonic() - t0, 2)
    )
    if progress:
        print_summary(result)
    return result


def longest_first(specs: dict[str, dict[str, Any]], previous: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Order jobs so that the longest start first (fewer idle workers at the end).

    A job's expected duration is its own last duration in the manifest, else
    the mean last duration of the same notebook; jobs with no history keep
    their planned order, after those with one.
    """
    by_notebook: dict[str, list[float]] = {}
    for e in previous.values():
        if e.get("status") == "ok" and e.get("duration_s"):
            by_notebook.setdefault(e.get("notebook", ""), []).append(float(e["duration_s"]))

    def expected(item: tuple[str, dict[str, Any]]) -> float:
        jid, spec = item
        old = previous.get(jid, {})
        if old.get("status") == "ok" and old.get("duration_s"):
            return float(old["duration_s"])
        times = by_notebook.get(spec["notebook"])
        return sum(times) / len(times) if times else -1.0

    return dict(sorted(specs.items(), key=expected, reverse=True))  # stable: ties keep planned order


def _run_local(specs: dict[str, dict[str, Any]], workers: int, record: Any, bar: Any) -> None:
    """Shared spawn pool; jobs hit by a broken pool are retried once, each in its own process."""
    broken: list[str] = []
    with _spawn_pool(min(workers, len(specs))) as pool:
        futures = {pool.submit(execute_job, spec): jid for jid, spec in specs.items()}
        for fut in cf.as_completed(futures):
            jid = futures[fut]
            try:
                record(jid, fut.result())
                bar.advance(jid)
            except cf.process.BrokenProcessPool:
                broken.append(jid)
            except Exception as exc:  # noqa: BLE001
                record(jid, {"status": "failed", "error": f"{type(exc).__name__}: {exc}"})
                bar.advance(jid)
    # Isolated retry: a crashing worker takes only itself down now.
    pending = list(broken)
    while pending:
        batch, pending = pending[:workers], pending[workers:]
        pools = {jid: _spawn_pool(1) for jid in batch}
        try:
            futs = {pools[jid].submit(execute_job, specs[jid]): jid for jid in batch}
            for fut in cf.as_completed(futs):
                jid = futs[fut]
                try:
                    record(jid, fut.result())
                except Exception as exc:  # noqa: BLE001
                    record(
                        jid,
                        {"status": "failed", "error": f"Arbetsprocessen kraschade ({type(exc).__name__}: {exc})."},
                    )
                bar.advance(jid)
        finally:
            for pool in pools.values():
                pool.shutdown(wait=True, cancel_futures=True)


def _run_dask(specs: dict[str, dict[str, Any]], scheduler: str, record: Any, bar: Any) -> None:
    """Submit the same job function to a Dask cluster."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:  # pragma: no cover - dependency declared
        raise FouError(f"Dask distributed saknas: {exc}") from None
    try:
        client = Client(scheduler, timeout="20s")
    except Exception as exc:  # noqa: BLE001
        raise ParameterError(f"--scheduler: kunde inte ansluta till {scheduler!r}: {exc}") from None
    try:
        futures = {
            client.submit(execute_job, spec, key=f"fou-{uuid.uuid4().hex[:8]}-{jid}", pure=False, retries=0): jid
            for jid, spec in specs.items()
        }
        for fut in as_completed(list(futures)):
            jid = futures[fut]
            try:
                record(jid, fut.result())
            except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker
                record(jid, {"status": "failed", "error": f"Dask-jobbet misslyckades ({type(exc).__name__}: {exc})."})
            bar.advance(jid)
    finally:
        try:  # the workers outlive the run: stop the kernels this run left warm
            from fou.batch.warm_kernel import shutdown_all

            client.run(shutdown_all)
        except Exception:  # noqa: BLE001 - a worker that is gone has no kernel left
            pass
        client.close()


class _Progress:
    def __init__(self, total: int, *, enabled: bool) -> None:
        self._p = None
        if enabled and total:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            from fou.cli._app import err_console

            self._p = Progress(
                TextColumn("[bold]Kör notebooks[/]"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TextColumn("{task.description}"),
                console=err_console,
                transient=False,
            )
            self._p.start()
            self._task = self._p.add_task("", total=total)

    def advance(self, jid: str) -> None:
        if self._p is not None:
            self._p.update(self._task, advance=1, description=jid)

    def close(self) -> None:
        if self._p is not None:
            self._p.stop()


STATUS_LABELS = {"ok": "klar", "failed": "misslyckades", "timeout": "tidsgräns", "skipped": "oförändrad"}


def print_summary(result: RunResult) -> None:
    """Print a Swedish summary table of a run."""
    from rich.table import Table

    from fou.cli._app import console

    table = Table(title="Sammanfattning av körningen", show_lines=False)
    for col in ("Jobb", "Status", "Tid (s)", "Fel"):
        table.add_column(col)
    style = {"ok": "green", "skipped": "dim", "failed": "bold red", "timeout": "bold red"}
    for e in result.entries:
        err = (e.get("error") or "").splitlines()[0][:100] if e.get("error") else ""
        table.add_row(e["id"], f"[{style[e['status']]}]{STATUS_LABELS[e['status']]}[/]", f"{e['duration_s']:.1f}", err)
    console.print(table)
    c = result.counts()
    console.print(
        f"{c['ok']} klara, {c['skipped']} oförändrade, {c['failed']} misslyckade, {c['timeout']} över tidsgränsen "
        f"på {result.duration_s:.1f} s. Manifest: {result.manifest_path}",
        highlight=False,
    )
    if result.index_path:
        console.print(f"Översikt: {result.index_path}", highlight=False)
