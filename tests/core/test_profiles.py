import pytest

from mpmodel.core.profiles import PROFILES, default_profile_name, get_profile, training_flops_per_step


def test_seed_profile_is_the_seed():
    seed = get_profile("seed")
    assert (seed.units, seed.batch_size, seed.epochs, seed.validation_split) == (4096, 8192, 5, 0.2)
    # 3 x 2 x 8192 x (784*4096 + 4096*4096 + 4096*10): 0.984 TFLOP a step
    assert training_flops_per_step(seed) == 3 * 2 * 8192 * 20_029_440


@pytest.mark.parametrize("name", list(PROFILES))
def test_dimensions_are_multiples_of_8(name):
    p = PROFILES[name]
    assert p.units % 8 == 0 and p.batch_size % 8 == 0
    assert p.timing_pairs >= 10  # the speedup gate needs at least 10 pairs after warm-up
    assert p.accuracy_seeds >= 3


def test_default_profile_follows_the_gpu():
    assert default_profile_name(gpu_visible=True) == "seed"
    assert default_profile_name(gpu_visible=False) == "small"


def test_unknown_profile_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown profile 'huge'; valid profiles: seed, small"):
        get_profile("huge")
