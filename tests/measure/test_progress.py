"""Accuracy-fit progress: one line per epoch, the time left from the mean epoch so far."""

from mpmodel.measure.progress import FitProgress


def test_each_epoch_says_where_it_is_and_how_long_is_left():
    now = [0.0]
    lines = []
    progress = FitProgress(lines.append, total_fits=2, epochs=3, clock=lambda: now[0])
    first = progress.fit("float32", 0)
    for epoch in (1, 2, 3):
        now[0] += 10.0
        first(epoch, 3)
    second = progress.fit("mixed_bfloat16", 0)
    now[0] += 20.0
    second(1, 3)
    assert lines[0] == "mpmodel fit: float32 seed 0 epoch 1/3; 10 s spent, about 50 s left in this test"
    assert lines[2] == "mpmodel fit: float32 seed 0 epoch 3/3; 30 s spent, about 30 s left in this test"
    assert lines[3] == "mpmodel fit: mixed_bfloat16 seed 0 epoch 1/3; 50 s spent, about 25 s left in this test"
