"""The end-of-run summary: a row per mixed step with its numbers, one word, a short reason and each long reason
once as a footnote; as text and as Markdown."""

from mpmodel.measure.summary import GateRecord, markdown, rows, table, text_lines

WHY_BF16 = "no speedup expected on x86 CPU without bf16 instructions: bfloat16 is converted in software"
WHY_MEM = "no saving expected on x86 CPU without bf16 instructions: the conversions add buffers"


def gate(test, policy, outcome, reason="", workload="mlp", **extra):
    tid = f"{test}[small-jit_auto-fp32_default-{policy}]"
    return GateRecord(test, tid, outcome, f"{policy}: the full message of {test}", reason,
                      {"workload": workload, "policy": policy, "jit": "auto", "fp32": "default", **extra})


RECORDS = [
    gate("test_speedup", "mixed_float16", "skip", WHY_BF16, speedup=0.924, speedup_ci_low=0.899, speedup_ci_high=0.945,
         min_speedup=None, speedup_ceiling=1.03),
    gate("test_speedup", "mixed_bfloat16", "skip", WHY_BF16, speedup=0.911, speedup_ci_low=0.907, speedup_ci_high=0.925,
         min_speedup=None, speedup_ceiling=1.14),
    gate("test_accuracy", "mixed_float16", "pass", accuracy_delta=0.0, accuracy_delta_low=0.0, accuracy_tol=0.01),
    gate("test_accuracy", "mixed_bfloat16", "FAIL", "the mean drop alone exceeds it", accuracy_delta=-0.0219,
         accuracy_delta_low=-0.0256, accuracy_tol=0.01),
    gate("test_memory", "float32", "pass"),
    gate("test_memory", "mixed_bfloat16", "skip", WHY_MEM, memory_ratio=2.23),
    gate("test_seed_recipe_accuracy", "mixed_bfloat16", "pass"),
    gate("test_speedup", "mixed_bfloat16", "pass", workload="conv", speedup=1.4, speedup_ci_low=1.38,
         speedup_ci_high=1.44, min_speedup=1.2, speedup_ceiling=1.9),
]


def test_a_row_per_workload_and_mixed_step_with_the_worst_outcome_as_its_word():
    got = {(r.workload, r.step): r.word for r in rows(RECORDS)}
    assert got == {("mlp", "mixed_float16"): "pass", ("mlp", "mixed_bfloat16"): "FAIL", ("conv", "mixed_bfloat16"): "pass"}


def test_each_long_reason_is_one_footnote_however_many_rows_cite_it():
    cells, notes = table(RECORDS)
    assert notes == [WHY_BF16, "the mean drop alone exceeds it", WHY_MEM]
    fp16, bf16, conv = cells
    assert fp16 == ["mlp", "mixed_float16", "0.924x [0.899, 0.945] (none)", "1.030x", "+0.0000 (>= -0.01)", "-", "pass",
                    "no speedup expected [1]"]
    assert bf16[4:] == ["-0.0256 (>= -0.01)", "2.23", "FAIL",
                        "no speedup expected [1]; accuracy may drop past the tolerance [2]; no saving expected [3]"]
    assert conv[2:4] == ["1.400x [1.380, 1.440] (>= 1.2x)", "1.900x"] and conv[-1] == "every gate passed"


def test_text_lines_align_and_end_with_the_footnotes():
    lines = text_lines(RECORDS)
    assert lines[0].startswith("workload  policy") and len(lines) == 1 + 3 + 3
    assert lines[-3] == f"[1] {WHY_BF16}"
    assert max(len(line) for line in lines[:4]) < 200


def test_markdown_has_the_table_the_footnotes_and_every_full_message_folded():
    text = markdown("mpmodel gates: CPU AMD EPYC, mlp, small profile", RECORDS)
    assert text.startswith("### mpmodel gates: CPU AMD EPYC, mlp, small profile\n")
    assert "| mlp | mixed_bfloat16 | 0.911x [0.907, 0.925] (none) | 1.140x | -0.0256 (>= -0.01) | 2.23 | **FAIL** |" in text
    assert f"1. {WHY_BF16}" in text and "<details>" in text
    assert "| `test_seed_recipe_accuracy[small-jit_auto-fp32_default-mixed_bfloat16]` | pass |" in text


def test_several_compile_modes_are_named_in_the_row():
    two = RECORDS[:1] + [GateRecord("test_speedup", "t", "skip", "m", WHY_BF16,
                                    {**RECORDS[0].extra, "jit": "on"})]
    assert [r.step for r in rows(two)] == ["mixed_float16 (jit auto, float32 default)",
                                           "mixed_float16 (jit on, float32 default)"]


def test_a_crawling_step_has_its_row_with_one_crawl_footnote_for_all_its_gates():
    head = "crawling: mixed_bfloat16's step takes 503 ms per step here, 338x float32's 1.49 ms (the crawl rule: over 10x)"
    crawled = [GateRecord(t, f"{t}[tiny-jit_auto-fp32_default-mixed_bfloat16]", "skip", f"{head}; the rest", head,
                          {"workload": "mlp", "policy": "mixed_bfloat16", "jit": "auto", "fp32": "default"})
               for t in ("test_speedup", "test_accuracy", "test_memory")]
    cells, notes = table(crawled)
    assert notes == [head]
    assert cells == [["mlp", "mixed_bfloat16", "-", "-", "-", "-", "skip", "crawling [1]"]]


def test_a_skip_is_one_line_of_the_measurement_and_its_short_reason():
    from mpmodel.measure.summary import SKIP_LINE, skip_line
    speedup = ("mixed_float16 speedup over float32 0.604x, 95% CI [0.445, 0.702] from 15 interleaved pairs (the kernels "
               "alone reach 1.51x (float32 0.0144, mixed 0.0217 TFLOP/s)); step efficiency float32 0.71; " + WHY_BF16)
    assert skip_line(speedup, WHY_BF16, "test_speedup") == ("mixed_float16 speedup over float32 0.604x, 95% CI "
                                                            "[0.445, 0.702] from 15 interleaved pairs; no speedup expected")
    crawl = "crawling: mixed_bfloat16's step takes 503 ms per step here, 338x float32's 1.49 ms (over 10x); its kernels"
    assert skip_line(crawl, crawl, "test_memory") == "crawling: mixed_bfloat16's step takes 503 ms per step here, " \
                                                     "338x float32's 1.49 ms"
    long = skip_line("x " * 200, "because: of this", "test_step_time")
    assert len(long) <= SKIP_LINE and long.endswith(" ...; because")


def test_a_partial_ceilings_skip_reads_not_gated():
    from mpmodel.measure.summary import skip_line
    why = "not gated: the ceiling 1.03x is partial, its kernels leaving out conv2d (Conv2D)"
    g = gate("test_speedup", "mixed_bfloat16", "skip", why, speedup=1.404, speedup_ci_low=1.385, speedup_ci_high=1.439,
             min_speedup=None, speedup_ceiling=1.03)
    cells, notes = table([g])
    assert cells[0][-1] == "not gated [1]" and notes == [why]
    assert skip_line("mixed_bfloat16 speedup over float32 1.404x; " + why, why, "test_speedup").endswith("; not gated")
