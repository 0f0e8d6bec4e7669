"""The context of one report: which data, which municipality, which year, which comparison.

Every notebook opens with::

    from fou.reports import open_report
    ctx = open_report(kommun=kommun, ar=ar, jamforelse=jamforelse, datakalla=datakalla,
                      namespace=globals())

:func:`open_report` checks the parameters (Swedish
:class:`~fou.core.errors.ParameterError` messages that name the parameter and
what is accepted), loads the data set, decides the year once (the latest year
with values when ``ar`` is None) and shows the header: the provenance line
and, for demo data, a red banner. The header also carries the facts the batch
runner and the export check and print (:data:`~fou.reports.mime.REPORT_MIME`):
the year, the municipality and the provenance the notebook actually used.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import pandas as pd

from fou.core import registry
from fou.core.catalog import DEFAULT_VIEW, Catalog
from fou.core.errors import ParameterError
from fou.core.groups import ComparisonGroup
from fou.core.vocabulary import (
    COMPARISON,
    COMPARISON_LABELS,
    DATA_SOURCE,
    MUNICIPALITY,
    PARAMETERS,
    VIEW,
    YEAR,
)
from fou.data.dataset import Dataset, load_dataset
from fou.reports import parameters
from fou.reports.mime import REPORT_MIME

_UNSET: Any = object()


@dataclass(frozen=True)
class ReportContext:
    """Everything a report computes from.

    Attributes
    ----------
    dataset, catalog
        The loaded data set and the key-figure catalogue.
    municipality_id, municipality
        Resolved id and name (None in the regional report).
    year
        The year the report is about.
    comparison
        One of :data:`fou.core.vocabulary.COMPARISONS`.
    """

    dataset: Dataset
    catalog: Catalog
    municipality_id: str | None
    municipality: str | None
    year: int
    comparison: str = "gr"
    group: ComparisonGroup | None = None

    @property
    def values(self) -> pd.DataFrame:
        """The tidy values table."""
        return self.dataset.values

    @property
    def groups(self) -> pd.DataFrame:
        """Group membership of the data set."""
        return self.dataset.groups

    @property
    def source(self) -> str:
        """The provenance line for captions (``Källa: Kolada …`` or the demo label)."""
        return self.dataset.provenance.source_line()

    @property
    def is_demo(self) -> bool:
        """True for demo data."""
        return self.dataset.is_demo

    @property
    def comparison_label(self) -> str:
        """The comparison in Swedish."""
        if self.group is not None:
            return self.group.title
        return COMPARISON_LABELS[self.comparison]

    @cached_property
    def _kpi_runs(self) -> tuple[int, dict[str, tuple[int, int]] | None]:
        """The values table's length and where each key figure's rows lie (found once)."""
        from fou.core.tidy import kpi_runs

        return len(self.values), kpi_runs(self.values["kpi"])

    def values_of(self, kpis: str | Sequence[str]) -> pd.DataFrame:
        """The rows of *kpis* in the values table, as ``values[values.kpi.isin(kpis)]``.

        The same rows, in the same order and with the same index, as the
        filter on the whole table; in a table sorted by key figure (snapshots
        and demo data are) a slice, without comparing every row. A report asks
        for one key figure's rows hundreds of times. As with
        :meth:`comparisons`, open the report again after changing its data
        (rows added in place are noticed and filtered; other edits in place
        are not).

        Parameters
        ----------
        kpis
            One key-figure id or several; ids not in the table give no rows.

        Returns
        -------
        pandas.DataFrame
        """
        from fou.core.tidy import rows_of

        n_rows, runs = self._kpi_runs
        return rows_of(self.values, kpis, runs if len(self.values) == n_rows else None)

    @cached_property
    def _comparisons(self) -> pd.DataFrame:
        """:func:`fou.stats.comparison_table` of every catalogue key figure (computed once)."""
        from fou.stats import comparison_table

        return comparison_table(
            self.values,
            municipality=str(self.municipality_id),
            year=self.year,
            kpis=None,
            catalog=self.catalog,
            groups=self.groups,
        )

    def comparisons(self, kpis: Sequence[str]) -> pd.DataFrame:
        """The municipality's comparison table for *kpis*, in their order.

        The same table as :func:`fou.stats.comparison_table` with the context's
        values, municipality, year, catalogue and groups (each row depends on
        its key figure only), computed once for the whole catalogue: a profile
        asks for it per domain, for its summary and for its findings. Unknown
        ids go to :func:`~fou.stats.comparison_table`, which says what is wrong.
        The context belongs to one run of a notebook; open the report again
        after changing its data.

        Parameters
        ----------
        kpis
            Key-figure ids of the catalogue.

        Returns
        -------
        pandas.DataFrame
            A new table (changing it changes nothing here).

        Raises
        ------
        ParameterError
            In the regional report (it has no municipality).
        """
        if self.municipality_id is None:
            raise ParameterError("Jämförelsetabellen gäller en kommun; regionrapporten har ingen.")
        items = list(dict.fromkeys(kpis))
        table = self._comparisons
        position = pd.Index(table["kpi"]).get_indexer(items)
        if not items or (position < 0).any():
            from fou.stats import comparison_table

            return comparison_table(
                self.values,
                municipality=self.municipality_id,
                year=self.year,
                kpis=items,
                catalog=self.catalog,
                groups=self.groups,
            )
        return table.take(position).reset_index(drop=True)

    @cached_property
    def municipal_ids(self) -> list[str]:
        """Ids of the municipalities (not regions or Riket) in the data."""
        ids = {str(m) for m in self.values["municipality_id"].unique()}
        return sorted(m for m in ids if not m.startswith("00"))

    def title(self, kpi: str) -> str:
        """The key figure's title as Kolada writes it (the id for unknown ids)."""
        if kpi in set(self.catalog.kpis["kpi"]):
            return self.catalog.title(kpi)
        return self.dataset.kpi_titles.get(kpi, kpi)

    def parameters(self) -> dict[str, Any]:
        """The report's parameters (as the notebook received them, resolved)."""
        out: dict[str, Any] = {
            MUNICIPALITY: self.municipality_id,
            YEAR: self.year,
            COMPARISON: self.comparison,
            DATA_SOURCE: self.dataset.provenance.source,
        }
        if self.municipality_id is None:
            out.pop(MUNICIPALITY)
        if self.catalog.view != DEFAULT_VIEW:
            out[VIEW] = self.catalog.view
        return out


