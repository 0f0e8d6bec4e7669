"""Helpers that keep the analysis notebooks thin.

Every notebook under ``notebooks/`` starts with a ``parameters`` cell
(``kommun``, ``ar``, ``jamforelse``, ``datakalla``; the regional report has
no ``kommun``) and then calls::

    ctx = fou.reports.notebook_support.setup(kommun=kommun, ar=ar, jamforelse=jamforelse,
                                     datakalla=datakalla, extra=globals())

:func:`setup` loads the data set, validates the parameters (Swedish
:class:`~fou.core.errors.ParameterError` messages), sets the plotting style and
displays the provenance header. The remaining helpers compute with the
package (:mod:`fou.stats`, :mod:`fou.quality`) and *display* the result: Swedish
column names, decimal comma, figure captions with the source line. They
return what they computed so a notebook can reuse it.

Unknown parameters
------------------
papermill injects the parameters it is given as a cell tagged
``injected-parameters`` whose code starts with the comment ``# Parameters``.
A misspelt name (``-p komun 1480``) would otherwise be silently ignored, so
:func:`setup` reads the kernel's input history (``In`` in *extra*), parses
the injected cell(s) and refuses names the notebook does not declare. A
notebook may list extra accepted names in a global ``_fou_parameter_names``.
Outside IPython (no ``In``) the check is skipped.

Plotting goes through :mod:`fou.plotting` when it provides the function, with
a plain seaborn/matplotlib fallback otherwise.
"""

from __future__ import annotations

import ast
import html
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fou.core import registry
from fou.core.catalog import DOMAINS, UNIT_LABELS, Catalog, load_catalog
from fou.data.dataset import Dataset, load_dataset
from fou.core.errors import ParameterError, one_of_message

__all__ = [
    "Context",
    "PARAMETER_NAMES",
    "setup",
    "check_injected_parameters",
    "fmt",
    "show_table",
    "show_comparison",
    "comparison_figure",
    "trend_figures",
    "quality_issues",
    "show_issue_counts",
    "show_issues",
    "usable_figure",
    "association_kpis",
    "gr_vs_national_table",
    "gr_screen",
    "heatmap_figure",
    "strongest_pair",
    "scatter_figure",
    "show_pooled",
    "multiple_testing_text",
    "pc_index",
    "show_index_position",
    "index_trend_figure",
    "show_survey_uncertainty",
    "funnel_figure",
    "show_alpha",
    "show_stability",
    "show_gr_overview",
]

#: Parameters of the municipality notebooks (the regional report has no ``kommun``).
PARAMETER_NAMES: tuple[str, ...] = ("kommun", "ar", "jamforelse", "datakalla")
DATA_SOURCES: tuple[str, ...] = ("auto", "kolada", "demo")
_UNSET: Any = object()

#: Columns the notebooks show, with their Swedish names.
COLUMN_LABELS: dict[str, str] = {
    "kpi": "Nyckeltal",
    "title": "Nyckeltal (titel)",
    "domain": "Område",
    "unit": "Enhet",
    "municipality_id": "Kommunkod",
    "municipality": "Kommun",
    "year": "År",
    "value": "Värde",
    "previous_value": "Föregående år",
    "change": "Förändring",
    "gr_mean": "GR-snitt",
    "n_gr": "Antal i GR-snitt",
    "similar_mean": "Liknande kommuner",
    "riket": "Riket",
    "region": "Regionen",
    "diff_gr": "Skillnad mot GR",
    "diff_riket": "Skillnad mot riket",
    "rank_gr": "Rang i GR (1 = bäst)",
    "rank": "Rang (1 = bäst)",
    "status": "Status",
    "note": "Kommentar",
    "check": "Kontroll",
    "label": "Typ av brist",
    "severity": "Allvarlighet",
    "n": "Antal",
    "n_kpis": "Antal nyckeltal",
    "n_municipalities": "Antal kommuner",
    "detail": "Beskrivning",
    "x": "Nyckeltal x",
    "y": "Nyckeltal y",
    "r": "r",
    "ci_low": "KI nedre",
    "ci_high": "KI övre",
    "p_adj": "Justerat p",
    "adjust": "Korrektion",
    "pattern": "GR jämfört med riket",
    "level": "Nivå",
    "years": "År",
    "n_municipalities_used": "Antal kommuner",
    "respondents": "Svarande",
    "response_rate": "Svarsfrekvens (%)",
    "index": "Index",
    "n_items": "Antal frågor",
    "area": "Verksamhet",
    "alpha": "Cronbachs alfa",
    "measure": "Vad måttet är",
    "icc": "ICC",
    "icc_type": "Typ av ICC",
}
COMPARISON_COLUMN: dict[str, str] = {
    "gr": "gr_mean",
    "liknande": "similar_mean",
    "riket": "riket",
    "region": "region",
}
#: Key figures shown as bars and trends in the municipality profile.
PROFILE_KPIS: tuple[str, ...] = ("U21468", "U23471", "N20403", "N20402", "N21608", "N20900")
#: A cross-domain selection for the association notebook (hemtjänst-oriented).
ASSOCIATION_KPIS: tuple[str, ...] = (
    "U21463", "U21468", "U21477", "U21401", "N21608", "N21006", "N20900", "N20897", "N20402",
)  # fmt: skip
SURVEY_KPIS: dict[str, str] = {"hemtjänst": "U21463", "särskilt boende": "U23461"}
AREAS: tuple[str, ...] = ("hemtjänst", "särskilt boende")


# --------------------------------------------------------------------------- context


@dataclass(frozen=True)
class Context:
    """Everything a notebook needs after :func:`setup`.

    Attributes
    ----------
    dataset, catalog
        The loaded data set and the key-figure catalogue.
    municipality_id, municipality
        Resolved id and name (None in the regional report).
    year
        The year analysed (the latest year with values when ``ar`` is None).
    comparison, comparison_label
        One of :data:`fou.core.registry.COMPARISONS` and its Swedish label.
    source
        The provenance line for captions.
    """

    dataset: Dataset
    catalog: Catalog
    municipality_id: str | None
    municipality: str | None
    year: int
    comparison: str
    comparison_label: str
    parameters: dict[str, Any] = field(default_factory=dict)

    @property
    def values(self) -> pd.DataFrame:
        return self.dataset.values

    @property
    def groups(self) -> pd.DataFrame:
        return self.dataset.groups

    @property
    def source(self) -> str:
        return self.dataset.provenance.source_line()

    @property
    def is_demo(self) -> bool:
        return self.dataset.is_demo


