"""The result schema: old results read as the seed's MLP, version 1; what may not be compared says why."""

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
