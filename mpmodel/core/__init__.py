"""The benchmark core: what is measured. The seed's model (`model`), the precision policies and
compile modes (`policies`), model and training sizes (`profiles`), timed steps and the fit recipe
(`training`), each backend's K-step loop (`multi_step`), the step's matmuls alone (`speed_of_light`),
the facts of the device (`device`), the float32 baseline's matmul precision and TF32
(`matmul_precision`), MNIST-shaped data (`data`: readers, validation and the synthetic generator
apart), option-value parsers (`parsing`), files written whole (`atomic`), and the entry points of the
session's child processes: the first steps probed (`step_probe`), a step's memory (`memory_probe`), and
how a child ends with its parent (`parent_watch`).

It imports nothing from the other layers. Keras loads where a module needs it (`model`, `multi_step`,
`speed_of_light`, `training`); a framework loads only inside the function that uses the backend in use, so the
layers above can import `device`, `policies` or `profiles` without loading one.
"""