def _injected_names(history: Sequence[Any]) -> list[str]:
    names: list[str] = []
    for src in history:
        if not isinstance(src, str) or not src.lstrip().startswith("# Parameters"):
            continue
        try:
            tree = ast.parse(src)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign):
                names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return names


def check_injected_parameters(namespace: Mapping[str, Any] | None, known: Iterable[str]) -> None:
    """Refuse parameters papermill injected that the notebook does not declare.

    Parameters
    ----------
    namespace
        The notebook's ``globals()``; its ``In`` (IPython input history) is
        searched for papermill's ``# Parameters`` cells. A global
        ``_fou_parameter_names`` adds accepted names.
    known
        The notebook's parameter names.

    Raises
    ------
    ParameterError
        An injected name is unknown.
    """
    if not namespace:
        return
    accepted = set(known) | set(namespace.get("_fou_parameter_names", ()) or ())
    history = namespace.get("In")
    if not isinstance(history, Sequence):
        return
    unknown = [n for n in dict.fromkeys(_injected_names(history)) if n not in accepted]
    if unknown:
        raise ParameterError(
            f"Okänd parameter {', '.join(repr(n) for n in unknown)}. Notebooken tar emot "
            f"{', '.join(repr(n) for n in sorted(accepted))} (stavning utan å/ä/ö, t.ex. 'ar')."
        )


def _set_style() -> None:
    import matplotlib

    try:
        from IPython import get_ipython

        inside = get_ipython() is not None
    except ImportError:  # pragma: no cover
        inside = False
    if not inside:
        matplotlib.use("Agg")
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="notebook")
    matplotlib.rcParams.update({"figure.dpi": 100, "savefig.dpi": 150, "axes.titlesize": 11})


def setup(
    *,
    kommun: str | None = _UNSET,
    ar: int | str | None = None,
    jamforelse: str = "gr",
    datakalla: str = "auto",
    extra: Mapping[str, Any] | None = None,
    show: bool = True,
) -> Context:
    """Load the data, validate the notebook parameters and show the provenance header.

    Parameters
    ----------
    kommun
        Municipality id (four characters, as text: ``"0114"``) or name. Leave
        out for the regional report (then the parameter is not accepted).
    ar
        Year to describe; None for the latest year with values.
    jamforelse
        One of :data:`fou.core.registry.COMPARISONS`.
    datakalla
        ``auto``, ``kolada`` or ``demo``.
    extra
        The notebook's ``globals()``, for the unknown-parameter check.
    show
        Display the header.

    Returns
    -------
    Context

    Raises
    ------
    ParameterError
        Unknown municipality, year without data, unknown comparison or data
        source, or an unknown (misspelt) parameter.
    """
    known = [n for n in PARAMETER_NAMES if n != "kommun" or kommun is not _UNSET]
    check_injected_parameters(extra, known)
    if datakalla not in DATA_SOURCES:
        raise ParameterError(one_of_message("datakalla", DATA_SOURCES, datakalla))
    if jamforelse not in registry.COMPARISONS:
        raise ParameterError(one_of_message("jamforelse", registry.COMPARISONS, jamforelse))
    mid = name = None
    if kommun is not _UNSET:
        if kommun is None:
            raise ParameterError("kommun måste anges (kommunkod som text, t.ex. '1480', eller namn).")
        mid = registry.resolve_municipality(kommun, parameter="kommun")
        if mid.startswith("00"):
            raise ParameterError(
                f"kommun: {mid} ({registry.municipality_name(mid)}) är en region eller riket, "
                "inte en kommun."
            )
        name = registry.municipality_name(mid)
    ds = load_dataset(datakalla)
    year = ds.latest_year() if ar is None else ds.check_year(ar, parameter="ar")
    if mid is not None:
        has = ds.values[(ds.values["municipality_id"] == mid) & ds.values["value"].notna()]
        if has.empty:
            raise ParameterError(
                f"kommun: {name} ({mid}) har inga värden i datamängden "
                f"({ds.provenance.source_line()})."
            )
        if jamforelse == "liknande" and not registry.similar_group(mid, ds.groups)[2]:
            raise ParameterError(
                f"jamforelse: datamängden saknar gruppen 'Liknande kommuner äldreomsorg' för "
                f"{name}; välj 'gr', 'riket' eller 'region'."
            )
    _set_style()
    ctx = Context(
        dataset=ds,
        catalog=load_catalog(),
        municipality_id=mid,
        municipality=name,
        year=year,
        comparison=jamforelse,
        comparison_label=registry.COMPARISON_LABELS[jamforelse],
        parameters={"kommun": kommun, "ar": ar, "jamforelse": jamforelse, "datakalla": datakalla},
    )
    if show:
        show_header(ctx)
    return ctx


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def _html(text: str) -> None:
    from IPython.display import HTML

    _display(HTML(text))


def show_header(ctx: Context) -> None:
    """Provenance header: what, which year, which data (red banner for demo data)."""
    parts = []
    if ctx.is_demo:
        parts.append(
            '<div style="background:#b00020;color:white;padding:8px 12px;font-weight:bold;'
            'font-size:1.2em;border-radius:4px">DEMODATA: syntetiska värden, inte verkliga '
            "resultat. Får inte citeras eller spridas som resultat.</div>"
        )
    who = f"{ctx.municipality} ({ctx.municipality_id}) · " if ctx.municipality else ""
    parts.append(
        f"<p><b>{html.escape(who)}år {ctx.year} · jämförelse: "
        f"{html.escape(ctx.comparison_label)}</b><br>{html.escape(ctx.source)}</p>"
    )
    local = ctx.dataset.provenance.local_files
    if local:
        parts.append(f"<p>Lokala inlämningar: {html.escape(', '.join(local))}</p>")
    _html("\n".join(parts))


# --------------------------------------------------------------------------- formatting


