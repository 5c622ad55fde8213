"""The adapter to pytest-benchmark's private parts: it fails here, loudly, the day pytest-benchmark changes
what it relies on, and it leaves a pytest-benchmark it was not written for alone."""

import pytest
import pytest_benchmark

from mpmodel.plugin import benchmark_session as adapter

pytest_plugins = ("pytester",)


def test_installed_pytest_benchmark_is_the_major_version_the_adapter_was_written_for():
    assert adapter.major_version() == adapter.WRITTEN_FOR_MAJOR, (
        f"pytest-benchmark {pytest_benchmark.__version__} is installed; mpmodel.plugin.benchmark_session was written "
        f"for {adapter.WRITTEN_FOR_MAJOR}.x: check every attribute it uses, then update WRITTEN_FOR_MAJOR and pyproject's bound")


def test_a_real_session_has_every_private_attribute_the_adapter_uses(pytester):
    config = pytester.parseconfigure("-p", "mpmodel.plugin", "--benchmark-autosave",
                                     f"--benchmark-json={pytester.path / 'out.json'}")
    session = adapter.session_of(config)
    assert session is not None, "pytest-benchmark no longer keeps its BenchmarkSession on config._benchmarksession"
    assert adapter.unsupported(session) is None
    for name in adapter.SESSION_ATTRIBUTES:
        assert hasattr(session, name), name


def test_another_major_version_or_a_missing_attribute_is_named():
    class Storage:
        save = get = logger = None

    class Session:
        storage, json, save, autosave, save_json, logger = Storage(), None, "", False, None, None
        compare, compared_mapping, columns = None, {}, []

    assert adapter.unsupported(Session(), version="6.0.0") == \
        f"pytest-benchmark 6.0.0 is not the {adapter.WRITTEN_FOR_MAJOR}.x this plugin was written for"
    broken = Session()
    del Session.compared_mapping
    assert adapter.unsupported(broken, version="5.9.0") == "pytest-benchmark 5.9.0 has no compared_mapping"


@pytest.mark.session
def test_an_unsupported_pytest_benchmark_is_left_alone_and_said_so(pytester, monkeypatch):
    pytester.makepyfile("def test_sum(benchmark):\n    benchmark(sum, range(100))\n")
    pytester.makeconftest("import pytest_benchmark\npytest_benchmark.__version__ = '6.0.0'\n")
    result = pytester.runpytest_subprocess("-p", "mpmodel.plugin", "--benchmark-autosave",
                                         "--mp-offline",  # the suite in use
                                           f"--benchmark-storage=file://{pytester.path / 'storage'}")
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*mpmodel: pytest-benchmark 6.0.0 is not the 5.x this plugin was written for: "
                                 "saves are not atomic*install pytest-benchmark 5.x"])


def test_the_table_gets_the_suites_columns_unless_the_user_chose(pytester):
    config = pytester.parseconfigure("-p", "mpmodel.plugin")
    session = adapter.session_of(config)
    assert list(session.columns) == adapter.PYTEST_BENCHMARK_COLUMNS, "pytest-benchmark's default columns changed"
    adapter.fit_table(session)
    assert session.columns == adapter.TABLE_COLUMNS
    chosen = adapter.session_of(pytester.parseconfigure("-p", "mpmodel.plugin", "--benchmark-columns=mean,ops"))
    adapter.fit_table(chosen)
    assert list(chosen.columns) == ["mean", "ops"]


class Terminal:
    def __init__(self):
        self.text = ""

    def write_line(self, line="", **markup):
        self.text += f"{line}\n"

    def write(self, content, **markup):
        self.text += content

    def ensure_newline(self):
        self.text += "" if not self.text or self.text.endswith("\n") else "\n"


LEGEND = ["Legend:", "  Outliers: 1 Standard Deviation from Mean; 1.5 IQR (InterQuartile Range) from 1st Quartile "
          "and 3rd Quartile.", "  OPS: Operations Per Second, computed as 1 / Mean"]


