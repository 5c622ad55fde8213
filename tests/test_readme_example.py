"""The README's own-model example is the file the tests and CI run (tests/fixtures/workloads/my_workload.py), and
it fits the README's promise of a model under every gate in under 30 lines."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "fixtures" / "workloads" / "my_workload.py"


def readme_example() -> str:
    text = (ROOT / "README.md").read_text()
    marker = "<!-- example: tests/fixtures/workloads/my_workload.py"
    block = text.split(marker, 1)[1].split("```python\n", 1)[1]
    return block.split("```", 1)[0]


def test_the_readme_example_is_the_tested_file():
    assert readme_example() == EXAMPLE.read_text()


def test_the_example_is_under_30_lines():
    assert len(EXAMPLE.read_text().splitlines()) < 30