def fmt(x: Any, decimals: int = 1, *, missing: str = "–") -> str:
    """Swedish number: decimal comma, thin space between thousands, true minus."""
    if x is None or (isinstance(x, float) and math.isnan(x)) or x is pd.NA:
        return missing
    if isinstance(x, (bool, np.bool_)):
        return "ja" if x else "nej"
    if not isinstance(x, (int, float, np.integer, np.floating)):
        return str(x)
    if isinstance(x, (int, np.integer)):
        decimals = 0
    elif x != 0 and abs(x) < 10 ** (-decimals):
        # A small non-zero value (e.g. 0,02 dagar/inv) must not read as 0: show
        # two significant digits instead.
        decimals = min(6, 1 - math.floor(math.log10(abs(float(x)))))
    text = f"{float(x):,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text.replace("-", "−")


def _sv_frame(df: pd.DataFrame, decimals: int | Mapping[str, int]) -> pd.DataFrame:
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        d = decimals.get(col, 1) if isinstance(decimals, Mapping) else decimals
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out[col] = [fmt(v, d) for v in s.astype("float64")] if s.dtype.kind == "f" else [
                fmt(v if pd.notna(v) else None, 0) for v in s
            ]
        else:
            out[col] = s.astype("object").where(s.notna(), "–").astype(str)
    return out


def show_table(
    df: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    decimals: int | Mapping[str, int] = 1,
    caption: str | None = None,
    labels: Mapping[str, str] | None = None,
    max_rows: int = 60,
) -> pd.DataFrame:
    """Display *df* with Swedish column names and decimal comma; return the shown frame."""
    shown = df[list(columns)] if columns is not None else df
    if len(shown) > max_rows:
        caption = (caption + " " if caption else "") + f"(de första {max_rows} av {len(shown)} raderna)"
        shown = shown.head(max_rows)
    names = {**COLUMN_LABELS, **(labels or {})}
    text = _sv_frame(shown, decimals).rename(columns=lambda c: names.get(c, c))
    styler = text.style.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    _display(styler)
    return text


def caption(ctx: Context, text: str) -> None:
    """Figure caption (italic) followed by the source line."""
    _html(f"<p><i>{html.escape(text)}</i><br><small>{html.escape(ctx.source)}</small></p>")


def _show_figure(ax: Any, ctx: Context, text: str | None = None) -> None:
    import matplotlib.pyplot as plt

    fig = ax.figure if hasattr(ax, "figure") else ax
    _display(fig)
    plt.close(fig)
    if text:
        caption(ctx, text)


def _plotting(name: str) -> Any | None:
    """The :mod:`fou.plotting` function *name*, or None when it is not available."""
    try:
        import fou.plotting as plotting
    except ImportError:
        return None
    return getattr(plotting, name, None)


def _axes(figsize: tuple[float, float] = (8, 4.5)) -> Any:
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def _comma_axis(ax: Any, axis: str = "y", decimals: int = 0) -> None:
    from matplotlib.ticker import FuncFormatter

    f = FuncFormatter(lambda v, _pos: fmt(v, decimals))
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(f)


def _title(ctx: Context, kpi: str, width: int = 70) -> str:
    import textwrap

    t = ctx.catalog.title(kpi) if kpi in set(ctx.catalog.kpis["kpi"]) else kpi
    return textwrap.shorten(t, width=width, placeholder=" …")


def _unit(ctx: Context, kpi: str) -> str:
    return UNIT_LABELS.get(str(ctx.catalog.row(kpi)["unit"]), "")


# --------------------------------------------------------------------------- municipality profile


def comparison(ctx: Context, *, kpis: Iterable[str] | None = None) -> pd.DataFrame:
    """:func:`fou.stats.comparison_table` for the notebook's municipality and year."""
    from fou.stats import comparison_table

    return comparison_table(
        ctx.values, municipality=ctx.municipality_id, year=ctx.year,
        kpis=list(kpis) if kpis is not None else None, catalog=ctx.catalog, groups=ctx.groups,
    )  # fmt: skip


def show_comparison(ctx: Context, *, domain: str) -> pd.DataFrame:
    """Table of one domain: value, change, chosen comparison first, then the others."""
    table = comparison(ctx, kpis=ctx.catalog.ids(domain=domain))
    table = table.assign(title=table["title"].map(lambda t: _short(t, 60)))
    first = COMPARISON_COLUMN[ctx.comparison]
    others = [c for c in ("gr_mean", "similar_mean", "riket") if c != first]
    cols = ["kpi", "title", "value", "change", first, *others, "diff_gr", "rank_gr", "note"]
    show_table(
        table,
        columns=cols,
        decimals={"rank_gr": 0},
        caption=f"{domain.capitalize()}: {ctx.municipality} {ctx.year} jämfört med "
        f"{ctx.comparison_label} (– = värde saknas, inte 0)",
        labels={first: f"{COMPARISON_COLUMN_LABEL[ctx.comparison]} (vald jämförelse)"},
    )
    return table


COMPARISON_COLUMN_LABEL = {"gr": "GR-snitt", "liknande": "Liknande kommuner", "riket": "Riket",
                           "region": "Regionen"}  # fmt: skip


def _short(text: str, width: int) -> str:
    import textwrap

    return textwrap.shorten(str(text), width=width, placeholder=" …")


