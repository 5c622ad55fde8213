"""Which saved run a run is judged against, chosen by the branch its commit was on (pytest-benchmark's
commit_info, or the CI's branch where git had a detached head; mpmodel.plugin.session records it):

- `previous`: the newest run before the latest on the latest's branch (runs that recorded no branch count as any);
- `branch:NAME`: the newest run on branch NAME other than the latest;
- `baseline`: on a pull request (GitHub Actions sets GITHUB_BASE_REF) its base branch's newest run, so a pull
  request is compared with main and not with a neighbour's branch; elsewhere `previous`.

Where there is no such run the history holds no baseline yet: `NoBaseline`, a first run and not an error in the
input (`mpmodel compare` exits 3 for it, 0 with --no-baseline-ok).
"""

from __future__ import annotations

import os

from mpmodel.store.runs import HistoryError

BASE_REF_ENV = "GITHUB_BASE_REF"  # the pull request's target branch; empty or unset outside a pull request
BRANCH_PREFIX = "branch:"
SELECTORS = ("previous", "baseline")


class NoBaseline(HistoryError):
    """The history holds no run to compare the latest with: a first run."""


def is_selector(spec: str) -> bool:
    return spec in SELECTORS or spec.startswith(BRANCH_PREFIX)


def wanted_branch(spec: str, latest_branch: str | None, environ=os.environ) -> tuple[str | None, bool]:
    """(the branch the baseline must be on, None for any; whether a run that recorded no branch may stand in)."""
    if spec == "baseline" and environ.get(BASE_REF_ENV, "").strip():
        return environ[BASE_REF_ENV].strip(), False
    if spec.startswith(BRANCH_PREFIX):
        name = spec.removeprefix(BRANCH_PREFIX).strip()
        if not name:
            raise HistoryError(f"{spec!r}: name a branch, e.g. branch:main")
        return name, False
    return latest_branch, True


def pick(spec: str, newest_first, shown: str, environ=os.environ):
    """The entry of the run `spec` selects, from `newest_first` ((entry, run summary) pairs, newest first);
    NoBaseline where none qualifies."""
    pairs = iter(newest_first)
    first = next(pairs, None)
    if first is None:
        raise NoBaseline(f"{spec}: {shown} holds no readable saved run yet, so there is nothing to compare")
    latest = first[1]
    branch, any_unrecorded = wanted_branch(spec, latest.branch, environ)
    for entry, run in pairs:
        if branch is None or run.branch == branch or (any_unrecorded and run.branch is None):
            return entry
    where = f"on branch {branch} " if branch else ""
    via = f" ({BASE_REF_ENV}={branch}: a pull request)" if spec == "baseline" and not any_unrecorded else ""
    raise NoBaseline(f"{spec}: no saved run {where}before run {latest.number} in {shown}{via}: no baseline yet "
                     f"({latest.number} is the first; the next run is compared with it)")
