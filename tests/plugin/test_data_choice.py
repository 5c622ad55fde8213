"""--mp-data per workload, on the three built-ins as `--mp-workload all` runs them (a GPU's session, at tiny): one
source goes to every workload that reads it and the others keep their own data, saying why; `name=SOURCE` parts
are strict; a source none of them reads, or a broken one, is one line."""

import pytest
from mnist_files import write_cifar, write_npz

from mpmodel.core.data import DataError
from mpmodel.core.workloads import BUILT_IN, resolve
from mpmodel.plugin.data_choice import DataChoice, check_names, load_all, parse_data_choice

ALL = tuple(BUILT_IN)


@pytest.fixture
def everything():
    """Every built-in at its tiny size, as a session with --mp-workload all holds them."""
    return {name: (w, w.sizes["tiny"]) for name, w in ((n, resolve(n)) for n in ALL)}


@pytest.fixture
def keras_home(tmp_path, monkeypatch):
    home = tmp_path / "keras"
    (home / "datasets").mkdir(parents=True)
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


def test_one_source_or_named_parts_parse():
    assert parse_data_choice("") == DataChoice("auto")
    assert parse_data_choice("mnist") == DataChoice("mnist")
    assert parse_data_choice("mlp=/data/m.npz,conv=cifar10") == DataChoice("auto", {"mlp": "/data/m.npz", "conv": "cifar10"})
    assert parse_data_choice("mnist,conv=cifar10") == DataChoice("mnist", {"conv": "cifar10"})
    assert str(parse_data_choice("mnist,conv=cifar10")) == "mnist,conv=cifar10"
    assert str(parse_data_choice("conv=cifar10")) == "conv=cifar10"


def test_a_path_that_exists_is_one_source_whatever_it_holds(tmp_path):
    odd = tmp_path / "a=b,c.npz"
    odd.write_bytes(b"")
    assert parse_data_choice(str(odd)) == DataChoice(str(odd))


@pytest.mark.parametrize("text, problem", [
    ("mnist,synthetic", "gives two sources for every workload ('mnist', 'synthetic'); name each as workload=SOURCE"),
    ("mlp=a,mlp=b", "names workload mlp twice"),
    ("mnist,,conv=x", "has an empty part"),
])
def test_malformed_choices_are_one_line(text, problem):
    with pytest.raises(ValueError, match=problem.replace("(", r"\(").replace(")", r"\)")):
        parse_data_choice(text)


def test_a_part_must_name_a_workload_of_the_session():
    check_names(parse_data_choice("conv=cifar10"), ALL)
    with pytest.raises(ValueError, match=r"resnet=x: no workload named resnet in this session \(mlp, conv, transformer\)"):
        check_names(parse_data_choice("resnet=x"), ALL)


def test_mnist_goes_to_the_mlp_and_the_convnet_and_the_transformer_keeps_its_task(everything, keras_home):
    write_npz(keras_home / "datasets" / "mnist.npz")
    data = load_all(parse_data_choice("mnist"), everything, offline=True)
    assert data["mlp"].source.startswith("keras-cache:") and data["mlp"].x_train.shape == (32, 784)
    assert data["conv"].source.endswith("mnist.npz as 32x32x3") and data["conv"].x_train.shape == (32, 32, 32, 3)
    assert data["transformer"].source.startswith("synthetic-sequences-v1")
    assert data["transformer"].note == "its own data, not mnist: it reads no data files (its task is synthetic)"


def test_a_path_goes_where_it_can_be_read(everything, tmp_path):
    path = write_npz(tmp_path / "digits.npz")
    data = load_all(parse_data_choice(str(path)), everything, offline=True)
    assert data["mlp"].source == f"npz:{path}" and data["conv"].source == f"npz:{path} as 32x32x3"
    assert "its own data, not" in data["transformer"].note


@pytest.mark.session
def test_cifar10_goes_to_the_convnet_alone(everything, keras_home):
    write_cifar(keras_home / "datasets" / "cifar-10-batches-py")
    data = load_all(parse_data_choice("cifar10"), everything, offline=True)
    assert data["conv"].source.startswith("cifar10")
    assert data["mlp"].note.endswith("its own data, not cifar10: it reads MNIST-format digits, not CIFAR-10 images")
    assert data["transformer"].note.startswith("its own data, not cifar10")


@pytest.mark.session
def test_cifar10_that_is_not_there_is_one_line_naming_it(everything, keras_home):
    with pytest.raises(DataError, match="cifar10: no CIFAR-10 at .*cifar-10-batches-py; pass --mp-data PATH"):
        load_all(parse_data_choice("cifar10"), everything, offline=True)


@pytest.mark.session
def test_synthetic_hard_goes_to_the_digit_workloads(everything):
    data = load_all(parse_data_choice("synthetic-hard"), everything, offline=True)
    assert data["mlp"].source == "synthetic-hard-v1" and data["conv"].source == "synthetic-hard-v1 as 32x32x3"
    assert "its own data, not synthetic-hard" in data["transformer"].note


@pytest.mark.session
def test_named_parts_are_strict_and_the_rest_keep_auto(everything, tmp_path, keras_home):
    path = write_npz(tmp_path / "digits.npz")
    write_cifar(keras_home / "datasets" / "cifar-10-batches-py")
    data = load_all(parse_data_choice(f"mlp={path},conv=cifar10"), everything, offline=True)
    assert data["mlp"].source == f"npz:{path}" and data["conv"].source.startswith("cifar10")
    assert data["transformer"].note == ""  # auto: its own data, nothing passed over
    with pytest.raises(DataError, match=r"transformer=mnist: workload transformer reads no data files"):
        load_all(parse_data_choice("transformer=mnist"), everything, offline=True)


@pytest.mark.session
def test_a_source_no_running_workload_reads_is_one_line(everything):
    only_transformer = {"transformer": everything["transformer"]}
    with pytest.raises(DataError, match=r"^mnist: no workload of this session reads it: workload transformer reads no "
                                        r"data files \(its task is synthetic\)$"):
        load_all(parse_data_choice("mnist"), only_transformer, offline=True)
    only_mlp = {"mlp": everything["mlp"]}
    with pytest.raises(DataError, match="cifar10: no workload of this session reads it: workload mlp reads MNIST"):
        load_all(parse_data_choice("cifar10"), only_mlp, offline=True)


def test_a_broken_file_is_the_readers_line_not_a_fallback(everything, tmp_path):
    bad = tmp_path / "mnist.npz"
    bad.write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DataError, match="mnist.npz: "):
        load_all(parse_data_choice(str(bad)), everything, offline=True)
