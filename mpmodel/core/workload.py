"""The workload protocol: one training workload the gates measure, named and versioned.

A workload says how to build its Keras model (uncompiled, under whatever dtype policy is in force: the suite sets
the policy, compiles and checks), its loss and optimizer, its data (synthetic and offline by default, real where
the user has it), its sizes (`seed` for a GPU, `small` for a 2-core CPU, `tiny` for a harness check), the kernels
one training step runs (matmuls, convolutions, attention: for exact FLOPs and the speed of light;
mpmodel.core.kernels) and the least memory a step holds. The seed's Dense MNIST network is the first
(`mpmodel.core.workloads.mlp`).

A user's own workload subclasses `Workload` and fills in `sizes`, `model` and `synthetic`; the rest has defaults.
Where a step's matmuls are not given, they are read from the model's Dense layers (forward, weight and input
gradients, none for the first layer's input); layers with weights that are not Dense (convolutions, attention)
are then named as uncounted in the session's header, so FLOPs and the speed of light cover the Dense part only
and say so; `step_kernels` lists convolutions and attention too. Bump `version` whenever the model, data or sizes
change: history compares only runs of the same name and version.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from mpmodel.core.data.dataset import DataError, Dataset, NotThisWorkloads
from mpmodel.core.kernels import Kernel, from_matmuls
from mpmodel.core.policies import validate_policy

SIZE_NAMES = ("seed", "small", "tiny")  # every workload's sizes share these names with the measurement plans
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
BYTES = {"float32": 4, "float16": 2, "bfloat16": 2}
COMPUTE_DTYPE = {"float32": "float32", "mixed_float16": "float16", "mixed_bfloat16": "bfloat16"}
OPTIMIZER_SLOTS = 1  # RMSprop keeps one float32 slot per weight (its moving average of squared gradients)


@contextlib.contextmanager
def global_policy(policy: str):
    """Set Keras's global dtype policy for the block, then restore the previous one."""
    import keras  # noqa: PLC0415 (the backend, loaded where a model is built)

    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(validate_policy(policy))
    try:
        yield
    finally:
        keras.config.set_dtype_policy(previous)


class WorkloadError(ValueError):
    """A workload that cannot be used; the message is one line naming it and the problem."""


@dataclass(frozen=True)
class Size:
    """One size of a workload: its batch and epochs, and its own dimensions (`dims`: units, width, ...)."""

    name: str
    batch_size: int
    epochs: int
    description: str
    dims: Mapping[str, int] = field(default_factory=dict)
    validation_split: float = 0.2
    harness_check: bool = False  # sized to test the timing harness, not to measure mixed precision


@dataclass(frozen=True)
class Analytic:
    resting_bytes: int  # float32 weights and optimizer slots
    step_bytes: int  # above resting: compute-dtype weight copies, float32 gradients, activations


