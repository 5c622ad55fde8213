"""A workload's model, built and compiled under a precision policy (the seed's MLP by default).

Keras wraps the optimizer in a LossScaleOptimizer only when the *model's own* dtype policy
is mixed_float16, and a model takes the global policy in force when `keras.Model(...)` is
constructed. So the model is built under the requested global policy, which is restored
afterwards: building a float16 model never changes the next float32 one.
"""

from __future__ import annotations

import keras

from mpmodel.core.policies import BASELINE, keras_jit_compile
from mpmodel.core.profiles import Profile, get_profile
from mpmodel.core.workload import check_output, global_policy

DEFAULT_WEIGHT_SEED = 0
__all__ = ["DEFAULT_WEIGHT_SEED", "build_model", "global_policy", "loss_scale", "uses_loss_scaling"]


def _resolve(profile: str | Profile) -> Profile:
    return profile if isinstance(profile, Profile) else get_profile(profile)


def build_model(policy: str, profile: str | Profile = "seed", seed: int = DEFAULT_WEIGHT_SEED, jit: str = "auto"):
    """A compiled keras.Model of the profile's workload at its size, under `policy`.

    The seed's MLP by default (a profile name): Input(784) -> Dense(units, relu) -> Dense(units, relu)
    -> Dense(10) -> Activation("softmax", dtype="float32"); RMSprop(), sparse categorical
    cross-entropy, accuracy. Initial weights depend on `seed` only, not on the policy.
    `jit` is the compile mode: auto (Keras's choice), on (XLA or torch.compile), off.
    WorkloadError where a mixed policy's model does not output float32.

    Example:
        >>> model = build_model("mixed_bfloat16", "small")
        >>> model.dtype_policy.name
        'mixed_bfloat16'
    """
    prof = _resolve(profile)
    workload = prof.workload
    with global_policy(policy):
        model = workload.model(prof.size, seed)
    if policy != BASELINE:
        check_output(workload, model, policy)
    model.compile(
        loss=workload.loss,
        optimizer=workload.optimizer(),
        metrics=[workload.accuracy_metric],
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
