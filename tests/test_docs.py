"""The manual against the code (docs/tables.py): the options table is the option definitions, the bad-input
table holds every case of tests/bad_inputs.py, the site builds in strict mode, and the README's links resolve."""

import importlib.util
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from mpmodel.plugin.options import OPTIONS

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("doc_tables", ROOT / "docs" / "tables.py")
tables = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tables)

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def test_the_generated_tables_match_the_code():
    assert tables.stale() == []


@pytest.fixture
def docs_copy(tmp_path, monkeypatch):
    """The two pages with generated tables, copied so a test may break them."""
    copies = {}
    for name, path in tables.TABLES.items():
        copies[name] = tmp_path / path.name
        shutil.copy(path, copies[name])
    monkeypatch.setattr(tables, "TABLES", copies)
    return copies


def test_an_option_removed_from_the_docs_fails(docs_copy):
    page = docs_copy["options"]
    page.write_text("\n".join(line for line in page.read_text().splitlines() if "`--mp-history URL`" not in line) + "\n")
    assert [p for p in tables.stale() if "options table" in p]


def test_a_changed_default_fails(docs_copy):
    page = docs_copy["options"]
    page.write_text(page.read_text().replace("| `mp_memory` | `on` |", "| `mp_memory` | `off` |"))
    assert [p for p in tables.stale() if "options table" in p]


def test_a_bad_input_missing_from_the_docs_fails(docs_copy):
    page = docs_copy["bad-inputs"]
    page.write_text("\n".join(line for line in page.read_text().splitlines() if "| unknown profile |" not in line) + "\n")
    problems = tables.stale()
    assert any("missing: ['unknown profile']" in p for p in problems), problems


def test_a_bad_input_documented_with_another_outcome_fails(docs_copy):
    page = docs_copy["bad-inputs"]
    page.write_text(page.read_text().replace("unknown profile 'huge'", "unknown size 'huge'"))
    assert any("'unknown profile'" in p for p in tables.stale())


@pytest.mark.framework
def test_every_registered_option_is_defined_once_and_documented():
    """pytest's own --help lists exactly the options OPTIONS defines, each with its ini twin in the manual."""
    shown = subprocess.run([sys.executable, "-m", "pytest", "--help", "-p", "no:cacheprovider"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    registered = set(re.findall(r"^\s+(--mp-[a-z0-9-]+)", shown, re.M))
    assert registered == {o.flag for o in OPTIONS}
    usage = (ROOT / "docs" / "usage.md").read_text()
    for opt in OPTIONS:
        assert f"`{opt.ini}`" in usage and f"`{opt.flag}" in usage, opt.flag


def slugify(heading: str) -> str:
    """A heading's anchor as MkDocs (Python-Markdown's toc) makes it; GitHub's agrees for these headings."""
    text = unicodedata.normalize("NFKD", re.sub(r"[`*]", "", heading)).encode("ascii", "ignore").decode()
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", text).strip().lower())


def anchors(page: Path) -> set[str]:
    text = re.sub(r"```.*?```", "", page.read_text(), flags=re.S)
    return {slugify(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


def broken_links(page: Path) -> list[str]:
    """Relative links from a Markdown file outside the site (the README, CHANGELOG) that name no file or anchor."""
    broken = []
    for target in LINK.findall(re.sub(r"```.*?```", "", page.read_text(), flags=re.S)):
        if re.match(r"[a-z]+:", target):
            continue  # an absolute URL: not checked offline
        path, _, anchor = target.partition("#")
        file = (page.parent / path) if path else page
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif anchor and anchor not in anchors(file):
            broken.append(f"{target}: no heading with that anchor in {file.name}")
    return broken


@pytest.mark.parametrize("name", ["README.md", "CHANGELOG.md", "studies/README.md"])
def test_links_outside_the_site_resolve(name):
    assert broken_links(ROOT / name) == []


def test_the_link_check_sees_a_broken_link(tmp_path):
    (tmp_path / "a.md").write_text("# Top\n\n## Some part\n")
    page = tmp_path / "README.md"
    page.write_text("[ok](a.md#some-part) [ok](#top-of-readme) [bad](a.md#none) [bad](b.md)\n\n# Top of README\n")
    assert broken_links(page) == ["a.md#none: no heading with that anchor in a.md", "b.md: no such file"]


def test_the_readme_is_a_front_page():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 200


@pytest.mark.browser
def test_the_site_builds_in_strict_mode(tmp_path):
    """Broken links and anchors inside docs/ fail MkDocs's strict build (mkdocs.yml's validation)."""
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("MkDocs is not installed here: pip install -e '.[docs]' (the test extra has it; .ci/run builds the site)")
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]


FRONT_PAGE_TERMS = ("speed of light", "ceiling", "efficiency", "crawling", "context", "series", "A/A runs", "footprint",
                    "K", "floor", "harness check", "compile mode", "float32 variant", "the seed", "seeds", "prior")


def test_the_glossary_defines_every_term_the_front_page_uses_once():
    glossary = (ROOT / "docs" / "glossary.md").read_text()
    defined = [term for row in glossary.splitlines() if row.startswith("| **")
               for term in re.findall(r"\*\*(.+?)\*\*", row.split(" | ")[0])]
    assert sorted(set(defined)) == sorted(defined), "a term defined twice"
    assert [t for t in FRONT_PAGE_TERMS if t not in defined] == []
    assert "docs/glossary.md" in (ROOT / "README.md").read_text()