def _set_style() -> None:
    import matplotlib

    try:
        from IPython import get_ipython

        inside = get_ipython() is not None
    except ImportError:  # pragma: no cover - IPython comes with ipykernel
        inside = False
    if not inside:
        matplotlib.use("Agg")


def open_report(
    *,
    kommun: Any = _UNSET,
    ar: int | str | None = None,
    jamforelse: str = "gr",
    datakalla: str = "auto",
    vy: Any = _UNSET,
    namespace: Mapping[str, Any] | None = None,
    show_header: bool = True,
    accept: tuple[str, ...] = (),
) -> ReportContext:
    """Check the notebook parameters, load the data and show the header.

    Parameters
    ----------
    kommun
        Municipality id (four characters, as text: ``"0114"``) or name. Leave
        out for the regional report (then the parameter is not accepted).
    ar
        Year to describe; None for the latest year with values.
    jamforelse
        One of :data:`fou.core.vocabulary.COMPARISONS`.
    datakalla
        ``auto``, ``kolada`` or ``demo``.
    vy
        How key figures are grouped: a view of the catalogue (``nara_vard``,
        GR's six domains, or ``fardplan``, Göteborg's färdplan). Leave out in
        reports that do not group key figures (then the parameter is not
        accepted).
    namespace
        The notebook's ``globals()``, for the unknown-parameter check.
    show_header
        Display the header (provenance, demo banner).
    accept
        The notebook's own parameters besides these (e.g. ``profil``), accepted
        by the unknown-parameter check.

    Returns
    -------
    ReportContext

    Raises
    ------
    ParameterError
        Unknown municipality, year without data, unknown comparison or data
        source, or an unknown (misspelt) parameter.
    """
    known = [
        n
        for n in PARAMETERS
        if (n != MUNICIPALITY or kommun is not _UNSET) and (n != VIEW or vy is not _UNSET)
    ] + list(accept)
    parameters.check_injected_parameters(namespace, known)
    catalog = parameters.check_view(None if vy is _UNSET else vy)
    source = parameters.check_source(datakalla)
    comparison = parameters.check_comparison(jamforelse)
    mid = None if kommun is _UNSET else parameters.check_municipality(kommun)
    ds = load_dataset(source)
    year = ds.latest_year() if ar is None else ds.check_year(ar, parameter=YEAR)
    if mid is not None:
        name = registry.municipality_name(mid)
        has = ds.values[(ds.values["municipality_id"] == mid) & ds.values["value"].notna()]
        if has.empty:
            raise ParameterError(
                f"{MUNICIPALITY}: {name} ({mid}) har inga värden i datamängden "
                f"({ds.provenance.source_line()})."
            )
        if comparison == "liknande" and not registry.similar_group(mid, ds.groups)[2]:
            raise ParameterError(
                f"{COMPARISON}: datamängden saknar gruppen 'Liknande kommuner äldreomsorg' för "
                f"{name}; välj 'gr', 'riket' eller 'region'."
            )
    group = parameters.comparison_group(comparison, ds.groups)
    _set_style()
    ctx = ReportContext(
        dataset=ds,
        catalog=catalog.fitted_to(ds.values),
        municipality_id=mid,
        municipality=registry.municipality_name(mid) if mid else None,
        year=year,
        comparison=comparison,
        group=group,
    )
    if show_header:
        from IPython.display import display

        display(Header(ctx))
    return ctx


