import pytest

from mpmodel.core.cuda_versions import cuda_version, cudnn_version


@pytest.mark.parametrize(("reported", "shown"), [
    (13000, "13.0"), (12080, "12.8"), ("12040", "12.4"), ("13.0", "13.0"), ("12.5.1", "12.5.1"), ("12", "12.0"),
    (None, None), ("", None),
])
def test_cuda_versions_read_alike_from_every_framework(reported, shown):
    assert cuda_version(reported) == shown


@pytest.mark.parametrize(("reported", "shown"), [
    (91900, "9.19.0"), ("91900", "9.19.0"), (90100, "9.1.0"), (8907, "8.9.7"), (8600, "8.6.0"), ("9.19.0", "9.19.0"),
    ("9", "9"), (None, None), (" ", None),
])
def test_cudnn_versions_read_alike_from_every_framework(reported, shown):
    assert cudnn_version(reported) == shown