class Workload:
    """One training workload under the gates. Subclasses set `name`, `version`, `description`, `sizes`
    and define `model` and `synthetic`; the rest is the seed's habit (RMSprop, sparse categorical
    cross-entropy, accuracy) and may be overridden."""

    name: str = ""
    version: int = 1
    description: str = ""
    sizes: Mapping[str, Size] = {}
    loss = "sparse_categorical_crossentropy"
    # The accuracy gate's tolerance: the largest accepted mean drop below float32's, chosen from the workload's
    # measured A/A spread of decay-recipe deltas (docs/gates.md, "Accuracy"); --mp-accuracy-tol overrides it.
    accuracy_tol = 0.01
    # Whether test_seed_recipe_accuracy fits the constant-rate recipe (the optimizer's rate throughout: the seed
    # document's fit) by default, reported beside the gate; --mp-seed-recipe-seeds N asks for it either way.
    reports_seed_recipe = True
    accuracy_metric = "accuracy"  # the compiled metric the accuracy gate compares (higher is better)
    # The least mean test accuracy (of accuracy_metric) float32's fits must reach for the accuracy gate to pass; None:
    # chance (the test set's most frequent class share) plus 5 tolerances, where the labels are classes.
    min_float32_accuracy: float | None = None
    synthetic_sizes = (60000, 10000)  # training and test samples of the default data
    learning_rate = 0.001  # the optimizer's rate, where the recipes start (RMSprop's default, the seed's)
    spec: str | None = None  # how --mp-workload named it, where not by its name (package.module:factory)
    import_root: str | None = None  # the sys.path entry a child process needs to import it

    def model(self, size: Size, seed: int):
        """An uncompiled keras.Model at `size`, its initial weights a function of `seed` alone, built under
        the dtype policy in force; its output must be float32 (a float32 softmax, as the seed's)."""
        raise NotImplementedError

    def optimizer(self):
        """A fresh optimizer for one model, at `learning_rate`: the accuracy gate's recipe decays it to zero
        along the fit, the seed's recipe keeps it (mpmodel.core.recipes)."""
        import keras  # noqa: PLC0415 (the backend, loaded where a model is built)

        return keras.optimizers.RMSprop(learning_rate=self.learning_rate)

    def synthetic(self, n_train: int, n_test: int) -> Dataset:
        """A deterministic offline set of `n_train` training and `n_test` test samples."""
        raise NotImplementedError

    def data(self, spec: str, offline: bool) -> Dataset:
        """The data `spec` names: auto or synthetic give the synthetic set; a workload that reads files
        overrides this."""
        if spec in ("auto", "synthetic"):
            return self.synthetic(*self.synthetic_sizes)
        raise NotThisWorkloads(spec, self.name, "reads no data files")

    def data_for(self, size: Size | None, spec: str, offline: bool) -> Dataset:
        """The data `spec` names for a model at `size` (None: not yet known); `data` unless the data's shape
        depends on the size (a sequence length)."""
        return self.data(spec, offline)

    def synthetic_for(self, size: Size, n_train: int, n_test: int) -> Dataset:
        """The synthetic set shaped for a model at `size`; `synthetic` unless its shape depends on the size."""
        return self.synthetic(n_train, n_test)

    def describe_size(self, size: Size) -> str:
        dims = ", ".join(f"{k} {v}" for k, v in size.dims.items())
        return f"{dims + ', ' if dims else ''}batch {size.batch_size}, {size.epochs} epochs"

    def facts(self, size: Size) -> dict:
        """What every saved result of this workload records beside its name and version: its dims."""
        return dict(size.dims)

    def step_matmuls(self, size: Size, batch: int) -> list[tuple[str, int, int, int]]:
        """Every matmul one training step does, as (role, m, k, n); default: read from the Dense layers."""
        return dense_matmuls(dense_shapes(self, size), batch)

    def step_kernels(self, size: Size, batch: int) -> list[Kernel]:
        """Every kernel one training step runs (matmuls, convolutions, attention): what FLOPs count and the
        speed of light times; default: `step_matmuls` as matmul kernels."""
        return from_matmuls(self.step_matmuls(size, batch))

    def gives_kernels(self) -> bool:
        """Whether the workload lists its step's kernels (or matmuls) itself, rather than the Dense layers'."""
        return type(self).step_kernels is not Workload.step_kernels or type(self).step_matmuls is not Workload.step_matmuls

    def analytic_memory(self, size: Size, policy: str) -> Analytic | None:
        """The least a step holds under `policy`; default: computed where every weighted layer is Dense."""
        shapes = dense_shapes(self, size)
        if not shapes or uncounted_layers(self, size):
            return None
        return dense_analytic(shapes, size.batch_size, policy)


def dense_matmuls(shapes: list[tuple[int, int]], batch: int) -> list[tuple[str, int, int, int]]:
    """For each Dense layer (in, out): the forward pass and the weight gradient, and the input gradient for
    every layer but the first, whose input (the data) needs none."""
    out = []
    for index, (i, o) in enumerate(shapes):
        out.append((f"layer {index + 1} forward", batch, i, o))
        out.append((f"layer {index + 1} weight gradient", i, batch, o))
        if index > 0:
            out.append((f"layer {index + 1} input gradient", batch, o, i))
    return out


def dense_analytic(shapes: list[tuple[int, int]], batch: int, policy: str) -> Analytic:
    """Weights and optimizer slots at rest; for a step, the weights' copies in the compute dtype, their float32
    gradients, the inputs cast, each layer's output kept for the backward pass and two activation gradients."""
    c = BYTES[COMPUTE_DTYPE[policy]]
    params = sum(i * o + o for i, o in shapes)
    resting = params * 4 * (1 + OPTIMIZER_SLOTS)
    copies = params * c if c != 4 else 0
    gradients = params * 4
    inputs = batch * shapes[0][0] * c if c != 4 else 0
    kept = sum(batch * o * c for _, o in shapes)
    in_flight = 2 * batch * max(o for _, o in shapes) * c
    return Analytic(resting, copies + gradients + inputs + kept + in_flight)


GATHERS = ("Embedding",)  # layers whose weight matrix is read by index, not multiplied
_LAYERS: dict = {}  # (workload class, name, version, size name) -> [(class name, layer name, kernel shape or None)]


def _weighted_layers(workload: Workload, size: Size) -> list[tuple[str, str, tuple | None]]:
    key = (type(workload), workload.name, workload.version, size.name)
    if key not in _LAYERS:
        with global_policy("float32"):
            model = workload.model(size, 0)
        found = []
        for layer in _flat(model):  # layers with a matrix or a filter: normalisation scales and gathers do no matmul
            if any(len(w.shape) >= 2 for w in layer.weights) and type(layer).__name__ not in GATHERS:
                kernel = getattr(layer, "kernel", None)
                dense = type(layer).__name__ == "Dense" and kernel is not None
                found.append((type(layer).__name__, layer.name, tuple(kernel.shape) if dense else None))
        _LAYERS[key] = found
    return _LAYERS[key]


