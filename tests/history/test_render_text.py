"""A crawling policy has no timed row: report and compare name it from the run's record."""

from dataclasses import replace

from mpmodel.history.comparison import compare_runs
from mpmodel.history.render_text import crawling_lines, format_comparison, format_report
from mpmodel.store.database import summary_of

CRAWL = {"policy": "mixed_float16", "compiled": False, "fp32": "default", "step_s": 10.1, "stopped": True,
         "float32_step_s": 0.0746, "cause": "with TensorFlow's graph remapper off its step takes 74.2 ms per step"}


def test_a_crawling_policy_is_shown_with_its_probed_step_and_cause(saved_runs):
    run = replace(saved_runs[-1], mpmodel={"crawling": [CRAWL]})
    assert crawling_lines(run) == [
        "       crawling: mixed_float16 (compiled False, float32 default) over 10.1 s per step against float32's 74.6 ms: "
        "not timed or fitted; with TensorFlow's graph remapper off its step takes 74.2 ms per step"]
    assert crawling_lines(saved_runs[0]) == []
    named = replace(saved_runs[-1], mpmodel={"crawling": [{**CRAWL, "jit": "auto"}]})  # 0.5 on: the compile mode saved
    assert crawling_lines(named)[0].startswith("       crawling: mixed_float16 (jit auto, float32 default) over 10.1 s")
    assert "crawling: mixed_float16" in format_report([saved_runs[0], run], {}, [], "thresholds: default")
    text = format_comparison(compare_runs(saved_runs[0], run))
    assert "after: crawling: mixed_float16" in text and "before: crawling" not in text


def test_the_store_summary_keeps_the_crawling_list():
    assert summary_of({"mpmodel": {"crawling": [CRAWL], "verdicts": []}})["mpmodel"] == {"crawling": [CRAWL]}
    assert summary_of({})["mpmodel"] == {"crawling": []}