@dataclass(frozen=True)
class Header:
    """The report's header in JupyterLab (the export writes its own; this one carries the facts)."""

    context: ReportContext

    def facts(self) -> dict[str, Any]:
        """What the batch runner checks and the export prints."""
        ctx = self.context
        return {
            "year": ctx.year,
            "municipality_id": ctx.municipality_id,
            "comparison": ctx.comparison,
            "parameters": ctx.parameters(),
            "provenance": ctx.dataset.provenance.to_dict(),
        }

    def to_html(self) -> str:
        """Demo banner (if any), the report's subject and the provenance line."""
        ctx = self.context
        parts = []
        if ctx.is_demo:
            parts.append(
                '<div class="demo-banner" style="background:#b00020;color:white;padding:8px 12px;'
                'font-weight:bold">DEMODATA: syntetiska värden, inte verkliga resultat. '
                "Får inte citeras eller spridas som resultat.</div>"
            )
        who = f"{ctx.municipality} ({ctx.municipality_id}) · " if ctx.municipality else ""
        view = f" · {ctx.catalog.view_title}" if ctx.catalog.view != DEFAULT_VIEW else ""
        parts.append(
            f"<p><b>{html.escape(who)}år {ctx.year} · jämförelse: "
            f"{html.escape(ctx.comparison_label)}{html.escape(view)}</b><br>"
            f"{html.escape(ctx.source)}</p>"
        )
        local = ctx.dataset.provenance.local_files
        if local:
            parts.append(f"<p>Lokala inlämningar: {html.escape(', '.join(local))}</p>")
        return "\n".join(parts)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> tuple[dict, dict]:
        data = {"text/html": self.to_html(), "text/plain": "", REPORT_MIME: self.facts()}
        return data, {"fou_role": "header"}
