"""The benchmark core: what is measured. The workload protocol (`workload`: a named, versioned model with its data,
sizes, step kernels and least memory) and the built-in workloads (`workloads/`: the seed's MLP in `mlp`, a residual
convnet in `conv`, a transformer encoder in `transformer`, resolved by name, entry point or
package.module:factory), a step's kernels and their FLOPs (`kernels`: matmuls, convolutions, attention), a
workload's model built and compiled under a policy (`model`), the precision policies and compile modes
(`policies`), the key of a measured step (`step_key`: policy, compile mode, float32 variant), a workload's size
under a measurement plan (`profiles`), timed steps and the fit recipe (`training`), the K-step loop (`multi_step`),
the step's kernels alone (`speed_of_light`), the facts of the device (`device`), the float32 baseline's variants
(`matmul_precision`), each Keras backend's own calls in one folder behind one interface (`backends/<name>/`), data
(`data`: MNIST-shaped readers, validation and the synthetic generator apart; 32x32x3 images and token sequences for
the other workloads), option-value parsers (`parsing`), files written whole (`atomic`), and the entry points of the
session's child processes: the first steps probed (`step_probe`), a step's memory (`memory_probe`), and how a child
ends with its parent (`parent_watch`).

It imports nothing from the other layers. Keras loads where a module needs it (`model`, `training`, and inside
the functions that build a model or read the backend in use); TensorFlow, JAX and PyTorch load only in
`backends/<name>/runtime.py`, when `backends.runtime()` first asks for the backend in use, so the layers above
can import `device`, `policies` or `profiles` without loading one.
"""
