"""Context facts from machine_info, their diff and label."""

from mpmodel.measure.context import describe, diff, hardware, label, measured_changes, series_owner


def machine_info(**changes):
    device = {"gpus": [{"name": "NVIDIA A100-SXM4-80GB", "compute_capability": "8.0"}], "driver_version": "550.54",
              "cuda_build_version": "12.3", "cudnn_build_version": "8", "tf32_enabled": True,
              "cpu_model": "AMD EPYC", "cpu_count": 16, "cpu_flags": ["avx512_bf16"], "onednn_opts": None,
              "versions": {"tensorflow": "2.16.1", "keras": "3.3.3", "keras_backend": "tensorflow", "numpy": "1.26.4",
                           "python": "3.11.7"}}
    device.update(changes)
    return {"node": "runner-1", "release": "6.1", "mpmodel": {"device": device, "profile": "seed", "data": "mnist"}}


def test_diff_names_exactly_what_changed():
    before = describe(machine_info())
    after = describe(machine_info(driver_version="560.28", gpus=[{"name": "NVIDIA H100", "compute_capability": "9.0"}]))
    assert diff(before, after) == ["GPU NVIDIA A100-SXM4-80GB -> NVIDIA H100", "compute capability 8.0 -> 9.0",
                                   "driver 550.54 -> 560.28"]


def test_identical_contexts_have_no_diff():
    assert diff(describe(machine_info()), describe(machine_info())) == []


def test_missing_fact_shows_as_none_and_can_be_ignored():
    before, after = describe(machine_info()), describe(machine_info())
    del after["data"]
    assert diff(before, after) == ["data mnist -> none"]
    assert diff(before, after, ignore=("data",)) == []


def test_onednn_switch_and_versions_are_facts():
    after = describe(machine_info(onednn_opts="0", versions={"tensorflow": "2.17.0", "keras": "3.3.3",
                                                             "keras_backend": "tensorflow"}))
    changes = diff(describe(machine_info()), after)
    assert "TF_ENABLE_ONEDNN_OPTS unset -> 0" in changes
    assert "TensorFlow 2.16.1 -> 2.17.0" in changes


def test_host_change_is_not_a_measured_change():
    before, after = describe(machine_info()), describe(machine_info())
    after["host"] = "runner-2"
    assert diff(before, after) == ["host runner-1 -> runner-2"]
    assert measured_changes(before, after) == []


def test_label_names_device_driver_and_frameworks():
    assert label(describe(machine_info())) == "GPU NVIDIA A100-SXM4-80GB | driver 550.54 | TensorFlow 2.16.1 | Keras 3.3.3"
    cpu = machine_info(gpus=[], driver_version=None)
    assert label(describe(cpu)).startswith("CPU AMD EPYC | TensorFlow")


def test_empty_machine_info_describes_to_nothing():
    assert describe({}) == {}


def test_hardware_and_series_owner_split_devices_and_backends_not_versions():
    gpu = describe(machine_info())
    assert hardware(gpu) == "GPU NVIDIA A100-SXM4-80GB" and series_owner(gpu) == "GPU NVIDIA A100-SXM4-80GB, tensorflow"
    cpu = describe(machine_info(gpus=[]))
    assert hardware(cpu) == "CPU AMD EPYC" and series_owner(cpu) == "CPU AMD EPYC x16, tensorflow"
    upgraded = describe(machine_info(versions={"tensorflow": "2.21.0", "keras_backend": "tensorflow"}))
    assert series_owner(upgraded) == series_owner(gpu)  # an upgrade is a change within the series
    assert label(cpu).startswith("CPU AMD EPYC | ")


def test_facts_kept_in_an_older_spelling_are_not_a_change():
    """A calibration saved its facts when PyTorch's cuDNN read 91900: the same library now reads 9.19.0."""
    before = {"GPU": "NVIDIA H200", "cuDNN": "91900", "CUDA": "13000"}
    assert measured_changes(before, {"GPU": "NVIDIA H200", "cuDNN": "9.19.0", "CUDA": "13.0"}) == []
    assert diff(before, {"GPU": "NVIDIA H200", "cuDNN": "9.20.0", "CUDA": "13.0"}) == ["cuDNN 9.19.0 -> 9.20.0"]