def comparison_figure(ctx: Context, *, kpis: Sequence[str] = PROFILE_KPIS) -> pd.DataFrame:
    """Bars: the municipality against GR-snitt, liknande kommuner and Riket, one panel per key figure."""
    import matplotlib.pyplot as plt

    table = comparison(ctx, kpis=kpis)
    n = len(table)
    ncols = 3
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 3.4 * nrows), layout="constrained")
    bar = _plotting("comparison_bar")
    for ax, (_, row) in zip(np.ravel(axes), table.iterrows(), strict=False):
        if bar is not None:
            from fou.stats import gr_overview

            data = gr_overview(ctx.values, kpi=row["kpi"], year=ctx.year, catalog=ctx.catalog)
            if ctx.municipality_id not in set(data["municipality_id"]):
                data = pd.concat([data, pd.DataFrame([{"kpi": row["kpi"], "year": ctx.year,
                    "municipality_id": ctx.municipality_id, "value": row["value"]}])],
                    ignore_index=True)  # fmt: skip
            ref = {"GR-snitt": row["gr_mean"], "Liknande kommuner": row["similar_mean"],
                   "Riket": row["riket"]}  # fmt: skip
            bar(data, highlight=ctx.municipality_id, reference=ref, catalog=ctx.catalog,
                title=_short(row["title"], 45), ax=ax)  # fmt: skip
            ax.title.set_fontsize(9)
            ax.tick_params(labelsize=7)
            continue
        labels = [ctx.municipality, "GR-snitt", "Liknande", "Riket"]
        vals = [row["value"], row["gr_mean"], row["similar_mean"], row["riket"]]
        colors = ["#1f4e79", "#8aa9c8", "#b7c7d6", "#999999"]
        ax.bar(labels, [v if pd.notna(v) else 0 for v in vals], color=colors)
        for i, v in enumerate(vals):
            ax.text(i, v if pd.notna(v) else 0, fmt(v, 1, missing="saknas"), ha="center",
                    va="bottom", fontsize=8)  # fmt: skip
        ax.set_title(_short(row["title"], 45), fontsize=9)
        ax.set_ylabel(_unit(ctx, row["kpi"]), fontsize=8)
        ax.tick_params(axis="x", labelsize=8, rotation=20)
        _comma_axis(ax)
    for ax in np.ravel(axes)[n:]:
        ax.set_visible(False)
    _show_figure(
        fig, ctx,
        f"{ctx.municipality} {ctx.year} jämfört med GR-snitt (ovägt medel av de 13), liknande "
        "kommuner och riket. En stapel med texten 'saknas' har inget värde (inte 0).",
    )  # fmt: skip
    return table


def trend_figures(ctx: Context, *, kpis: Sequence[str] = PROFILE_KPIS) -> None:
    """Line charts over time: the municipality, GR-snitt, liknande kommuner, Riket."""
    import matplotlib.pyplot as plt

    from fou.stats import trend_table

    n = len(kpis)
    ncols = 2
    nrows = math.ceil(n / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(11, 3.2 * nrows), layout="constrained")
    plot = _plotting("trend_plot")
    for ax, kpi in zip(np.ravel(axes), kpis, strict=False):
        tt = trend_table(ctx.values, municipality=ctx.municipality_id, kpi=kpi, groups=ctx.groups)
        if plot is not None:
            plot(tt, catalog=ctx.catalog, title=_short(_title(ctx, kpi), 55), ax=ax)
            ax.title.set_fontsize(9)
            continue
        for series, part in tt.groupby("series", sort=False):
            kind = part["series_kind"].iloc[0]
            ax.plot(part["year"], part["value"], marker="o", ms=3,
                    lw=2.5 if kind == "kommun" else 1.2, label=series)  # fmt: skip
        ax.axvline(ctx.year, color="grey", lw=0.6, ls=":")
        ax.set_title(_short(_title(ctx, kpi), 55), fontsize=9)
        ax.set_ylabel(_unit(ctx, kpi), fontsize=8)
        ax.legend(fontsize=7)
        _comma_axis(ax)
    for ax in np.ravel(axes)[n:]:
        ax.set_visible(False)
    _show_figure(
        fig, ctx,
        "Utveckling över tid. Avbrott i linjen betyder att värde saknas (t.ex. 2021 då "
        "brukarundersökningen inte gjordes); ett hopp för de flesta kommuner samma år är "
        "oftast en definitionsändring, inte en verklig förändring.",
    )  # fmt: skip


# --------------------------------------------------------------------------- data quality


def quality_issues(ctx: Context) -> pd.DataFrame:
    """Run all checks for the municipality and year (distributions over every municipality)."""
    from fou.quality import run_checks

    mun = [ctx.municipality_id] if ctx.municipality_id else list(registry.GR_MUNICIPALITIES)
    return run_checks(ctx.values, catalog=ctx.catalog, municipalities=mun, years=[ctx.year])


def show_issue_counts(ctx: Context, issues: pd.DataFrame) -> pd.DataFrame:
    """Counts by kind and severity, including kinds checked without findings."""
    from fou.quality import issue_counts

    counts = issue_counts(issues, all_kinds=True)
    cols = [c for c in ("label", "severity", "n", "n_kpis", "n_municipalities") if c in counts]
    show_table(counts, columns=cols, caption="Antal brister per typ (0 = kontrollerat, inget hittat)")
    return counts


def show_issues(ctx: Context, issues: pd.DataFrame, *, min_severity: str | None = None) -> pd.DataFrame:
    """The issue table, most serious first."""
    from fou.quality import filter_issues

    sel = filter_issues(issues, min_severity=min_severity) if min_severity else issues
    sel = sel.assign(detail=sel["detail"].map(lambda t: _short(t, 160)))
    show_table(sel, columns=["severity", "check", "kpi", "municipality_id", "year", "value", "detail"],
               caption="Brister i data (allvarligast först)", max_rows=40)  # fmt: skip
    return sel


def usable_figure(ctx: Context, issues: pd.DataFrame) -> pd.DataFrame:
    """Heatmap: share of each domain's key figures that are usable, per year."""
    from fou.quality import run_checks, usable_summary

    mun = [ctx.municipality_id] if ctx.municipality_id else list(registry.GR_MUNICIPALITIES)
    all_years = run_checks(ctx.values, catalog=ctx.catalog, municipalities=mun)
    summary = usable_summary(ctx.values, all_years, catalog=ctx.catalog, municipalities=mun)
    plot = _plotting("quality_heatmap")
    ax = _axes((10, 3.8))
    done = False
    if plot is not None:
        if ctx.municipality_id:
            plot(summary, rows="domain", municipality=ctx.municipality_id, ax=ax)
        else:
            plot(summary, rows="municipality", ax=ax)
        done = True
    if not done:
        import seaborn as sns

        grid = summary.groupby(["domain", "year"], sort=False)["share_usable"].mean().unstack("year")
        grid = grid.reindex([d for d in DOMAINS if d in grid.index])
        sns.heatmap(100 * grid, ax=ax, cmap="RdYlGn", vmin=0, vmax=100, annot=True, fmt=".0f",
                    cbar_kws={"label": "andel användbara (%)"}, annot_kws={"fontsize": 7})  # fmt: skip
        ax.set_xlabel("år")
        ax.set_ylabel("")
    _show_figure(
        ax, ctx,
        "Andel av områdets nyckeltal som har ett värde och ingen allvarlig brist (%), per år. "
        "Mörkrött = nästan inget går att använda det året.",
    )  # fmt: skip
    return summary


