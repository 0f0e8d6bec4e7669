"""Where the workbench keeps its data and outputs.

The project root is found from the environment variable ``FOU_HOME`` or, for an
editable install, the repository that holds this package. Tests point
``FOU_HOME`` at a temporary directory so that they never touch real data.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The installed ``fou`` package.
_PACKAGE_DIR = Path(__file__).resolve().parent.parent
#: Files shipped with the package: the catalogue, the municipality registry, templates.
PACKAGE_DATA = _PACKAGE_DIR / "resources"
#: Environment variable naming the folder of results a batch's jobs share
#: (:mod:`fou.reports.shared`); the batch sets it, unset means no sharing.
SHARED_CACHE_ENV = "FOU_SHARED_CACHE"
#: The shared results' folder under ``outputs/``.
SHARED_CACHE_DIR = ".cache"


def project_root() -> Path:
    """Return the project root (``FOU_HOME`` or the repository holding the package).

    Returns
    -------
    pathlib.Path
    """
    env = os.environ.get("FOU_HOME")
    if env:
        return Path(env).expanduser().resolve()
    candidate = _PACKAGE_DIR.parent.parent
    if (candidate / "pyproject.toml").exists():
        return candidate
    return Path.cwd()


@dataclass(frozen=True)
class ProjectPaths:
    """The project's directories.

    Attributes
    ----------
    root
        Project root.
    """

    root: Path

    @property
    def raw(self) -> Path:
        """Immutable raw snapshots as fetched (``data/raw``)."""
        return self.root / "data" / "raw"

    @property
    def processed(self) -> Path:
        """Validated tables derived by code (``data/processed``)."""
        return self.root / "data" / "processed"

    @property
    def local(self) -> Path:
        """Accepted local submissions (``data/local``)."""
        return self.root / "data" / "local"

    @property
    def outputs(self) -> Path:
        """Executed notebooks, reports, index and slides (``outputs``)."""
        return self.root / "outputs"

    @property
    def notebooks(self) -> Path:
        """Parameterised notebooks (``notebooks``)."""
        return self.root / "notebooks"

    @property
    def parameters(self) -> Path:
        """Batch descriptions (``parameters``)."""
        return self.root / "parameters"


def paths(root: Path | str | None = None) -> ProjectPaths:
    """Return the project's paths, rooted at *root* or :func:`project_root`.

    Parameters
    ----------
    root
        Optional project root.

    Returns
    -------
    ProjectPaths
    """
    return ProjectPaths(Path(root).resolve() if root is not None else project_root())
