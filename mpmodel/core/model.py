"""The seed's Dense MNIST network, built under a precision policy.

Keras wraps the optimizer in a LossScaleOptimizer only when the *model's own* dtype policy
is mixed_float16, and a model takes the global policy in force when `keras.Model(...)` is
constructed. So the model is built under the requested global policy, which is restored
afterwards: building a float16 model never changes the next float32 one.
"""

from __future__ import annotations

import contextlib

import keras

from mpmodel.core.policies import keras_jit_compile, validate_policy
from mpmodel.core.profiles import INPUT_DIM, NUM_CLASSES, Profile, get_profile

DEFAULT_WEIGHT_SEED = 0


@contextlib.contextmanager
def global_policy(policy: str):
    """Set Keras's global dtype policy for the block, then restore the previous one."""
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(validate_policy(policy))
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


def _resolve(profile: str | Profile) -> Profile:
    return profile if isinstance(profile, Profile) else get_profile(profile)


def build_model(policy: str, profile: str | Profile = "seed", seed: int = DEFAULT_WEIGHT_SEED, jit: str = "auto"):
    """A compiled keras.Model matching the seed, under `policy`.

    Input(784) -> Dense(units, relu) -> Dense(units, relu) -> Dense(10)
    -> Activation("softmax", dtype="float32"); RMSprop(), sparse categorical
    cross-entropy, accuracy. Initial weights depend on `seed` only, not on the policy.
    `jit` is the compile mode: auto (Keras's choice), on (XLA or torch.compile), off.

    Example:
        >>> model = build_model("mixed_bfloat16", "small")
        >>> model.dtype_policy.name
        'mixed_bfloat16'
    """
    prof = _resolve(profile)
    layers = keras.layers

    def dense(units, name, index, activation=None):
        return layers.Dense(
            units,
            activation=activation,
            name=name,
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed * 1000 + index),
            bias_initializer="zeros",
        )

    with global_policy(policy):
        inputs = keras.Input(shape=(INPUT_DIM,), name="digits")
        x = dense(prof.units, "dense_1", 1, "relu")(inputs)
        x = dense(prof.units, "dense_2", 2, "relu")(x)
        x = dense(NUM_CLASSES, "dense_logits", 3)(x)
        outputs = layers.Activation("softmax", dtype="float32", name="predictions")(x)
        model = keras.Model(inputs=inputs, outputs=outputs, name=f"mnist_dense_{prof.name}")
    model.compile(
        loss="sparse_categorical_crossentropy",
        optimizer=keras.optimizers.RMSprop(),
        metrics=["accuracy"],
        jit_compile=keras_jit_compile(jit),
    )
    return model


def uses_loss_scaling(model) -> bool:
    """Whether the compiled model's optimizer scales the loss (mixed_float16)."""
    return isinstance(model.optimizer, keras.optimizers.LossScaleOptimizer)


def loss_scale(model) -> float | None:
    """The current dynamic loss scale, or None where the model does not scale its loss."""
    if not uses_loss_scaling(model):
        return None
    optimizer = model.optimizer
    if not optimizer.built:  # the scale variable is created by the first step
        return float(optimizer.initial_scale)
    return float(keras.ops.convert_to_numpy(optimizer.dynamic_scale))
