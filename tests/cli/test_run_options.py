"""``fou run --comparison``: the batch's jamforelse replaced from the command line, checked first."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from fou.cli import app

runner = CliRunner()


def test_unknown_comparison_is_refused_before_anything_runs(project: Path):
    (project / "parameters" / "gr.yaml").write_text("regional: [regional_report]\n", "utf-8")
    res = runner.invoke(
        app,
        [
            "run",
            "-s",
            "demo",
            "--comparison",
            "norden",
            "--notebooks-dir",
            str(Path(__file__).parents[2] / "notebooks"),
        ],
    )
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert "--comparison: jamforelse måste vara ett av 'gr'" in text
    assert not (project / "outputs" / "manifest.json").exists()
