"""The workload protocol: checks of a workload, the Dense rule for a step's matmuls and memory, and the
one-line errors for a model that does not output float32 and data that does not fit."""

import numpy as np
import pytest

from mpmodel.core.data import DataError, Dataset
from mpmodel.core.model import build_model
from mpmodel.core.profiles import get_profile, profile_of
from mpmodel.core.workload import (
    Size,
    Workload,
    WorkloadError,
    check_fits,
    check_workload,
    dense_analytic,
    dense_shapes,
    uncounted_layers,
)
from mpmodel.core.workloads.mlp import SeedMLP


class Tiny(Workload):
    """Two Dense layers on 8 features, 3 classes; its matmuls and memory by the default (Dense) rule."""

    name, version = "tiny_dense", 1
    sizes = {n: Size(n, 16, 1, "test", {"units": 12}) for n in ("seed", "small", "tiny")}

    def model(self, size, seed):
        import keras

        inputs = keras.Input((8,))
        x = keras.layers.Dense(size.dims["units"], activation="relu")(inputs)
        x = keras.layers.Dense(3)(x)
        return keras.Model(inputs, keras.layers.Activation("softmax", dtype="float32")(x))

    def synthetic(self, n_train, n_test):
        rng = np.random.default_rng(0)
        return Dataset(rng.normal(size=(n_train, 8)).astype("float32"), rng.integers(0, 3, n_train),
                       rng.normal(size=(n_test, 8)).astype("float32"), rng.integers(0, 3, n_test), "test")


def test_the_dense_rule_reads_the_model_as_the_mlp_lists_it():
    mlp, small = SeedMLP(), SeedMLP.sizes["small"]
    assert dense_shapes(mlp, small) == mlp.layer_shapes(small)
    assert Workload.step_matmuls(mlp, small, 2048) == mlp.step_matmuls(small, 2048)
    assert uncounted_layers(mlp, small) == []


def test_a_user_workload_gets_matmuls_and_memory_from_its_dense_layers():
    w = Tiny()
    size = w.sizes["tiny"]
    assert w.step_matmuls(size, 16) == [("layer 1 forward", 16, 8, 12), ("layer 1 weight gradient", 8, 16, 12),
                                        ("layer 2 forward", 16, 12, 3), ("layer 2 weight gradient", 12, 16, 3),
                                        ("layer 2 input gradient", 16, 3, 12)]
    assert w.analytic_memory(size, "mixed_bfloat16") == dense_analytic([(8, 12), (12, 3)], 16, "mixed_bfloat16")


def test_mlp_profiles_keep_their_names_ids_and_sizes():
    p = get_profile("small")
    assert (p.id, p.batch_size, p.epochs, p.timing_pairs, p.accuracy_seeds) == ("small", 2048, 5, 15, 3)
    assert p.facts() == {"workload": "mlp", "workload_version": 1, "units": 1024}
    assert profile_of(Tiny(), "small").id == "tiny_dense-small"


@pytest.mark.parametrize("change, expect", [
    (lambda w: setattr(w, "name", "Has Space"), "must be lower-case"),
    (lambda w: setattr(w, "version", 0), "expected an integer >= 1"),
    (lambda w: setattr(w, "sizes", {"small": Tiny.sizes["small"]}), "has no size seed, tiny"),
    (lambda w: setattr(w, "accuracy_tol", 1.5), r"has accuracy_tol 1.5, expected a fraction in \(0, 1\)"),
])
def test_check_workload_names_what_is_wrong(change, expect):
    w = Tiny()
    change(w)
    with pytest.raises(WorkloadError, match=expect):
        check_workload(w, "--mp-workload x:y")


def test_check_workload_refuses_what_is_not_one():
    with pytest.raises(WorkloadError, match="returned int, not an mpmodel.Workload"):
        check_workload(42, "--mp-workload x:y")


def test_a_mixed_model_whose_output_is_not_float32_is_refused():
    class Float16Out(Tiny):
        def model(self, size, seed):
            import keras

            inputs = keras.Input((8,))
            return keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(inputs))

    profile = profile_of(Float16Out(), "tiny")
    build_model("float32", profile)  # float32 outputs float32 either way
    with pytest.raises(WorkloadError, match="output is float16 under mixed_float16, expected float32"):
        build_model("mixed_float16", profile)


def test_data_that_does_not_fit_the_model_is_refused():
    w = Tiny()
    model = build_model("float32", profile_of(w, "tiny"))
    check_fits(w, w.synthetic(32, 8), model)
    wide = w.synthetic(32, 8)
    with pytest.raises(DataError, match=r"x_train samples have shape \(4,\), the model takes \(8,\)"):
        check_fits(w, Dataset(wide.x_train[:, :4], wide.y_train, wide.x_test[:, :4], wide.y_test, "narrow"), model)
    with pytest.raises(DataError, match="labels span 0-5, the model has 3 classes"):
        check_fits(w, Dataset(wide.x_train, np.arange(32) % 6, wide.x_test, wide.y_test, "six"), model)