def _flat(model):
    for layer in model.layers:
        inner = getattr(layer, "layers", None)
        yield from (_flat(layer) if inner else (layer,))


def dense_shapes(workload: Workload, size: Size) -> list[tuple[int, int]]:
    """(in, out) of every Dense layer of the workload's model at `size`, in order."""
    return [shape for _, _, shape in _weighted_layers(workload, size) if shape is not None]


def uncounted_layers(workload: Workload, size: Size) -> list[str]:
    """Layers with a weight matrix or filter whose work the Dense rule does not count ('conv1 (Conv2D)')."""
    return [f"{name} ({cls})" for cls, name, shape in _weighted_layers(workload, size) if shape is None]


def uncounted_kernels(workload: Workload, size: Size) -> list[str]:
    """The weighted layers the step's counted kernels leave out: none where the workload lists its own kernels,
    else those the Dense rule does not count."""
    return [] if workload.gives_kernels() else uncounted_layers(workload, size)


def check_workload(obj, where: str) -> Workload:
    """`obj` if it is a usable workload; WorkloadError naming `where` otherwise."""
    if not isinstance(obj, Workload):
        raise WorkloadError(f"{where}: returned {type(obj).__name__}, not an mpmodel.Workload")
    if not isinstance(obj.name, str) or not NAME_PATTERN.match(obj.name):
        raise WorkloadError(f"{where}: name {obj.name!r} must be lower-case letters, digits and _ (a test id part)")
    if not isinstance(obj.accuracy_tol, float) or not 0.0 < obj.accuracy_tol < 1.0:
        raise WorkloadError(f"{where}: workload {obj.name} has accuracy_tol {obj.accuracy_tol!r}, expected a fraction in (0, 1)")
    if not isinstance(obj.version, int) or obj.version < 1:
        raise WorkloadError(f"{where}: workload {obj.name} has version {obj.version!r}, expected an integer >= 1")
    missing = [n for n in SIZE_NAMES if n not in obj.sizes]
    if missing:
        raise WorkloadError(f"{where}: workload {obj.name} has no size {', '.join(missing)} "
                            f"(every workload has {', '.join(SIZE_NAMES)})")
    for name, size in obj.sizes.items():
        if not isinstance(size, Size) or size.name != name or size.batch_size < 1 or size.epochs < 1:
            raise WorkloadError(f"{where}: workload {obj.name} size {name!r} is not a Size named {name!r} "
                                "with a batch and epochs of at least 1")
    return obj


def check_output(workload: Workload, model, policy: str) -> None:
    """WorkloadError where the model's output is not float32: under a mixed policy a float16/bfloat16
    softmax rounds small probabilities to zero and the loss with them (the seed's softmax is float32)."""
    import keras  # noqa: PLC0415 (the backend, loaded where a model is built)

    outputs = getattr(model, "outputs", None) or []
    dtypes = {keras.backend.standardize_dtype(t.dtype) for t in outputs}
    if dtypes and dtypes != {"float32"}:
        raise WorkloadError(
            f"workload {workload.name}: the model's output is {', '.join(sorted(dtypes))} under {policy}, expected "
            "float32: give the last layer dtype='float32' (a float16 softmax rounds small probabilities to 0)")


def check_models(workload: Workload, size: Size, data: Dataset, policies) -> None:
    """The workload's model built under each policy: WorkloadError where a mixed one does not output float32,
    DataError where the data does not fit the float32 one. Builds only (no compile, no step)."""
    for policy in policies:
        with global_policy(policy):
            model = workload.model(size, 0)
        if COMPUTE_DTYPE[policy] != "float32":
            check_output(workload, model, policy)
        else:
            check_fits(workload, data, model)


def check_fits(workload: Workload, data: Dataset, model) -> None:
    """DataError where the data's samples or labels do not fit the model's input and output."""
    where = f"workload {workload.name}, data {data.source}"
    expected = tuple(model.inputs[0].shape[1:]) if getattr(model, "inputs", None) else None
    for split in ("train", "test"):
        x, y = getattr(data, f"x_{split}"), getattr(data, f"y_{split}")
        if expected is not None and (len(expected) != x.ndim - 1 or
                                     any(e is not None and e != s for e, s in zip(expected, x.shape[1:], strict=True))):
            raise DataError(f"{where}: x_{split} samples have shape {x.shape[1:]}, the model takes {expected}")
        if x.shape[0] != y.shape[0]:
            raise DataError(f"{where}: x_{split} has {x.shape[0]} samples but y_{split} has {y.shape[0]} labels")
    classes = int(model.outputs[0].shape[-1]) if getattr(model, "outputs", None) else None
    labels = np.concatenate([data.y_train.reshape(-1), data.y_test.reshape(-1)])
    if classes is not None and labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise DataError(f"{where}: labels span {labels.min()}-{labels.max()}, the model has {classes} classes")
