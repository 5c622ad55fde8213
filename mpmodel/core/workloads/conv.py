"""A residual convolutional network on 32x32x3 images (CIFAR-10's shape), 10 classes.

Conv3x3(width) BN ReLU, then three stages at 32x32, 16x16 and 8x8 pixels with width, 2 x width and 4 x width
channels; each stage after the first starts with 2x2 average pooling and a 1x1 convolution to its width, then
`blocks` residual blocks (Conv3x3 BN ReLU Conv3x3 BN, added to the block's input, ReLU); global average pooling,
Dense(10) and a float32 softmax. Channels last, every convolution stride 1 and 'same', without bias (BN's beta
is one). BatchNormalization's momentum is 0.9: the CPU size's fits are about a hundred steps, too few for the
default 0.99's moving statistics to reach the data.

Sizes: `seed` (width 64, 2 blocks a stage, batch 512: 1.41 TFLOP a step, every convolution's channels a multiple
of 64 and 512 x 32 x 32 = 524,288 output rows at the first stage, enough to keep a GPU's tensor cores busy),
`small` (width 8, 1 block, batch 128, for a 2-core CPU) and `tiny` (width 4, 1 block, batch 32, a harness
check). Data: the synthetic set of mpmodel.core.data.images by default; CIFAR-10 from Keras's cache
(--mp-data cifar10, or auto where the cache holds it); the MNIST-format sets the MLP reads (an npz, an IDX
folder, or mnist), padded to 32x32 and repeated over three channels.
"""

from __future__ import annotations

import dataclasses

from mpmodel.core.data import DataError, Dataset, load_data
from mpmodel.core.data.images import as_images, cifar10_cache, cifar10_folder, read_cifar10, synthetic_images
from mpmodel.core.data.validation import NUM_CLASSES
from mpmodel.core.kernels import Kernel, conv, matmul
from mpmodel.core.workload import BYTES, COMPUTE_DTYPE, OPTIMIZER_SLOTS, Analytic, Size, Workload

SIZES = {
    s.name: s
    for s in (
        Size("seed", 512, 5, "width 64, 2 residual blocks a stage, batch 512: 1.41 TFLOP a step, for GPUs",
             {"width": 64, "blocks": 2}),
        Size("small", 128, 4, "width 8, 1 residual block a stage, batch 128, for a 2-core CPU",
             {"width": 8, "blocks": 1}),
        Size("tiny", 32, 3, "a harness check, width 4, 1 block a stage, batch 32", {"width": 4, "blocks": 1},
             harness_check=True),
    )
}
STAGES = 3
SEED_SAMPLES = (50000, 10000)  # CIFAR-10's counts: at batch 512, 5 epochs are 390 steps (not yet measured on a GPU)
BN_MOMENTUM = 0.9


