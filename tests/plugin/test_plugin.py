"""The options and session behaviour, through pytest itself (pytester)."""

import pytest

pytest_plugins = ("pytester",)

PLUGIN = ("-p", "mpmodel.plugin")


def run(pytester, *args):
    return pytester.runpytest_subprocess(*PLUGIN, *args)


def test_help_lists_every_option_in_one_group(pytester):
    result = run(pytester, "--help")
    result.stdout.fnmatch_lines(["*mixed-precision benchmarks (mpmodel):*"])
    for flag in ("--mp-profile=NAME", "--mp-policies=LIST", "--mp-min-speedup=SPEC", "--mp-accuracy-tol=DELTA",
                 "--mp-data=SOURCE", "--mp-require-gpu", "--mp-jit=LIST", "--mp-fp32=LIST", "--mp-offline",
                 "--mp-accuracy-seeds=N", "--mp-seed-recipe-seeds=N"):
        result.stdout.fnmatch_lines([f"*{flag}*"])
    for ini in ("mp_profile", "mp_policies", "mp_min_speedup", "mp_accuracy_tol", "mp_data", "mp_require_gpu",
                "mp_jit", "mp_fp32", "mp_offline", "mp_accuracy_seeds", "mp_seed_recipe_seeds"):
        result.stdout.fnmatch_lines([f"*{ini} *"])


