"""The seed's Dense MNIST network, the first workload and the default everywhere.

Input(784) -> Dense(units, relu) -> Dense(units, relu) -> Dense(10) -> Activation("softmax", float32);
RMSprop, sparse categorical cross-entropy, accuracy. Sizes: `seed` (4096 units, batch 8192, the seed
document's, for GPUs), `small` (1024 units, batch 2048, for a 2-core CPU), `tiny` (64 units, batch 128, a
harness check). Data: MNIST from a file, Keras's cache or download, else the synthetic set
(mpmodel.core.data). Its sizes must never change once results are saved under them: add a version.
"""

from __future__ import annotations

from mpmodel.core.data import Dataset, NotThisWorkloads, load_data
from mpmodel.core.data.images import cifar10_folder
from mpmodel.core.data.synthetic import synthetic_mnist
from mpmodel.core.data.validation import INPUT_DIM, NUM_CLASSES
from mpmodel.core.workload import Analytic, Size, Workload, dense_analytic, dense_matmuls

SIZES = {
    s.name: s
    for s in (
        Size("seed", 8192, 5, "the seed document's model and fit recipe, for GPUs", {"units": 4096}),
        Size("small", 2048, 5, "the seed's shape at 1024 units and batch 2048, for a 2-core CPU", {"units": 1024}),
        Size("tiny", 128, 5, "a harness check, 64 units and batch 128: one train_on_batch call is mostly host "
             "overhead", {"units": 64}, harness_check=True),
    )
}


class SeedMLP(Workload):
    """The seed document's model: two Dense(units, relu) layers and a float32 softmax over 10 digits."""

    name = "mlp"
    version = 1
    description = "the seed's Dense MNIST network (784 -> units relu -> units relu -> 10 softmax)"
    sizes = SIZES

    def model(self, size: Size, seed: int):
        import keras  # noqa: PLC0415 (the backend, loaded where a model is built)

        units = size.dims["units"]

        def dense(n, name, index, activation=None):
            return keras.layers.Dense(n, activation=activation, name=name, bias_initializer="zeros",
                                      kernel_initializer=keras.initializers.GlorotUniform(seed=seed * 1000 + index))

        inputs = keras.Input(shape=(INPUT_DIM,), name="digits")
        x = dense(units, "dense_1", 1, "relu")(inputs)
        x = dense(units, "dense_2", 2, "relu")(x)
        x = dense(NUM_CLASSES, "dense_logits", 3)(x)
        outputs = keras.layers.Activation("softmax", dtype="float32", name="predictions")(x)
        return keras.Model(inputs=inputs, outputs=outputs, name=f"mnist_dense_{size.name}")

    def synthetic(self, n_train: int, n_test: int) -> Dataset:
        return synthetic_mnist(n_train, n_test)

    def data(self, spec: str, offline: bool) -> Dataset:
        if spec == "cifar10" or cifar10_folder(spec):
            raise NotThisWorkloads(spec, self.name, "reads MNIST-format digits, not CIFAR-10 images")
        return load_data(spec, offline=offline)

    def describe_size(self, size: Size) -> str:
        return f"{size.dims['units']} units, batch {size.batch_size}, {size.epochs} epochs"

    def layer_shapes(self, size: Size) -> list[tuple[int, int]]:
        """(in, out) of every Dense layer, in order."""
        u = size.dims["units"]
        return [(INPUT_DIM, u), (u, u), (u, NUM_CLASSES)]

    def step_matmuls(self, size: Size, batch: int) -> list[tuple[str, int, int, int]]:
        return dense_matmuls(self.layer_shapes(size), batch)

    def analytic_memory(self, size: Size, policy: str) -> Analytic:
        return dense_analytic(self.layer_shapes(size), size.batch_size, policy)
