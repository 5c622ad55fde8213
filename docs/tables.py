"""The manual's generated tables, kept to the code: the suite's options (from `mpmodel.plugin.options.OPTIONS`), the
history CLI's options and defaults (from its parser) and the bad inputs (run for real from `tests/bad_inputs.py`).

    python docs/tables.py               # write the options tables into docs/usage.md and docs/history.md
    python docs/tables.py bad-inputs    # run every bad input (minutes) and write its table into docs/reliability.md
    python docs/tables.py --check       # exit 1, one line per table that no longer matches the code

Each table sits between `<!-- generated: NAME ... -->` and `<!-- end of generated: NAME -->`. tests/test_docs.py
runs the check, so an option or a bad input missing from the manual fails a test.
"""

from __future__ import annotations

import datetime
import os
import platform
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
TABLES = {"options": DOCS / "usage.md", "cli": DOCS / "history.md", "bad-inputs": DOCS / "reliability.md"}
BLOCK = r"(<!-- generated: {name} [^\n]*-->\n)(.*?)(<!-- end of generated: {name} -->)"


def _block(name: str, text: str) -> re.Match:
    found = re.search(BLOCK.format(name=re.escape(name)), text, re.S)
    if found is None:
        raise SystemExit(f"{TABLES[name].relative_to(ROOT)}: no generated block for {name!r}")
    return found


def _write(name: str, body: str) -> None:
    path = TABLES[name]
    text = path.read_text()
    found = _block(name, text)
    path.write_text(text[: found.start(2)] + body + text[found.end(2):])


def options_table() -> str:
    sys.path.insert(0, str(ROOT))
    from mpmodel.plugin.options import markdown_table

    return markdown_table()


def cli_table() -> str:
    sys.path.insert(0, str(ROOT))
    os.environ.pop("MPMODEL_HISTORY", None)  # the parser's --source default reads it
    from mpmodel.history.cli import markdown_table

    return markdown_table()


def _bad_inputs():
    sys.path.insert(0, str(ROOT / "tests"))
    import bad_inputs

    return bad_inputs


def _machine() -> str:
    """The CPU as the manual names machines: model, cores and the flags that decide bf16 and float16."""
    cpuinfo = Path("/proc/cpuinfo").read_text() if Path("/proc/cpuinfo").exists() else ""
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    flags = re.search(r"^flags\s*:\s*(.+)$", cpuinfo, re.M)
    shown = [f for f in ("amx_bf16", "avx512_bf16", "avx512_fp16") if flags and f in flags.group(1).split()]
    name = model.group(1).strip() if model else platform.processor() or platform.machine()
    return f"{name} ({os.cpu_count()} cores{'; ' + ', '.join(shown) if shown else ''}), {platform.machine()}"


def bad_inputs_table() -> str:
    """Every bad input run now; the table, headed by the machine and date it ran on."""
    bad_inputs = _bad_inputs()
    rows = [row for row, _ in bad_inputs.rows()]
    caption = f"Run by `python docs/tables.py bad-inputs` on {_machine()}, {datetime.date.today().isoformat()}.\n\n"
    return caption + bad_inputs.HEADER + "\n" + "\n".join(rows) + "\n"


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]]


def stale() -> list[str]:
    """What in the manual no longer matches the code, one line each."""
    problems = []
    if _block("options", TABLES["options"].read_text()).group(2) != options_table():
        problems.append("docs/usage.md: the options table differs from mpmodel.plugin.options.OPTIONS; "
                        "run python docs/tables.py")
    if _block("cli", TABLES["cli"].read_text()).group(2) != cli_table():
        problems.append("docs/history.md: the history CLI's options table differs from its parser (mpmodel.history.cli); "
                        "run python docs/tables.py")
    cases = _bad_inputs().CASES
    body = _block("bad-inputs", TABLES["bad-inputs"].read_text()).group(2)
    rows = [_cells(line) for line in body.splitlines() if line.startswith("| ") and not line.startswith("| bad input")]
    documented = [cells[0] for cells in rows]
    wanted = [case.name for case in cases]
    if documented != wanted:
        missing = [n for n in wanted if n not in documented]
        extra = [n for n in documented if n not in wanted]
        problems.append(f"docs/reliability.md: the bad-input table's rows differ from tests/bad_inputs.py's cases "
                        f"(missing: {missing or 'none'}; not a case: {extra or 'none'}; or out of order); "
                        "run python docs/tables.py bad-inputs")
    else:
        for case, cells in zip(cases, rows, strict=True):
            line = cells[2].strip("`").replace("\\|", "|")
            if case.expect not in line or cells[1] in ("0", "") or cells[3] != "nothing" or "NOT CLEAN" in "".join(cells):
                problems.append(f"docs/reliability.md: bad input {case.name!r}: the documented outcome "
                                f"({' | '.join(cells[1:4])}) is not the case's ({case.expect!r}, non-zero exit, "
                                "nothing saved); run python docs/tables.py bad-inputs")
    return problems


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        problems = stale()
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    if argv in ([], ["options"]):
        _write("options", options_table())
        _write("cli", cli_table())
        return 0
    if argv == ["bad-inputs"]:
        _write("bad-inputs", bad_inputs_table())
        return 0
    print(f"docs/tables.py: unknown arguments {' '.join(argv)!r}; use options, bad-inputs or --check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