@pytest.mark.parametrize("args,message", [
    (("--mp-policies", "float32,fp8"),
     "--mp-policies: unknown policy 'fp8'; valid policies: float32, mixed_float16, mixed_bfloat16 (from command line)"),
    (("--mp-jit", "xla"), "--mp-jit: unknown compile mode 'xla'; valid modes: auto, on, off (from command line)"),
    (("--mp-fp32", "tf16"), "--mp-fp32: unknown float32 variant 'tf16'; valid: auto, default, strict (from command line)"),
    (("--mp-profile", "huge"), "--mp-profile: unknown profile 'huge'; valid profiles: seed, small, tiny (from command line)"),
    (("--mp-accuracy-tol", "abc"), "--mp-accuracy-tol: 'abc' is not a number (from command line)"),
    (("--mp-accuracy-tol", "-0.1"),
     "--mp-accuracy-tol: '-0.1' must be a fraction in [0, 1), e.g. 0.1 for 10% (from command line)"),
    (("--mp-accuracy-seeds", "1"), "--mp-accuracy-seeds: 1 seeds: at least 2 needed (from command line)"),
    (("--mp-accuracy-seeds", "five"), "--mp-accuracy-seeds: 'five' is not a whole number or 'profile' (from command line)"),
    (("--mp-seed-recipe-seeds", "-1"), "--mp-seed-recipe-seeds: -1 seeds: at least 0 needed (from command line)"),
    (("--mp-min-speedup", "fast"), "--mp-min-speedup: speedup: 'fast' is not a number or 'none' (from command line)"),
    (("--mp-min-speedup", "-2"), "--mp-min-speedup: speedup: '-2' must be a positive finite number (from command line)"),
    (("--mp-min-speedup", "mixed_bfloat16=1.5,bogus"), "--mp-min-speedup: 'bogus' is not policy=value (from command line)"),
])
def test_bad_values_are_one_line_usage_errors(pytester, args, message):
    """In this process (the options are parsed before anything heavy loads); the same stop in a real child
    session: test_ini_twin_is_read_and_named_when_bad and tests/test_bad_inputs.py."""
    result = pytester.runpytest_inprocess(*PLUGIN, *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([f"ERROR: {message}"])
    assert "Traceback" not in result.stderr.str() + result.stdout.str()


@pytest.mark.session
def test_ini_twin_is_read_and_named_when_bad(pytester):
    pytester.makeini("[pytest]\nmp_accuracy_tol = 2\n")
    result = run(pytester)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --mp-accuracy-tol: '2' must be a fraction in [0, 1), e.g. 0.1 for 10% (from ini file)"])


@pytest.mark.session
def test_header_shows_the_resolved_settings(pytester):
    pytester.makeini("[pytest]\nmp_policies = mixed_bfloat16\n")
    pytester.makepyfile("def test_nothing(): pass")
    result = run(pytester, "--mp-accuracy-tol", "0.02")
    result.stdout.fnmatch_lines(
        ["mpmodel: workload=auto profile=auto policies=mixed_bfloat16 jit=auto fp32=auto data=auto accuracy_tol=0.02 "
         "accuracy_seeds=profile min_speedup=table design=sequential"])
    assert result.ret == 0


@pytest.mark.session
def test_require_gpu_fails_at_once_on_a_cpu_host(pytester):
    pytester.makepyfile("def test_never(): raise AssertionError('must not run')")
    result = run(pytester, "--mp-require-gpu")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: --mp-require-gpu: no GPU visible; devices found: CPU:0 *"])
    assert "must not run" not in result.stdout.str()


BENCH = """
def test_policy(mp_run, mp_workload, policy):
    assert mp_run.profile.workload.name == mp_workload
    assert mp_run.data.x_train.shape[1] == 784

def test_mixed(mp_run, mp_workload, mixed_policy):
    assert mixed_policy != "float32"
"""


@pytest.mark.session
def test_parametrized_ids_carry_profile_and_policy(pytester):
    pytester.makepyfile(BENCH)
    result = run(pytester, "--mp-profile", "tiny", "--mp-data", "synthetic",
                 "--mp-policies", "float32,mixed_bfloat16", "-v")
    result.stdout.fnmatch_lines([
        "mpmodel data: synthetic-v1 (60000 train / 10000 test)",
        "*test_policy?tiny-float32? PASSED*",
        "*test_policy?tiny-mixed_bfloat16? PASSED*",
        "*test_mixed?tiny-mixed_bfloat16? PASSED*",
    ])
    assert result.ret == 0


SUITE_BENCH = "def test_sum(benchmark, mp_run):\n    benchmark(sum, range(1000))\n"  # a benchmark of the suite's
TINY = ("--mp-profile", "tiny", "--mp-policies", "float32,mixed_bfloat16")  # saving and comparing are wiring: cheap sessions


@pytest.mark.session
def test_autosave_then_compare_keeps_device_details_and_rounds(pytester):
    import json

    pytester.makepyfile(SUITE_BENCH)
    first = run(pytester, *TINY, "--benchmark-compare")
    first.stdout.fnmatch_lines(["mpmodel: --benchmark-compare found no saved run in *: nothing is compared this time*"])
    assert first.ret == 0
    assert run(pytester, *TINY, "--benchmark-autosave").ret == 0
    saved = list((pytester.path / ".benchmarks").rglob("*.json"))
    assert len(saved) == 1
    content = json.loads(saved[0].read_text())
    assert content["machine_info"]["mpmodel"]["device"]["cpu_arch"]
    assert content["machine_info"]["mpmodel"]["profile"] == "tiny"
    assert len(content["benchmarks"][0]["stats"]["data"]) > 1  # per-round data is kept
    second = run(pytester, *TINY, "--benchmark-compare", "--benchmark-compare-fail=median:1000%")
    second.stdout.fnmatch_lines(["*test_sum?tiny? (0001_*"])
    assert second.ret == 0


@pytest.mark.session
def test_compare_names_what_differs_instead_of_dumping_machine_info(pytester, tmp_path_factory):
    import json

    storage = tmp_path_factory.mktemp("outside")  # outside the working directory: pytest-benchmark's own warning crashed here
    pytester.makepyfile(SUITE_BENCH)
    assert run(pytester, *TINY, "--benchmark-autosave", f"--benchmark-storage=file://{storage}").ret == 0
    saved = next(storage.rglob("*.json"))
    content = json.loads(saved.read_text())
    assert content["benchmarks"][0]["extra_info"]["device_state"]["samples"] >= 2
    assert content["mpmodel"]["format"] == 1 and "device_state" in content["mpmodel"]
    content["machine_info"]["mpmodel"]["device"]["cpu_model"] = "Old CPU"
    content["machine_info"]["mpmodel"]["device"]["versions"]["keras"] = "3.0.0"
    saved.write_text(json.dumps(content))
    result = run(pytester, *TINY, "--benchmark-compare", f"--benchmark-storage=file://{storage}")
    assert result.ret == 0
    text = result.stdout.str() + result.stderr.str()
    assert "mpmodel: the compared run ran on a different context: CPU Old CPU -> " in text
    assert "Keras 3.0.0 -> " in text
    assert "Benchmark machine_info is different" not in text
    assert "INTERNALERROR" not in text
