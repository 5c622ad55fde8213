"""The crawl sentences, from measured figures alone."""

from mpmodel.measure import crawl
from mpmodel.measure.ceilings import SpeedOfLight
from mpmodel.measure.probe import ProbedStep

BASE = ProbedStep("float32", 1.0, (0.1, 0.1, 0.1))


def test_the_fusion_cause_says_where_the_time_went_or_that_it_is_unknown():
    names = ("TensorFlow's graph remapper", "the remapper", "MatMul+BiasAdd")
    fused = crawl.fusion_cause(*names, ProbedStep("mixed_float16", 1.0, (0.11,), remapping=False), BASE)
    assert fused.endswith("the remapper's fused kernels (MatMul+BiasAdd) are where the time went")
    elsewhere = crawl.fusion_cause(*names, ProbedStep("mixed_float16", 1.0, (5.0,), remapping=False), BASE)
    assert elsewhere.endswith("the remapper is not where the time went")
    failed = crawl.fusion_cause(*names, ProbedStep("mixed_float16", None, error="exited -9"), BASE)
    assert failed.endswith("so the cause is not known")


def test_the_reason_names_the_test_its_work_and_its_cost():
    facts = crawl.crawl_evidence("mixed_bfloat16", ProbedStep("mixed_bfloat16", 30.0, (24.0,)), ProbedStep(
        "float32", 1.0, (0.18,)), SpeedOfLight(20.0, 2e10, 1), "a cause")
    assert facts.startswith("mixed_bfloat16's step takes 24 s per step here, 133x float32's 180 ms")
    reason = crawl.crawl_reason("test_accuracy", 3, facts, crawl.would_take(1260.0, stopped=True))
    assert reason.startswith("crawling: mixed_bfloat16's step") and "its 3 accuracy fits would take at least about 21" in reason
    assert reason.endswith("--mp-slow-policies runs it")


def test_the_headline_is_the_evidence_up_to_its_first_clause():
    evidence = "mixed_bfloat16's step takes 503 ms per step here, 338x float32's 1.49 ms (over 10x); its kernels alone"
    assert crawl.crawl_headline(evidence) == ("crawling: mixed_bfloat16's step takes 503 ms per step here, 338x "
                                              "float32's 1.49 ms (over 10x)")
