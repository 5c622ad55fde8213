"""K training steps back to back with one host sync at the end, through each backend's own execution.

`train_on_batch` costs more than the step on a fast device: Keras rebuilds its symbolic state,
resets metrics and converts the logs to host numbers (a blocking sync) on every call, and under
JAX pulls and writes back the whole state. A round here runs the model's own `train_step`, through the
backend's runtime (`mpmodel.core.backends`):

- TensorFlow: K steps inside one `tf.function` (a `tf.range` loop; XLA-compiled where the model is),
  one call and one sync per round;
- JAX: the jitted `train_step` called K times with the state threaded through (dispatch is
  asynchronous), `block_until_ready` once, then the state written back to the model;
- PyTorch: the model's `train_function` (`torch.compile`d where the model is) called K times; the
  last loss read once at the end, which waits for the device.

`multi_step_runner(model, batches)` runs one `train_on_batch` (which builds the optimizer's and metrics'
state as Keras does on a first step), then returns `run(k) -> last loss` and the harness's name.
Batches are (x, y) tensors already on the device; step i takes batch i mod len(batches).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from mpmodel.core.backends import runtime


def multi_step_runner(model, batches: Sequence[tuple]) -> tuple[Callable[[int], float], str]:
    backend = runtime()  # UnsupportedBackend (a ValueError) names the supported ones
    x, y = batches[0]
    model.train_on_batch(x, y)  # builds what Keras builds on a first step (optimizer slots, metrics, loss scale)
    return backend.multi_step(model, list(batches)), backend.traits.harness
