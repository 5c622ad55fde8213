"""JAX: a step is a jitted (XLA-compiled) function under Keras's "auto", on a CPU as on a GPU."""

from mpmodel.core.backends.base import Traits

TRAITS = Traits("jax", "jax", "jitted train_step loop", xla_on_cpu=True, xla_on_gpu=True)
