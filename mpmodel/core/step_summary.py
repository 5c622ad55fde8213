"""A CI job's summary page: where `GITHUB_STEP_SUMMARY` names a file (GitHub Actions sets it for each step),
Markdown appended to it shows on the run's page. The suite appends its gates, `mpmodel compare` its comparison."""

from __future__ import annotations

import os
from pathlib import Path

SUMMARY_ENV = "GITHUB_STEP_SUMMARY"


def append(markdown: str, environ=os.environ) -> Path | None:
    """Append `markdown` to $GITHUB_STEP_SUMMARY; None where it is unset or there is nothing to say. OSError where
    the file cannot be written."""
    target = environ.get(SUMMARY_ENV, "").strip()
    if not target or not markdown:
        return None
    path = Path(target)
    with path.open("a", encoding="utf-8") as f:
        f.write(markdown if markdown.endswith("\n\n") else markdown.rstrip("\n") + "\n\n")
    return path
