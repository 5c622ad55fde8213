"""The synthetic set: deterministic, MNIST-shaped, learnable but not trivial."""

import numpy as np

from mpmodel.core.data import synthetic


def test_synthetic_is_deterministic_learnable_shaped_and_not_trivial():
    a, b = synthetic.synthetic_mnist(600, 200), synthetic.synthetic_mnist(600, 200)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert a.x_train.shape == (600, 784) and a.x_test.shape == (200, 784)
    assert a.x_train.std() > 0.1 and len(np.unique(a.y_train)) == 10
    assert a.source == "synthetic-v1[600+200]"  # a smaller set is other data
    # a nearest-class-mean classifier gets 0.48 (chance 0.1; the MLP reaches the 0.91 label-noise ceiling)
    full = synthetic.synthetic_mnist(6000, 2000)
    means = np.stack([full.x_train[full.y_train == c].mean(0) for c in range(10)])
    pred = np.argmin(((full.x_test[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    accuracy = (pred == full.y_test).mean()
    assert 0.3 < accuracy < 0.8, accuracy



def test_the_hard_variant_is_another_set_without_label_noise():
    v1, hard = synthetic.synthetic_mnist(600, 200), synthetic.synthetic_mnist(600, 200, variant="synthetic-hard")
    assert hard.source == "synthetic-hard-v1[600+200]" and v1.source == "synthetic-v1[600+200]"
    assert not np.array_equal(v1.x_train, hard.x_train)
    np.testing.assert_array_equal(hard.x_train, synthetic.synthetic_mnist(600, 200, variant="synthetic-hard").x_train)
    # v1 redraws a tenth of its labels; the hard set keeps every class's template label, so its labels agree
    # with v1's wherever v1 did not redraw them (same generator, same draws)
    agree = (v1.y_train == hard.y_train).mean()
    assert 0.85 < agree < 0.95, agree