def layers(size: Size) -> list[tuple[str, int, int, int, int]]:
    """Every convolution in order: (name, pixels a side, c_in, c_out, k)."""
    width, blocks = size.dims["width"], size.dims["blocks"]
    out = [("stem", 32, 3, width, 3)]
    for stage in range(STAGES):
        side, channels = 32 >> stage, width << stage
        if stage:
            out.append((f"stage{stage + 1}_transition", side, channels // 2, channels, 1))
        for block in range(blocks):
            for half in (1, 2):
                out.append((f"stage{stage + 1}_block{block + 1}_conv{half}", side, channels, channels, 3))
    return out


class ResidualConvNet(Workload):
    """A small ResNet: Conv2D, BatchNormalization, ReLU, residual adds, global pooling, a float32 softmax."""

    name = "conv"
    version = 1
    description = "a residual convolutional network on 32x32x3 images, 10 classes (Conv2D, BatchNorm, residual adds)"
    sizes = SIZES
    reports_seed_recipe = False  # the constant-rate fit is the seed MLP's habit; its cost (3 fits) is asked for, not default
    synthetic_sizes = (6000, 2000)  # small and tiny; `seed` trains on SEED_SAMPLES
    learning_rate = 0.003  # at RMSprop's default 0.001 the small size's fits end unsettled (test accuracy 0.80-0.87)

    def model(self, size: Size, seed: int):
        import keras  # noqa: PLC0415 (the backend, loaded where a model is built)

        index = iter(range(1, 1000))

        def conv_bn(x, filters, k, name, relu=True):
            x = keras.layers.Conv2D(filters, k, padding="same", use_bias=False, name=name,
                                    kernel_initializer=keras.initializers.HeNormal(seed=seed * 1000 + next(index)))(x)
            x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, name=f"{name}_bn")(x)
            return keras.layers.ReLU(name=f"{name}_relu")(x) if relu else x

        inputs = keras.Input(shape=(32, 32, 3), name="images")
        width, blocks = size.dims["width"], size.dims["blocks"]
        x = conv_bn(inputs, width, 3, "stem")
        for stage in range(STAGES):
            channels = width << stage
            if stage:
                x = keras.layers.AveragePooling2D(2, name=f"stage{stage + 1}_pool")(x)
                x = conv_bn(x, channels, 1, f"stage{stage + 1}_transition")
            for block in range(blocks):
                name = f"stage{stage + 1}_block{block + 1}"
                y = conv_bn(x, channels, 3, f"{name}_conv1")
                y = conv_bn(y, channels, 3, f"{name}_conv2", relu=False)
                x = keras.layers.ReLU(name=f"{name}_out")(keras.layers.Add(name=f"{name}_add")([x, y]))
        x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
        x = keras.layers.Dense(NUM_CLASSES, name="logits",
                               kernel_initializer=keras.initializers.GlorotUniform(seed=seed * 1000 + 999))(x)
        outputs = keras.layers.Activation("softmax", dtype="float32", name="predictions")(x)
        return keras.Model(inputs=inputs, outputs=outputs, name=f"resnet_{size.name}")

    def synthetic(self, n_train: int, n_test: int) -> Dataset:
        return synthetic_images(n_train, n_test)

    def data_for(self, size: Size | None, spec: str, offline: bool) -> Dataset:
        if spec in ("synthetic", "auto") and size is not None and size.name == "seed" and not cifar10_cache().is_dir():
            data = self.synthetic(*SEED_SAMPLES)
            return data if spec == "synthetic" else dataclasses.replace(data, note=f"fallback: no CIFAR-10 at {cifar10_cache()}")
        return self.data(spec, offline)

    def data(self, spec: str, offline: bool) -> Dataset:
        """synthetic; cifar10 (Keras's cache, else DataError); auto (the cache, else synthetic); mnist or a path to
        MNIST-format files (padded to 32x32x3); a folder of CIFAR-10 batches."""
        if spec == "synthetic":
            return self.synthetic(*self.synthetic_sizes)
        cache = cifar10_cache()
        if spec in ("auto", "cifar10"):
            if cache.is_dir():
                return read_cifar10(cache)
            if spec == "cifar10":
                raise DataError(f"cifar10: no CIFAR-10 at {cache}; pass --mp-data PATH to a folder of its batches")
            return dataclasses.replace(self.synthetic(*self.synthetic_sizes),
                                       note=f"fallback: no CIFAR-10 at {cache}")
        if spec != "mnist" and (cache_like := cifar10_folder(spec)):
            return read_cifar10(cache_like)
        return as_images(load_data(spec, offline=offline))

    def describe_size(self, size: Size) -> str:
        return (f"width {size.dims['width']}, {size.dims['blocks']} block(s) a stage, batch {size.batch_size}, "
                f"{size.epochs} epochs")

    def step_kernels(self, size: Size, batch: int) -> list[Kernel]:
        """Each convolution's forward, weight and input gradients (the stem's input gradient excluded), and the
        head's three matmuls."""
        out = [conv(name, batch, side, side, c_in, c_out, k, first=(name == "stem"))
               for name, side, c_in, c_out, k in layers(size)]
        top = size.dims["width"] << (STAGES - 1)
        out += [matmul("logits forward", batch, top, NUM_CLASSES), matmul("logits weight gradient", top, batch, NUM_CLASSES),
                matmul("logits input gradient", batch, NUM_CLASSES, top)]
        return out

    def analytic_memory(self, size: Size, policy: str) -> Analytic:
        """Weights (and BN's float32 statistics) with optimizer slots at rest; for a step, the weights' copies in the
        compute dtype, their float32 gradients, the images cast, every convolution's input and output kept for the
        backward pass (the weight gradient needs the input, BN's the output) and two activation gradients."""
        c = BYTES[COMPUTE_DTYPE[policy]]
        convs = layers(size)
        top = size.dims["width"] << (STAGES - 1)
        kernels = sum(k * k * c_in * c_out for _, _, c_in, c_out, k in convs) + top * NUM_CLASSES + NUM_CLASSES
        bn = sum(c_out for *_, c_out, _ in convs)
        resting = (kernels + 2 * bn) * 4 * (1 + OPTIMIZER_SLOTS) + 2 * bn * 4  # gamma, beta trained; mean, variance not
        n = size.batch_size
        copies = kernels * c if c != 4 else 0
        gradients = (kernels + 2 * bn) * 4
        images = n * 32 * 32 * 3 * c if c != 4 else 0
        kept = sum(n * side * side * (c_in + c_out) * c for _, side, c_in, c_out, _ in convs)
        in_flight = 2 * max(n * side * side * c_out * c for _, side, _, c_out, _ in convs)
        return Analytic(resting, copies + gradients + images + kept + in_flight)

