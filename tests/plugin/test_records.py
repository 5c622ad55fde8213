"""What saved runs carry from the plugin, and the context facts named when a compared run differs."""

from types import SimpleNamespace

from mpmodel.measure.budget import NO_CUTS, Cuts
from mpmodel.plugin.records import context_changes, run_record
from mpmodel.plugin.settings import Settings

SETTINGS = Settings(profile="auto", policies=("float32", "mixed_bfloat16"), jit=("auto",), fp32=("auto",),
                    min_speedup={}, accuracy_tol=0.15, data="auto", require_gpu=False)


VERDICTS = [("test_speedup[x]", "pass", "1.6x >= 1.3x")]


class Ctx:
    session = SimpleNamespace(cuts=NO_CUTS)
    CRAWLING = [{"policy": "mixed_float16", "compiled": False, "fp32": "default", "step_s": 10.1, "stopped": True,
                 "float32_step_s": 0.0746, "cause": None}]

    def crawling_policies(self):
        return self.CRAWLING


def test_run_record_holds_settings_state_and_verdicts():
    record = run_record(SETTINGS, {"cpu_mhz": {"median": 3000}}, VERDICTS, [Ctx()])
    assert record["format"] == 1 and record["settings"]["policies"] == ["float32", "mixed_bfloat16"]
    assert record["device_state"] == {"cpu_mhz": {"median": 3000}}
    assert record["verdicts"] == [{"test": "test_speedup[x]", "outcome": "pass", "message": "1.6x >= 1.3x"}]
    assert record["crawling"] == Ctx.CRAWLING  # what report and compare show for a policy with no timed row
    assert run_record(SETTINGS, None, [], [])["verdicts"] == []
    assert run_record(SETTINGS, None, [], [])["crawling"] == []
    assert (record["settings"]["design"], record["settings"]["budget_minutes"], record["settings"]["budget_cuts"]) == \
        ("sequential", None, None)


def test_run_record_holds_what_a_budget_cut():
    ctx = Ctx()
    ctx.session = SimpleNamespace(cuts=Cuts(pairs=9, fp32=("default",)))
    settings = Settings(**{**SETTINGS.__dict__, "budget": 5.0})
    record = run_record(settings, None, [], [ctx])["settings"]
    assert record["budget_minutes"] == 5.0 and record["budget_cuts"] == {
        "pairs": 9, "accuracy_seeds": None, "seed_recipe_seeds": None, "fp32": ["default"], "workloads": None}


def info(driver, data):
    return {"mpmodel": {"device": {"gpus": [{"name": "H100"}], "driver_version": driver}, "data": data}}


def test_context_changes_ignore_data_until_this_run_has_loaded_it():
    assert context_changes(info("550", "mnist"), info("560", None)) == ["driver 550 -> 560"]
    assert context_changes(info("550", "mnist"), info("550", "synthetic-v1")) == ["data mnist -> synthetic-v1"]
