"""The report page: self-contained (no network fetch), and rendered for real in headless Chromium, whose
DOM must hold the matrix, the one-fact difference, each context's history and the gates, with the plot
decoded."""

import re
import shutil
import subprocess

import pytest

from mpmodel.history.cli import main

BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def browser() -> str | None:
    return next((shutil.which(b) for b in BROWSERS if shutil.which(b)), None)


def test_the_page_needs_no_network(storage, tmp_path):
    page = tmp_path / "report.html"
    assert main(["report", "--storage", str(storage), "--html", str(page)]) == 0
    html = page.read_text()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)  # nothing fetched from anywhere
    assert "data:image/png;base64," in html


@pytest.mark.browser
def test_headless_chromium_renders_the_matrix_history_plot_and_gates(storage, tmp_path):
    exe = browser()
    if exe is None:
        pytest.skip("no Chromium on PATH (Debian: apt-get install chromium; .ci/run installs it)")
    page = tmp_path / "report.html"
    assert main(["report", "--storage", str(storage), "--html", str(page)]) == 0
    dom = subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert "<title>mpmodel report: 2 of 2 plots rendered</title>" in dom  # a plot per context
    assert "Device matrix: the latest run of every context" in dom
    assert "TF_ENABLE_ONEDNN_OPTS unset -&gt; 0: mixed_float16 speedup" in dom
    assert dom.count("<h3>CPU AMD EPYC") == 2  # a history table per context
    assert '<tr class="FAIL">' in dom and "Gates of the latest run (0003)" in dom
