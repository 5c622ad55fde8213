"""TensorFlow's runtime: the remapper switch reaches grappler's options, TF32 goes through tf.config."""

import pytest

tf = pytest.importorskip("tensorflow", reason="TensorFlow is not installed in this environment")

from mpmodel.core.backends import runtime  # noqa: E402 (after the skip: the runtime imports TensorFlow)


def test_op_fusion_off_turns_the_remapper_off():
    before = tf.config.optimizer.get_experimental_options()
    try:
        runtime("tensorflow").op_fusion_off()
        assert tf.config.optimizer.get_experimental_options().get("remapping") is False
    finally:
        tf.config.optimizer.set_experimental_options({"remapping": before.get("remapping", True)})


def test_strict_float32_is_tf32_off_and_restored():
    rt = runtime("tensorflow")
    before = rt.tf32_allowed()
    with rt.strict_float32():
        assert tf.config.experimental.tensor_float_32_execution_enabled() is False
    assert rt.tf32_allowed() == before
