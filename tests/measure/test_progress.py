"""Accuracy-fit progress: one line as each fit ends, the time left from the mean epoch so far."""

from mpmodel.measure.progress import FitProgress


def test_each_fit_says_where_it_is_and_how_long_is_left_in_one_line():
    now = [0.0]
    lines = []
    progress = FitProgress(lines.append, total_fits=2, epochs=3, clock=lambda: now[0])
    first = progress.fit("float32", 0)
    for epoch in (1, 2, 3):
        now[0] += 10.0
        first(epoch, 3)
    assert lines == ["mpmodel fit 1/2: float32 seed 0, 3 epochs in 30 s; about 30 s left in this test"]
    second = progress.fit("mixed_bfloat16", 0)
    for epoch in (1, 2):
        now[0] += 20.0
        second(epoch, 3)
    assert len(lines) == 1  # no line until the fit ends
    now[0] += 20.0
    second(3, 3)
    assert lines[1] == "mpmodel fit 2/2: mixed_bfloat16 seed 0, 3 epochs in 60 s; about 0 s left in this test"
