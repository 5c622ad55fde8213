"""A saved run's context: what it ran on, as named facts that can be shown and diffed.

Reads the machine_info that the plugin writes (`machine_info["mpmodel"]`) plus pytest-benchmark's
own host fields. Pure dictionaries in, strings out: no framework is imported here.
"""

from __future__ import annotations

from mpmodel.core.backends import KERAS_DEFAULT
from mpmodel.core.cuda_versions import cuda_version, cudnn_version

MISSING = "none"

# Facts whose change changes what is measured: report and plot mark runs where one changes.
MEASURED_FACTS = ("GPU", "compute capability", "driver", "CUDA", "cuDNN", "TF32", "CPU", "CPU cores",
                  "CPU flags", "TF_ENABLE_ONEDNN_OPTS", "TensorFlow", "Keras", "backend", "torch", "JAX", "profile", "data",
                  "timing")


def describe(machine_info: dict) -> dict[str, str]:
    """Named facts of one run, in a fixed order; facts that were not recorded are left out."""
    mp = machine_info.get("mpmodel") or {}
    dev = mp.get("device") or {}
    gpus = dev.get("gpus") or []
    versions = dev.get("versions") or {}
    facts = {
        "GPU": " + ".join(str(g.get("name")) for g in gpus) if gpus else (MISSING if dev else None),
        "compute capability": ", ".join(str(g.get("compute_capability")) for g in gpus) if gpus else None,
        "driver": dev.get("driver_version"),
        "CUDA": cuda_version(dev.get("cuda_build_version")),  # formatted again: older runs kept each framework's spelling
        "cuDNN": cudnn_version(dev.get("cudnn_build_version")),
        "TF32": dev.get("tf32_enabled"),
        "CPU": dev.get("cpu_model"),
        "CPU cores": dev.get("cpu_count"),
        "CPU flags": ",".join(dev.get("cpu_flags") or []) or (MISSING if dev else None),
        "TF_ENABLE_ONEDNN_OPTS": dev.get("onednn_opts") or ("unset" if dev else None),
        "TensorFlow": versions.get("tensorflow"),
        "Keras": versions.get("keras"),
        "backend": versions.get("keras_backend"),
        "torch": versions.get("torch"),
        "JAX": versions.get("jax"),
        "numpy": versions.get("numpy"),
        "Python": versions.get("python") or machine_info.get("python_version"),
        "profile": mp.get("profile"),
        "data": mp.get("data"),
        "timing": mp.get("timing") or ("single train_on_batch calls" if mp else None),  # before multi-step rounds
        "host": machine_info.get("node"),
        "kernel": machine_info.get("release"),
    }
    return {name: str(value) for name, value in facts.items() if value is not None}


SPELLINGS = {"CUDA": cuda_version, "cuDNN": cudnn_version}  # facts kept elsewhere (a calibration) in an older spelling


def _spelled(facts: dict[str, str]) -> dict[str, str]:
    return {k: (SPELLINGS[k](v) or v) if k in SPELLINGS else v for k, v in facts.items()}


def diff(before: dict[str, str], after: dict[str, str], ignore: tuple[str, ...] = ()) -> list[str]:
    """Each fact that differs, as 'name old -> new', in describe()'s order; CUDA and cuDNN compared in one spelling."""
    before, after = _spelled(before), _spelled(after)
    names = list(before) + [n for n in after if n not in before]
    return [f"{n} {before.get(n, MISSING)} -> {after.get(n, MISSING)}"
            for n in names if n not in ignore and before.get(n, MISSING) != after.get(n, MISSING)]


def measured_changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """diff() restricted to the facts that change what is measured (not host name or kernel)."""
    return diff({k: v for k, v in before.items() if k in MEASURED_FACTS},
                {k: v for k, v in after.items() if k in MEASURED_FACTS})


def hardware(facts: dict[str, str]) -> str:
    """What a run measured on: 'GPU <name>' where it had one, else 'CPU <model>'."""
    return f"GPU {facts['GPU']}" if facts.get("GPU", MISSING) != MISSING else f"CPU {facts.get('CPU', '?')}"


def series_owner(facts: dict[str, str]) -> str:
    """The hardware (a CPU with its core count) and Keras backend a run measured, so that runs of
    different machines or backends never share a series; a framework upgrade within one backend
    does, since that is a change to detect."""
    owner = hardware(facts)
    if facts.get("GPU", MISSING) == MISSING:
        owner += f" x{facts.get('CPU cores', '?')}"
    return f"{owner}, {facts['backend']}" if "backend" in facts else owner


def label(facts: dict[str, str]) -> str:
    """A short label for the device and frameworks, e.g. 'GPU NVIDIA H100 | TensorFlow 2.21.0 | Keras 3.15.1'."""
    parts = [hardware(facts)]
    if "driver" in facts:
        parts.append(f"driver {facts['driver']}")
    for name in ("TensorFlow", "torch", "JAX", "Keras"):
        if name in facts:
            parts.append(f"{name} {facts[name]}")
    if facts.get("backend", KERAS_DEFAULT) != KERAS_DEFAULT:  # Keras's default backend goes without saying
        parts.append(f"backend {facts['backend']}")
    return " | ".join(parts)
