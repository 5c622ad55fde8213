"""Model and training sizes, one table: the seed's recipe, a CPU-sized one, and a tiny harness check.

Rows here must not be changed once results are saved under their name, only appended:
changing a profile silently breaks the history that compares against it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """Sizes of one benchmark configuration.

    `timing_pairs` and `accuracy_seeds` size the gates: `accuracy_seeds` paired fits of the gate's recipe
    (decay); `seed_recipe_seeds` paired fits of the seed's own recipe, reported beside it.
    """

    name: str
    units: int
    batch_size: int
    epochs: int
    validation_split: float
    timing_rounds: int
    timing_warmup: int
    timing_pairs: int
    accuracy_seeds: int
    description: str
    harness_check: bool = False  # sized to test the timing harness, not to measure mixed precision
    seed_recipe_seeds: int = 1  # the seed document reports one run of its recipe


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            name="seed",
            units=4096,
            batch_size=8192,
            epochs=5,
            validation_split=0.2,
            timing_rounds=20,
            timing_warmup=3,
            timing_pairs=20,
            accuracy_seeds=5,
            description="the seed document's model and fit recipe, for GPUs",
        ),
        Profile(
            name="small",
            units=1024,
            batch_size=2048,
            epochs=5,
            validation_split=0.2,
            timing_rounds=12,
            timing_warmup=3,
            timing_pairs=15,
            accuracy_seeds=3,
            description="the seed's shape at 1024 units and batch 2048, for a 2-core CPU",
        ),
        Profile(
            name="tiny",
            units=64,
            batch_size=128,
            epochs=5,
            validation_split=0.2,
            timing_rounds=12,
            timing_warmup=3,
            timing_pairs=15,
            accuracy_seeds=3,
            description="a harness check, 64 units and batch 128: one train_on_batch call is mostly host overhead",
            harness_check=True,
        ),
    )
}

INPUT_DIM = 784
NUM_CLASSES = 10


def get_profile(name: str) -> Profile:
    """The profile called `name`; ValueError listing the valid names otherwise."""
    try:
        return PROFILES[name]
    except KeyError:
        raise ValueError(
            f"unknown profile {name!r}; valid profiles: {', '.join(PROFILES)}"
        ) from None


def default_profile_name(gpu_visible: bool) -> str:
    """`seed` where a GPU can run it, `small` on a CPU."""
    return "seed" if gpu_visible else "small"


def dense_layer_shapes(profile: Profile) -> list[tuple[int, int]]:
    """(in, out) of every Dense layer, in order."""
    u = profile.units
    return [(INPUT_DIM, u), (u, u), (u, NUM_CLASSES)]


def step_matmuls(profile: Profile, batch_size: int | None = None) -> list[tuple[str, int, int, int]]:
    """Every matmul one training step does, as (role, m, k, n) for C[m, n] = A[m, k] @ B[k, n]: for each
    Dense layer (in, out) the forward pass and the weight gradient, and the input gradient for every
    layer but the first, whose input (the images) needs none."""
    batch = profile.batch_size if batch_size is None else batch_size
    out = []
    for index, (i, o) in enumerate(dense_layer_shapes(profile)):
        out.append((f"layer {index + 1} forward", batch, i, o))
        out.append((f"layer {index + 1} weight gradient", i, batch, o))
        if index > 0:
            out.append((f"layer {index + 1} input gradient", batch, o, i))
    return out


def flops_per_step(profile: Profile, batch_size: int | None = None) -> int:
    """Matmul FLOPs one training step does (2 m k n for each of `step_matmuls`). Elementwise work (bias,
    relu, softmax, the optimizer) is left out: it is under 0.1% of the matmuls' at these shapes."""
    return sum(2 * m * k * n for _, m, k, n in step_matmuls(profile, batch_size))
