"""PyTorch: a step runs eagerly under Keras's "auto" (torch.compile where jit_compile is on); TF32 is off by
default for float32 matmuls."""

from mpmodel.core.backends.base import Traits

TRAITS = Traits("torch", "torch", "train_function loop", xla_on_cpu=False, xla_on_gpu=False)
