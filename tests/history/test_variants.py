"""Compile modes and float32 variants keep their own rows in report and compare, named where a history holds several."""

import copy
import json

from mpmodel.history.cli import main
from mpmodel.store.runs import STEP_TIME, Variant, load_run, varied_axes


def with_jit_on(source, target, slower=1.0):
    """A real saved run, each result duplicated as its jit_on twin (step times scaled by `slower`)."""
    content = json.loads(source.read_text())
    twins = []
    for bench in content["benchmarks"]:
        twin = copy.deepcopy(bench)
        twin["name"] = bench["name"].replace("[small-", "[small-jit_on-")
        twin["extra_info"]["jit"] = "on"
        twin["stats"]["data"] = [x * slower for x in bench["stats"]["data"]]
        for key in ("float32_times", "mixed_times"):  # test_speedup's steps, which confirm a step-time change
            if key in twin["extra_info"]:
                twin["extra_info"][key] = [x * slower for x in twin["extra_info"][key]]
        twins.append(twin)
    content["benchmarks"] += twins
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(content))
    return target


def test_runs_before_the_axes_read_as_what_they_ran(saved_runs):
    run = saved_runs[0]
    assert run.variants == [Variant("float32"), Variant("mixed_float16"), Variant("mixed_bfloat16")]
    assert varied_axes([run]) == () and Variant("float32").label(varied_axes([run])) == "float32"


def test_report_and_compare_name_the_compile_mode_where_it_varies(saved_runs, tmp_path, capsys):
    sources = [r.path for r in saved_runs[:2]]
    before = with_jit_on(sources[0], tmp_path / "s" / "m" / "0001_a.json")
    after = with_jit_on(sources[1], tmp_path / "s" / "m" / "0002_b.json", slower=1.5)
    run = load_run(after)
    assert varied_axes([run]) == ("jit",)
    assert run.find(STEP_TIME, Variant("float32", "on")).median > run.find(STEP_TIME, Variant("float32", "auto")).median
    assert main(["report", "--storage", str(tmp_path / "s")]) == 0
    report = capsys.readouterr().out
    assert "float32 jit_auto" in report and "float32 jit_on" in report
    assert main(["compare", str(before), str(after)]) == 0
    out = capsys.readouterr().out
    slower = [line for line in out.splitlines() if "SLOWER" in line]
    assert slower and all("jit_on" in line for line in slower), out  # only the jit_on twins were slowed
    assert any(line.strip().startswith("float32 jit_auto") and "ok:" in line for line in out.splitlines()), out


def test_report_shows_the_speed_of_light_where_a_run_measured_it(saved_runs, tmp_path, capsys):
    content = json.loads(saved_runs[0].path.read_text())
    for bench in content["benchmarks"]:
        if bench["name"].startswith("test_step_time[small-mixed_bfloat16]"):
            bench["extra_info"].update({"matmul_tflops": 0.821, "efficiency": 0.82})
        if bench["name"].startswith("test_speedup[small-mixed_bfloat16]"):
            bench["extra_info"]["speedup_ceiling"] = 1.883
    target = tmp_path / "s" / "m" / "0001_x.json"
    target.parent.mkdir(parents=True)
    target.write_text(json.dumps(content))
    assert main(["report", "--storage", str(tmp_path / "s")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].endswith("kernels alone")
    (bf16,) = [line for line in lines if "mixed_bfloat16" in line]
    assert bf16.endswith("0.821 TF/s, eff 0.82, ceiling 1.883x")
    assert all(line.endswith("-") for line in lines if "float32 " in line or "mixed_float16" in line)
