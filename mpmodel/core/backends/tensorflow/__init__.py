"""TensorFlow: a step is a `tf.function`, XLA-compiled by Keras's "auto" only where a GPU is visible; grappler's
remapper fuses MatMul+BiasAdd (whose float16 CPU kernel has crawled on Intel Xeons) and can be switched off."""

from mpmodel.core.backends.base import Traits

TRAITS = Traits("tensorflow", "tensorflow", "tf.function loop", xla_on_cpu=False, xla_on_gpu=True,
                op_fusion="TensorFlow's graph remapper", op_fusion_short="the remapper", fused_kernels="MatMul+BiasAdd")