# --------------------------------------------------------------------------- associations


def association_kpis(ctx: Context, *, candidates: Sequence[str] = ASSOCIATION_KPIS,
                     min_gr: int = 10) -> list[str]:  # fmt: skip
    """Candidates with values for at least *min_gr* GR municipalities in the year."""
    v = ctx.values
    sel = v[(v["year"] == ctx.year) & v["municipality_id"].isin(registry.GR_MUNICIPALITIES)
            & (v["gender"] == "T") & v["value"].notna()]  # fmt: skip
    counts = sel.groupby("kpi")["municipality_id"].nunique()
    return [k for k in candidates if counts.get(k, 0) >= min_gr]


def gr_vs_national_table(ctx: Context, kpis: Sequence[str]) -> pd.DataFrame:
    """GR-13 next to all municipalities (Spearman, Holm, t-test p; no permutations)."""
    from fou.stats import gr_vs_national

    res = gr_vs_national(ctx.values, kpis=list(kpis), adjust="holm", year=ctx.year,
                         n_resamples=None)  # fmt: skip
    res = res.assign(
        par=[f"{a} – {b}" for a, b in zip(res["x"], res["y"], strict=True)],
        gr=[_r_text(r, lo, hi, n) for r, lo, hi, n in
            zip(res["r_gr"], res["ci_low_gr"], res["ci_high_gr"], res["n_gr"], strict=True)],
        nat=[_r_text(r, lo, hi, n) for r, lo, hi, n in
             zip(res["r_riket"], res["ci_low_riket"], res["ci_high_riket"], res["n_riket"],
                 strict=True)],
    )  # fmt: skip
    res = res.reindex(res["r_gr"].abs().sort_values(ascending=False).index)
    show_table(
        res, columns=["par", "gr", "p_adj_gr", "nat", "p_adj_riket", "pattern"],
        decimals={"p_adj_gr": 3, "p_adj_riket": 3},
        labels={"par": "Par", "gr": "GR-13: rho [95 % KI], n", "p_adj_gr": "GR: p (Holm)",
                "nat": "Alla kommuner: rho [95 % KI], n", "p_adj_riket": "Alla: p (Holm)"},
        caption=f"Spearmans rangkorrelation {ctx.year}, starkast i GR först",
    )  # fmt: skip
    return res


def _r_text(r: float, lo: float, hi: float, n: Any) -> str:
    if pd.isna(r):
        return f"– (n = {fmt(n, 0)})"
    return f"{fmt(r, 2)} [{fmt(lo, 2)}; {fmt(hi, 2)}], n = {fmt(n, 0)}"


def gr_screen(ctx: Context, kpis: Sequence[str], *, n_resamples: int = 1999) -> pd.DataFrame:
    """Screen among the 13 with permutation p-values and Holm correction."""
    from fou.stats import association_screen

    return association_screen(ctx.values, kpis=list(kpis), adjust="holm", year=ctx.year,
                              municipalities="gr", n_resamples=n_resamples, seed=1)  # fmt: skip


def heatmap_figure(ctx: Context, screen: pd.DataFrame) -> None:
    """Correlation matrix of the GR screen; * marks pairs significant after Holm."""
    plot = _plotting("correlation_heatmap")
    kpis = list(dict.fromkeys([*screen["x"], *screen["y"]]))
    ax = _axes((8, 6.5))
    if plot is not None:
        plot(screen, catalog=ctx.catalog, ax=ax)
        _show_figure(ax, ctx, _heatmap_caption(screen))
        return
    import seaborn as sns

    m = pd.DataFrame(np.nan, index=kpis, columns=kpis)
    ann = pd.DataFrame("", index=kpis, columns=kpis)
    for _, row in screen.iterrows():
        for a, b in ((row["x"], row["y"]), (row["y"], row["x"])):
            m.loc[a, b] = row["r"]
            ann.loc[a, b] = "" if pd.isna(row["r"]) else fmt(row["r"], 2) + ("*" if row["significant"] else "")
    mask = np.triu(np.ones(m.shape, dtype=bool))
    sns.heatmap(m, mask=mask, annot=ann, fmt="", cmap="RdBu_r", vmin=-1, vmax=1, ax=ax,
                cbar_kws={"label": "Spearmans rho"}, annot_kws={"fontsize": 8})  # fmt: skip
    ax.set_xticklabels(kpis, rotation=45, ha="right")
    ax.set_yticklabels(kpis, rotation=0)
    _show_figure(ax, ctx, _heatmap_caption(screen))


def _heatmap_caption(screen: pd.DataFrame) -> str:
    n_sig = int(screen["significant"].sum())
    return (
        f"Spearmans rho mellan nyckeltalen bland GR:s 13 kommuner. * = signifikant efter "
        f"Holm-korrektion för {len(screen)} par (permutationstest). {n_sig} av {len(screen)} "
        "par är signifikanta. Färgen visar riktning och styrka, inte säkerhet."
    )


def strongest_pair(screen: pd.DataFrame) -> tuple[str, str, pd.Series]:
    """The pair with the largest |r| in the GR screen."""
    ok = screen.dropna(subset=["r"])
    row = ok.loc[ok["r"].abs().idxmax()]
    return str(row["x"]), str(row["y"]), row


