"""The run's gates as Markdown for a CI job's summary page: where `GITHUB_STEP_SUMMARY` names a file (GitHub
Actions sets it), the suite appends a table of every gate's verdict, with the device and the profile."""

from __future__ import annotations

import os
from pathlib import Path

from mpmodel.core.step_summary import append

ICON = {"pass": "pass", "FAIL": "**FAIL**", "skip": "skip (not expected)"}


def markdown(title: str, verdicts: list[tuple[str, str, str]]) -> str:
    """'### title' and one row per gate: test, outcome, the verdict's message (pipes escaped)."""
    lines = [f"### {title}", "", "| gate | outcome | measured |", "|---|---|---|"]
    for name, outcome, message in verdicts:
        lines.append(f"| `{name}` | {ICON.get(outcome, outcome)} | {message.replace('|', '&#124;')} |")
    return "\n".join(lines) + "\n\n"


def append_summary(title: str, verdicts: list[tuple[str, str, str]], environ=os.environ) -> Path | None:
    """Append the Markdown to $GITHUB_STEP_SUMMARY; None where it is unset or there is nothing to say."""
    return append(markdown(title, verdicts), environ) if verdicts else None
