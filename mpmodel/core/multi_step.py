"""K training steps back to back with one host sync at the end, through each backend's own execution.

`train_on_batch` costs more than the step on a fast device: Keras rebuilds its symbolic state,
resets metrics and converts the logs to host numbers (a blocking sync) on every call, and under
JAX pulls and writes back the whole state. A round here runs the model's own `train_step`:

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

import keras

HARNESS = {"tensorflow": "tf.function loop", "jax": "jitted train_step loop", "torch": "train_function loop"}


def multi_step_runner(model, batches: Sequence[tuple]) -> tuple[Callable[[int], float], str]:
    backend = keras.backend.backend()
    build = {"tensorflow": _tensorflow, "jax": _jax, "torch": _torch}.get(backend)
    if build is None:
        raise ValueError(f"no multi-step training loop for Keras backend {backend!r}; "
                         f"supported: {', '.join(HARNESS)}")
    x, y = batches[0]
    model.train_on_batch(x, y)  # builds what Keras builds on a first step (optimizer slots, metrics, loss scale)
    return build(model, list(batches)), HARNESS[backend]


def _tensorflow(model, batches):
    import tensorflow as tf  # noqa: PLC0415 (only the Keras backend in use is loaded)

    xs = tf.stack([x for x, _ in batches])
    ys = tf.stack([y for _, y in batches])
    n = len(batches)

    @tf.function(jit_compile=bool(model.jit_compile), reduce_retracing=True)
    def steps(k):
        loss = tf.constant(0.0)
        for i in tf.range(k):
            loss = tf.cast(model.train_step((xs[i % n], ys[i % n]))["loss"], tf.float32)
        return loss

    return lambda k: float(steps(tf.constant(k, dtype=tf.int32)))  # float(): the round's one host sync


def _jax(model, batches):
    import jax  # noqa: PLC0415 (only the Keras backend in use is loaded)

    step = jax.jit(model.train_step, donate_argnums=0) if model.jit_compile else model.train_step

    def run(k):
        state = model._get_jax_state(trainable_variables=True, non_trainable_variables=True, optimizer_variables=True,
                                     metrics_variables=True, purge_model_variables=False)
        model._jax_state_synced = False
        logs = None
        for i in range(k):
            logs, state = step(state, batches[i % len(batches)])
        loss = float(jax.block_until_ready(logs["loss"]))
        trainable, non_trainable, optimizer, metrics = state
        model._jax_state = {"trainable_variables": trainable, "non_trainable_variables": non_trainable,
                            "optimizer_variables": optimizer, "metrics_variables": metrics}
        model.jax_state_sync()
        return loss

    return run


def _torch(model, batches):
    train = model.train_function  # built by the first train_on_batch, torch.compile'd where the model is

    def run(k):
        logs = None
        for i in range(k):
            logs = train([batches[i % len(batches)]])
        return float(logs["loss"])  # reading the last loss waits for every step queued before it

    return run