def scatter_figure(ctx: Context, x: str, y: str, row: pd.Series | None = None) -> pd.DataFrame:
    """All municipalities in grey, GR-13 highlighted, the notebook's municipality in focus."""
    v = ctx.values
    sel = v[v["kpi"].isin([x, y]) & (v["year"] == ctx.year) & (v["gender"] == "T")
            & ~v["municipality_id"].str.startswith("00")]  # fmt: skip
    wide = sel.pivot_table(index="municipality_id", columns="kpi", values="value", aggfunc="first",
                           dropna=False).reset_index()  # fmt: skip
    note = None if row is None else f"GR: rho = {fmt(row['r'], 2)} [{fmt(row['ci_low'], 2)}; " \
        f"{fmt(row['ci_high'], 2)}], n = {fmt(row['n'], 0)}"
    ax = _axes((8, 5.5))
    plot = _plotting("scatter_labelled")
    done = False
    if plot is not None:
        plot(wide, x=x, y=y, focus=ctx.municipality_id, annotation=note, catalog=ctx.catalog,
             ax=ax)  # fmt: skip
        done = True
    if not done:
        gr = wide["municipality_id"].isin(registry.GR_MUNICIPALITIES)
        ax.scatter(wide.loc[~gr, x], wide.loc[~gr, y], s=10, color="#cccccc", label="övriga kommuner")
        ax.scatter(wide.loc[gr, x], wide.loc[gr, y], s=30, color="#1f4e79", label="GR-kommuner")
        for _, r in wide[gr].iterrows():
            if pd.notna(r[x]) and pd.notna(r[y]):
                ax.annotate(registry.municipality_name(r["municipality_id"]), (r[x], r[y]),
                            fontsize=7, xytext=(3, 3), textcoords="offset points")  # fmt: skip
        ax.set_xlabel(_short(_title(ctx, x), 60), fontsize=8)
        ax.set_ylabel(_short(_title(ctx, y), 60), fontsize=8)
        if note:
            ax.set_title(note, fontsize=9)
        ax.legend(fontsize=8)
        _comma_axis(ax, "x")
        _comma_axis(ax, "y")
    _show_figure(
        ax, ctx,
        f"Varje punkt är en kommun {ctx.year}; GR:s 13 kommuner är markerade. Sambandet gäller "
        "kommuner, inte enskilda personer (ekologiskt felslut).",
    )  # fmt: skip
    return wide


def show_pooled(ctx: Context, x: str, y: str) -> pd.DataFrame:
    """Within- and between-municipality association over all years (GR, Holm over the two rows)."""
    from fou.stats import pooled_associations

    res = pooled_associations(ctx.values, x=x, y=y, municipalities="gr")
    res = res.assign(rtext=[_r_text(r, lo, hi, n) for r, lo, hi, n in
                            zip(res["r"], res["ci_low"], res["ci_high"], res["n"], strict=True)])  # fmt: skip
    show_table(res, columns=["level", "years", "rtext", "p_adj", "note"], decimals={"p_adj": 3},
               labels={"rtext": "r [95 % KI], n (kommun-år)", "p_adj": "p (Holm, 2 test)"},
               caption=f"{x} och {y}: inom kommun (upprepade mätningar) och mellan kommuner "
               "(korrelation av medelvärden)")  # fmt: skip
    return res


def multiple_testing_text(ctx: Context, kpis: Sequence[str]) -> None:
    """Markdown with min_significant_r for 13 and 290 and the expected false positives."""
    from IPython.display import Markdown

    from fou.stats import expected_false_positives, min_significant_r
    from fou.stats.correlation import pair_count

    k = len(kpis)
    pairs = pair_count(k)
    n_all = int(ctx.values.loc[~ctx.values["municipality_id"].str.startswith("00"),
                               "municipality_id"].nunique())  # fmt: skip
    _display(Markdown(
        f"* Med **13 kommuner** måste |r| vara minst **{fmt(min_significant_r(13), 2)}** för att "
        f"vara signifikant på 5 %-nivån (utan korrektion); med alla **{n_all} kommuner** räcker "
        f"**{fmt(min_significant_r(n_all), 2)}**.\n"
        f"* {k} nyckeltal ger **{pairs} par**. Om inget samband fanns skulle ändå omkring "
        f"**{fmt(expected_false_positives(pairs), 1)}** par se ut som \"samband\" på 5 %-nivån. "
        "Därför justeras p-värdena med **Holms metod**."
    ))  # fmt: skip


# --------------------------------------------------------------------------- person-centred care


def pc_index(ctx: Context) -> pd.DataFrame:
    """Person-centredness index (national z reference) for hemtjänst and särskilt boende."""
    from fou.stats import person_centred_index

    return pd.concat(
        [person_centred_index(ctx.values, area=a, catalog=ctx.catalog) for a in AREAS],
        ignore_index=True,
    )


def show_index_position(ctx: Context, idx: pd.DataFrame) -> pd.DataFrame:
    """The municipality's index in the year against the GR mean and the national spread."""
    rows = []
    for area in AREAS:
        part = idx[(idx["area"] == area) & (idx["year"] == ctx.year)]
        own = part.loc[part["municipality_id"] == ctx.municipality_id, "index"]
        gr = part.loc[part["municipality_id"].isin(registry.GR_MUNICIPALITIES), "index"]
        nat = part.loc[~part["municipality_id"].str.startswith("00"), "index"].dropna()
        value = own.iloc[0] if len(own) else np.nan
        share = (nat < value).mean() * 100 if pd.notna(value) and len(nat) else np.nan
        rows.append({"area": area, "municipality": ctx.municipality, "index": value,
                     "gr_mean": gr.mean(), "n_gr": int(gr.notna().sum()),
                     "share_below": share, "n_nat": len(nat)})  # fmt: skip
    out = pd.DataFrame(rows)
    show_table(out, decimals={"index": 2, "gr_mean": 2, "share_below": 0},
               labels={"share_below": "Andel kommuner i riket med lägre index (%)",
                       "n_nat": "Kommuner i riket med index", "gr_mean": "GR-snitt (index)"},
               caption=f"Personcentreringsindex {ctx.year} (0 = rikets genomsnitt, "
               "enhet = standardavvikelser mellan kommuner)")  # fmt: skip
    return out


