"""The result schema: old results read as the seed's MLP, version 1; what may not be compared says why."""

import dataclasses

from mpmodel.measure import results as r
from mpmodel.measure.results import CATALOGUE, SCHEMA_VERSION, ResultFacts, common_facts


def test_a_result_saved_before_workloads_reads_as_the_mlp_version_1():
    assert ResultFacts.of({"policy": "float32"}) == ResultFacts(1, "mlp", 1)


def test_every_result_starts_with_the_schema_and_its_workload():
    facts = common_facts({"workload": "conv", "workload_version": 2}, "float32", "jax", "0.10", "auto", "default", "small")
    assert ResultFacts.of(facts) == ResultFacts(SCHEMA_VERSION, "conv", 2)


def test_a_second_version_is_named_in_history_rows():
    assert (ResultFacts(2, "conv", 1).label, ResultFacts(2, "conv", 2).label) == ("conv", "conv v2")


def test_old_and_new_results_of_the_mlp_compare():
    assert ResultFacts(1, "mlp", 1).incompatible(ResultFacts(SCHEMA_VERSION, "mlp", 1)) is None


def test_another_workload_version_or_a_newer_schema_is_refused_with_its_reason():
    assert "version 1 against 2" in ResultFacts(2, "conv", 1).incompatible(ResultFacts(2, "conv", 2))
    assert "workload mlp against conv" in ResultFacts(2, "mlp", 1).incompatible(ResultFacts(2, "conv", 1))
    assert "newer than this mpmodel reads" in ResultFacts(2, "mlp", 1).incompatible(ResultFacts(SCHEMA_VERSION + 1, "mlp", 1))


def test_the_catalogue_names_the_suite_tests():
    assert list(CATALOGUE) == ["test_step_time", "test_speedup", "test_accuracy", "test_seed_recipe_accuracy",
                               "test_memory"]


class Reads(dict):
    """An extra_info that notes every key read from it."""

    def __init__(self):
        super().__init__()
        self.read = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)


def test_every_key_history_reads_is_one_a_test_saves():
    extra = Reads()
    record = r.ResultRecord(extra)
    for name in dir(r.ResultRecord):
        if isinstance(getattr(r.ResultRecord, name), property):
            getattr(record, name)
    common = r.common_facts({"workload": "mlp", "workload_version": 1}, "float32", "tensorflow", "2", "auto",
                            "default", "small")
    saved = set(common) | {f.name for part in r.SAVED_PARTS for f in dataclasses.fields(part)}
    assert extra.read and extra.read <= saved, sorted(extra.read - saved)


def test_a_saved_part_gives_its_fields_as_the_keys_it_saves():
    stats = r.StepTimeStats.of(0.01, r.StepTimeResult(128, False, "multi-step", 5, 3, 2.0, 0.02, 1e9, 0.005, 0.2), 0.5)
    assert stats.fields() == {"step_median_s": 0.01, "samples_per_s": 12800.0, "tflops": 0.1, "host_overhead_s": 0.01,
                              "host_overhead_share": 0.5, "efficiency": 0.5}
