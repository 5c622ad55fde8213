import pytest

from mpmodel.core.profiles import PROFILES, default_profile_name, flops_per_step, get_profile


def test_seed_profile_is_the_seed():
    seed = get_profile("seed")
    assert (seed.size.dims["units"], seed.batch_size, seed.epochs, seed.validation_split) == (4096, 8192, 5, 0.2)
    # forward and weight gradients of all three layers, input gradients of the last two: 0.932 TFLOP a step
    assert flops_per_step(seed) == 931_873_685_504
    assert flops_per_step(seed) == 2 * 8192 * (2 * (784 * 4096 + 4096 * 4096 + 4096 * 10) + 4096 * 4096 + 4096 * 10)


def test_small_profile_flops_count_no_input_gradient_for_the_first_layer():
    small = get_profile("small")
    assert flops_per_step(small) == 19_587_399_680
    assert flops_per_step(small, batch_size=1) * 2048 == flops_per_step(small)


@pytest.mark.parametrize("name", list(PROFILES))
def test_dimensions_are_multiples_of_8(name):
    p = PROFILES[name]
    assert p.size.dims["units"] % 8 == 0 and p.batch_size % 8 == 0
    assert p.timing_pairs >= 10  # the speedup gate needs at least 10 pairs after warm-up
    assert p.accuracy_seeds >= 3


def test_default_profile_follows_the_gpu():
    assert default_profile_name(gpu_visible=True) == "seed"
    assert default_profile_name(gpu_visible=False) == "small"


def test_unknown_profile_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown profile 'huge'; valid profiles: seed, small, tiny"):
        get_profile("huge")