def draw(writer):
    """What pytest-benchmark's table writes, as its display does: blank lines around each group, the legend."""
    writer.ensure_newline()
    writer.write_line("")
    for group in ("speedup", "step time"):
        writer.write_line("")
        writer.write_line(f"--- benchmark {group!r} ---")
        writer.write("test_x   1.0 (1.0)")
        writer.write("\n")
        writer.write_line("-" * 20)
        writer.write_line("")
    for line in LEGEND:
        writer.write_line(line)


def test_the_table_is_drawn_with_no_blank_line_and_its_legend_only_for_the_columns_it_explains():
    term = Terminal()
    draw(adapter.TableWriter(term, legend=False))
    assert "\n\n" not in term.text and "Legend" not in term.text
    assert term.text.count("test_x   1.0 (1.0)") == 2 and term.text.startswith("--- benchmark 'speedup' ---")
    shown = Terminal()
    draw(adapter.TableWriter(shown, legend=True))
    assert all(line in shown.text for line in LEGEND)


def test_the_suites_table_keeps_no_legend_and_a_chosen_ops_column_keeps_it(pytester):
    written = []
    for args in ((), ("--benchmark-columns=median,ops",)):
        session = adapter.session_of(pytester.parseconfigure("-p", "mpmodel.plugin", *args))
        session.display = lambda tr: written.append(tr._legend)  # what pytest-benchmark's display is handed
        adapter.fit_table(session)
        session.display(Terminal())
    assert written == [False, True]


def bench(fullname, group=None):
    return {"fullname": fullname, "name": fullname.split("::")[-1], "group": group}


def test_the_table_holds_the_timed_steps_a_kind_each_and_leaves_fits_and_memory_out():
    suite = "mpmodel/suite/"
    benches = [bench(f"{suite}test_step_time.py::test_step_time[small-mixed_bfloat16]"),
               bench(f"{suite}test_step_time.py::test_step_time[small-float32]"),
               bench(f"{suite}test_speedup.py::test_speedup[small-mixed_bfloat16]"),
               bench(f"{suite}test_accuracy.py::test_accuracy[small-mixed_bfloat16]"),
               bench(f"{suite}test_accuracy.py::test_seed_recipe_accuracy[small-mixed_bfloat16]"),
               bench(f"{suite}test_memory.py::test_memory[small-float32]"),
               bench("tests/test_mine.py::test_memory", group="mine")]  # a user's own test of that name stays
    groups, left_out = adapter.suite_groups(benches)
    assert left_out == 3
    assert [(kind, [b["name"] for b in rows]) for kind, rows in groups] == [
        ("mine", ["test_memory"]),
        ("speedup: one mixed round of K steps", ["test_speedup[small-mixed_bfloat16]"]),
        ("step time: one step", ["test_step_time[small-float32]", "test_step_time[small-mixed_bfloat16]"])]


def test_cancel_saving_turns_off_every_kind_of_save():
    class Session:
        save, autosave, json = "x", True, "out.json"

    s = Session()
    assert adapter.cancel_saving(s) and not s.save and not s.autosave and s.json is None
    assert not adapter.cancel_saving(s)


def test_a_round_added_after_pedantic_is_counted_and_saved(pytester):
    pytester.makepyfile(test_added_round_of_a_benchmark="""
        from mpmodel.plugin.benchmark_session import add_round

        def test_rounds(benchmark):
            benchmark.pedantic(lambda: None, rounds=2, iterations=1)
            add_round(benchmark, 0.5)
            assert benchmark.stats.stats.rounds == 3 and benchmark.stats.stats.max == 0.5
    """)
    assert pytester.runpytest_inprocess("-p", "mpmodel.plugin").ret == 0


def test_a_round_added_under_benchmark_disable_is_dropped():
    class Disabled:
        enabled, stats = False, None

    adapter.add_round(Disabled(), 1.0)  # nothing to count in, and nothing raised