def index_trend_figure(ctx: Context, idx: pd.DataFrame) -> None:
    """Index over the years: the municipality, the GR mean, and the GR spread."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), layout="constrained", sharey=True)
    for ax, area in zip(axes, AREAS, strict=True):
        part = idx[idx["area"] == area]
        years = sorted(part["year"].unique())
        gr = part[part["municipality_id"].isin(registry.GR_MUNICIPALITIES)]
        wide = gr.pivot_table(index="year", columns="municipality_id", values="index",
                              dropna=False).reindex(years)  # fmt: skip
        ax.fill_between(years, wide.min(axis=1), wide.max(axis=1), color="#dde6ef",
                        label="GR: lägsta–högsta")  # fmt: skip
        ax.plot(years, wide.mean(axis=1), color="#8aa9c8", lw=1.5, marker="o", ms=3,
                label="GR-snitt")  # fmt: skip
        own = part[part["municipality_id"] == ctx.municipality_id].set_index("year")["index"]
        ax.plot(years, own.reindex(years), color="#1f4e79", lw=2.5, marker="o", ms=4,
                label=ctx.municipality)  # fmt: skip
        ax.axhline(0, color="grey", lw=0.8, ls="--")
        ax.set_title(area.capitalize(), fontsize=10)
        ax.set_xlabel("år")
        _comma_axis(ax, decimals=1)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("index (0 = riket)")
    _show_figure(
        fig, ctx,
        "Personcentreringsindex över tid (streckad linje = rikets genomsnitt). 2021 saknas "
        "eftersom brukarundersökningen inte genomfördes då; linjen bryts i stället för att gissa.",
    )  # fmt: skip


def show_survey_uncertainty(ctx: Context, *, area: str = "hemtjänst") -> pd.DataFrame:
    """Wilson intervals for the GR municipalities and Riket on one survey question."""
    from fou.stats import survey_uncertainty

    kpi = SURVEY_KPIS[area]
    res = survey_uncertainty(ctx.values, kpi=kpi, year=ctx.year, catalog=ctx.catalog,
                             municipalities=[*registry.GR_MUNICIPALITIES, registry.RIKET])  # fmt: skip
    res = res.assign(municipality=res["municipality_id"].map(registry.municipality_name))
    show_table(res, columns=["municipality", "value", "ci_low", "ci_high", "respondents",
                             "response_rate", "note"],
               decimals={"value": 0, "ci_low": 1, "ci_high": 1, "response_rate": 0},
               labels={"ci_low": "95 % KI nedre (Wilson)", "ci_high": "95 % KI övre (Wilson)",
                       "value": "Andel (%)"},
               caption=f"{kpi}: {_title(ctx, kpi, 90)} ({ctx.year})")  # fmt: skip
    return res


def funnel_figure(ctx: Context, *, area: str = "hemtjänst") -> Any:
    """Funnel plot of one survey share against the number of respondents (all municipalities)."""
    from fou.stats import funnel_data

    kpi = SURVEY_KPIS[area]
    fd = funnel_data(ctx.values, kpi=kpi, year=ctx.year, catalog=ctx.catalog)
    ax = _axes((8, 5))
    plot = _plotting("funnel_plot")
    done = False
    if plot is not None:
        plot(fd, highlight=ctx.municipality_id, catalog=ctx.catalog, ax=ax)
        done = True
    if not done:
        pts = fd.points
        for level, part in fd.limits.groupby("level", sort=False):
            ax.plot(part["n"], part["lower"], color="grey", lw=0.8, ls="--" if "95" in level else ":")
            ax.plot(part["n"], part["upper"], color="grey", lw=0.8, ls="--" if "95" in level else ":",
                    label=f"gräns {level}")  # fmt: skip
        ax.axhline(fd.target, color="black", lw=1, label=fd.target_label)
        gr = pts["is_gr"].astype(bool)
        ax.scatter(pts.loc[~gr, "respondents"], pts.loc[~gr, "value"], s=8, color="#cccccc")
        ax.scatter(pts.loc[gr, "respondents"], pts.loc[gr, "value"], s=25, color="#1f4e79",
                   label="GR-kommuner")  # fmt: skip
        own = pts[pts["municipality_id"] == ctx.municipality_id]
        if len(own):
            ax.scatter(own["respondents"], own["value"], s=80, color="#d95f02", label=ctx.municipality)
        ax.set_xscale("log")
        ax.set_xlabel("antal svarande (logaritmisk skala)")
        ax.set_ylabel("andel (%)")
        ax.set_title(_short(_title(ctx, kpi), 70), fontsize=9)
        ax.legend(fontsize=7)
    text = (f"Trattdiagram {ctx.year}: punkter utanför trattens gränser skiljer sig mer från "
            f"målvärdet ({fd.target_label}) än slumpen väntas ge vid det antalet svarande. "
            f"Gränser: {fd.method_label}. {fd.note}")  # fmt: skip
    _show_figure(ax, ctx, text)
    return fd


def show_alpha(ctx: Context) -> pd.DataFrame:
    """Ecological Cronbach's alpha over the 13 GR municipalities, per area, for the year."""
    from fou.stats import cronbach_alpha_ecological

    res = pd.concat(
        [cronbach_alpha_ecological(ctx.values, area=a, catalog=ctx.catalog, years=ctx.year,
                                   municipalities="gr") for a in AREAS],
        ignore_index=True,
    )  # fmt: skip
    show_table(res, columns=["area", "year", "alpha", "ci_low", "ci_high", "n", "n_items",
                             "measure", "note"],
               decimals={"alpha": 2, "ci_low": 2, "ci_high": 2},
               labels={"alpha": "Alfa (ekologisk)", "n": "Antal kommuner"},
               caption="Cronbachs alfa över kommunernas andelar: ekologisk konsistens")  # fmt: skip
    return res


def show_stability(ctx: Context, idx: pd.DataFrame) -> pd.DataFrame:
    """ICC(3,1) of the index over years among the GR municipalities."""
    from fou.stats import index_stability

    gr = idx[idx["municipality_id"].isin(registry.GR_MUNICIPALITIES)]
    res = index_stability(gr)
    show_table(res, columns=["area", "years", "n", "icc", "ci_low", "ci_high", "icc_type", "note"],
               decimals={"icc": 2, "ci_low": 2, "ci_high": 2},
               labels={"n": "Antal kommuner", "years": "År som ingår"},
               caption="Indexets stabilitet mellan åren (GR:s kommuner)")  # fmt: skip
    return res


# --------------------------------------------------------------------------- regional report


