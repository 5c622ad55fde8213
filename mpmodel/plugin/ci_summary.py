"""The run's gates as Markdown for a CI job's summary page: where `GITHUB_STEP_SUMMARY` names a file (GitHub
Actions sets it), and to the file --mp-summary names (any other CI system), the suite appends its end-of-run
summary (mpmodel.measure.summary: a row per mixed policy, its footnotes, every gate's full message folded)."""

from __future__ import annotations

import os
from pathlib import Path

from mpmodel.core.step_summary import SUMMARY_ENV, append
from mpmodel.measure.summary import GateRecord, markdown


def append_summary(title: str, gates: list[GateRecord], environ=os.environ, also: str = "") -> list[Path]:
    """Append the Markdown to $GITHUB_STEP_SUMMARY and to `also` where given; the files written (none where neither
    is set or there is nothing to say). OSError where one cannot be written."""
    if not gates:
        return []
    text = markdown(title, gates)
    written = [p for p in [append(text, environ)] if p is not None]
    if also:
        written += [p for p in [append(text, {SUMMARY_ENV: also})] if p is not None]
    return written
