"""The history plot from real runs: a real PNG, written whole; a clear error without matplotlib."""

import sys

import pytest

from mpmodel.history.render_plot import PlotUnavailable, plot_history

PNG = b"\x89PNG\r\n\x1a\n"


def test_plot_writes_a_png(tmp_path, saved_runs):
    target = plot_history(saved_runs, {}, tmp_path / "out" / "history.png")
    data = target.read_bytes()
    assert data.startswith(PNG) and len(data) > 20_000
    assert [p.name for p in target.parent.iterdir()] == ["history.png"]  # no temporary left behind


def test_without_matplotlib_the_error_says_what_to_install(tmp_path, saved_runs, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(PlotUnavailable, match=r"pip install 'mpmodel\[plot\]'"):
        plot_history(saved_runs, {}, tmp_path / "history.png")
    assert not (tmp_path / "history.png").exists()