def show_gr_overview(ctx: Context, kpi: str) -> pd.DataFrame:
    """The 13 GR municipalities side by side for one key figure (best first)."""
    from fou.stats import gr_overview

    res = gr_overview(ctx.values, kpi=kpi, year=ctx.year, catalog=ctx.catalog)
    show_table(res, columns=["municipality", "value", "previous_value", "change", "diff_gr", "diff_riket", "rank",
                             "note"], decimals={"rank": 0},
               caption=f"{kpi}: {_title(ctx, kpi, 90)} ({ctx.year}); GR-snitt "
               f"{fmt(res['gr_mean'].iloc[0], 1)}, riket {fmt(res['riket'].iloc[0], 1)}")  # fmt: skip
    return res


def _gr_trend_data(ctx: Context, kpi: str, years: Sequence[int]) -> pd.DataFrame:
    """Long table (kpi, year, series, value) of the 13, their unweighted mean and Riket."""
    from fou.stats import trend_table
    from fou.core.tidy import select

    ids = [*registry.GR_MUNICIPALITIES, registry.RIKET]
    sel = select(ctx.values, kpis=kpi, municipalities=ids, years=years)
    sel = sel.drop_duplicates(["municipality_id", "year"])
    rows = sel.assign(series=sel["municipality_id"].map(registry.municipality_name))[
        ["year", "series", "value"]
    ]
    # The GR-snitt series of any member's trend table is the unweighted mean of
    # the 13, year by year (the same mean as gr_overview's gr_mean).
    trend = trend_table(ctx.values, municipality=registry.GR_MUNICIPALITIES[0], kpi=kpi, years=list(years))
    means = trend.loc[trend["series_kind"] == "gr", ["year", "series", "value"]]
    # With the kpi column the plot finds unit, breaks and years without a survey in the catalogue.
    return pd.concat([rows, means], ignore_index=True).assign(kpi=kpi)


def regional_kpi_section(ctx: Context, kpi: str, issues: pd.DataFrame, *, n_years: int = 8) -> None:
    """One key figure for the region: the 13 side by side, a trend panel, and what is missing.

    Parameters
    ----------
    ctx
        Notebook context (regional: no municipality).
    kpi
        Key figure id.
    issues
        Issue table from :func:`quality_issues` (the 13, the chosen year).
    n_years
        Years in the trend panel.
    """
    _html(f"<h3>{kpi}: {_title(ctx, kpi, 120)}</h3>")
    res = show_gr_overview(ctx, kpi)
    own = issues[(issues["kpi"] == kpi) & issues["severity"].astype(str).isin(["varning", "fel", "info"])]
    if res["value"].isna().all():
        reasons = "; ".join(dict.fromkeys(res["note"].dropna().astype(str))) or "okänd orsak"
        _html(f"<p><strong>Värdet saknas för alla GR-kommuner {ctx.year}.</strong> Orsak: {reasons}</p>")
        return
    years = [y for y in ctx.dataset.years if y <= ctx.year][-n_years:]
    plot = _plotting("trend_plot")
    if plot is not None and len(years) > 1:
        data = _gr_trend_data(ctx, kpi, years)
        ax = _axes((8, 3.6))
        names = [registry.municipality_name(m) for m in registry.GR_MUNICIPALITIES]
        plot(data, highlight="GR-snitt", background=names, background_label="GR-kommunerna", catalog=ctx.catalog,
             title="", ax=ax)  # fmt: skip
        _show_figure(
            ax, ctx,
            f"Utveckling {years[0]}–{years[-1]}: GR-snittet (ovägt medel) och riket; de tunna grå linjerna är de "
            "13 kommunerna, var för sig. Varje kommuns värde står i tabellen ovan.",
        )  # fmt: skip
    if not own.empty:
        show_table(own.assign(detail=own["detail"].map(lambda t: _short(t, 140))),
                   columns=["severity", "check", "municipality_id", "detail"],
                   caption=f"Brister i data för {kpi} ({ctx.year})", max_rows=15)  # fmt: skip


def domain_associations(ctx: Context, domain: str) -> pd.DataFrame | None:
    """Holm-corrected screen among the domain's key figures with enough GR values."""
    kpis = [k for k in ctx.catalog.ids(domain=domain)
            if ctx.values[(ctx.values["kpi"] == k) & (ctx.values["year"] == ctx.year)
                          & ctx.values["municipality_id"].isin(registry.GR_MUNICIPALITIES)]
            ["value"].notna().sum() >= 10]  # fmt: skip
    if len(kpis) < 2:
        _html("<p>För få nyckeltal med värden för minst 10 GR-kommuner för att pröva samband.</p>")
        return None
    # Enough permutations that the smallest attainable p can survive Holm over all pairs.
    n_pairs = len(kpis) * (len(kpis) - 1) // 2
    screen = gr_screen(ctx, kpis, n_resamples=max(1999, math.ceil(n_pairs / 0.025)))
    heatmap_figure(ctx, screen)
    return screen


def data_gaps_table(ctx: Context, issues: pd.DataFrame) -> pd.DataFrame:
    """Per key figure: how many of the 13 lack a value this year, and the stated reasons."""
    from fou.core.tidy import select

    sel = select(ctx.values, kpis=ctx.catalog.ids(), municipalities=registry.GR_MUNICIPALITIES,
                 years=ctx.year)  # fmt: skip
    have = sel.dropna(subset=["value"]).groupby("kpi")["municipality_id"].nunique()
    reasons = (
        issues[issues["municipality_id"].isin(registry.GR_MUNICIPALITIES) | issues["municipality_id"].isna()]
        .groupby("kpi")["check"].agg(lambda s: ", ".join(sorted(set(map(str, s)))))
    )
    out = pd.DataFrame({"kpi": ctx.catalog.ids()})
    out["title"] = out["kpi"].map(lambda k: _title(ctx, k, 70))
    out["domain"] = out["kpi"].map(lambda k: ctx.catalog.row(k)["domain"])
    out["missing"] = 13 - out["kpi"].map(have).fillna(0).astype(int)
    out["reasons"] = out["kpi"].map(reasons).fillna("")
    out = out[out["missing"] > 0].sort_values(["missing", "domain"], ascending=[False, True])
    show_table(out, columns=["domain", "kpi", "title", "missing", "reasons"],
               caption=f"Nyckeltal där GR-kommuner saknar värde {ctx.year} (antal av 13) och de "
               "brister som kontrollerna fann", max_rows=60)  # fmt: skip
    return out
