import keras
import numpy as np
import pytest

from mpmodel.core.model import build_model, global_policy, loss_scale, uses_loss_scaling
from mpmodel.core.policies import POLICIES
from mpmodel.core.profiles import get_profile


def test_structure_matches_the_seed():
    model = build_model("float32", "small")
    names = [layer.name for layer in model.layers]
    assert names == ["digits", "dense_1", "dense_2", "dense_logits", "predictions"]
    assert model.get_layer("dense_1").activation.__name__ == "relu"
    assert model.get_layer("dense_1").units == get_profile("small").size.dims["units"]
    assert model.get_layer("predictions").dtype_policy.compute_dtype == "float32"
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    assert model.count_params() == (784 * 1024 + 1024) + (1024 * 1024 + 1024) + (1024 * 10 + 10)


def test_seed_profile_has_the_seed_parameter_count():
    assert build_model("float32", "seed").count_params() == 20_037_642


@pytest.mark.parametrize("policy,scaled", [("float32", False), ("mixed_float16", True), ("mixed_bfloat16", False)])
def test_model_policy_and_loss_scaling(policy, scaled):
    model = build_model(policy, "small")
    assert model.dtype_policy.name == policy
    assert uses_loss_scaling(model) is scaled
    assert (loss_scale(model) == 2.0**15) if scaled else loss_scale(model) is None
    assert model.get_layer("dense_1").compute_dtype == {"float32": "float32", "mixed_float16": "float16",
                                                        "mixed_bfloat16": "bfloat16"}[policy]
    assert model.output.dtype == "float32"


def test_global_policy_is_restored_after_building():
    before = keras.config.dtype_policy().name
    build_model("mixed_float16", "small")
    assert keras.config.dtype_policy().name == before
    assert not uses_loss_scaling(build_model("float32", "small"))


def test_global_policy_is_restored_when_building_fails():
    before = keras.config.dtype_policy().name
    with pytest.raises(RuntimeError), global_policy("mixed_bfloat16"):
        raise RuntimeError("boom")
    assert keras.config.dtype_policy().name == before


def test_same_seed_same_initial_weights_under_every_policy():
    weights = [build_model(p, "small", seed=3).get_weights() for p in POLICIES]
    for other in weights[1:]:
        for a, b in zip(weights[0], other, strict=True):
            np.testing.assert_array_equal(a, b)
    different = build_model("float32", "small", seed=4).get_weights()
    assert not np.array_equal(weights[0][0], different[0])


def test_unknown_policy_is_refused():
    with pytest.raises(ValueError, match="valid policies"):
        build_model("float64", "small")


def test_package_exports_build_model():
    import mpmodel

    model = mpmodel.build_model("mixed_float16", profile="small")
    assert model.dtype_policy.name == "mixed_float16" and uses_loss_scaling(model)


@pytest.mark.parametrize("mode,resolved", [("off", False), ("on", True)])
def test_compile_mode_reaches_keras(mode, resolved):
    assert build_model("float32", "small", jit=mode).jit_compile is resolved


def test_auto_compile_mode_is_keras_own_choice():
    from mpmodel.core.device import detect
    from mpmodel.core.policies import ran_jit, resolve_jit

    expected = resolve_jit("auto", keras.backend.backend(), detect().gpu_visible)
    assert ran_jit(build_model("float32", "small")) == expected
