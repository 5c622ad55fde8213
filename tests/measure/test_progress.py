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


def test_the_default_run_writes_a_fit_line_only_once_a_minute_has_passed():
    now = [0.0]
    lines = []
    progress = FitProgress(lines.append, total_fits=4, epochs=1, clock=lambda: now[0], every_s=60.0)
    for seed, took in enumerate((20.0, 20.0, 25.0, 10.0)):
        fit = progress.fit("float32", seed)
        now[0] += took
        fit(1, 1)
    assert [line.split(":")[0] for line in lines] == ["mpmodel fit 3/4"]  # at 65 s; the fourth 10 s later: none
