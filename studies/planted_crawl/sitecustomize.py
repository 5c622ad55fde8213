"""A planted crawl, for the crawl rule, the prediction and the interruption (tests/plugin/test_crawling.py, .ci/run):
with this folder on PYTHONPATH and MPMODEL_PLANTED_CRAWL=policy=SECONDS set, every training step of that policy
(TrainingStep: the step probe, step timing, speedup pairs, the memory child) spends SECONDS more per step inside
one native call (MPMODEL_PLANTED_CRAWL=policy=raise: every step raises, as a step with no kernel for its dtype on
this device does; several policies, comma-separated: policy=SECONDS,policy=raise), libc's nanosleep through ctypes
with SIGINT and SIGTERM blocked in the calling thread: Python's signal handlers cannot run until it returns, as in
a crawling TensorFlow kernel (the signal stays pending, and Python sees it after the call). Python imports this
module at start-up, in every process: the suite's own and each child; where the plant is asked for, it imports
mpmodel.core.training (and so Keras) at once and patches it, since pytest's assertion-rewriting import hook, placed
first once pytest starts, would hide a later import from any finder of ours."""

import ctypes
import os
import signal

SPEC = os.environ.get("MPMODEL_PLANTED_CRAWL", "")


class Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


def native_sleep(seconds: float) -> None:
    """Sleep inside one native call that Python's signal handlers cannot interrupt."""
    libc = ctypes.CDLL(None, use_errno=True)
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        request = Timespec(int(seconds), int((seconds % 1) * 1e9))
        remaining = Timespec()
        while libc.nanosleep(ctypes.byref(request), ctypes.byref(remaining)) != 0:  # EINTR from another signal
            request = Timespec(remaining.tv_sec, remaining.tv_nsec)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def plant(training):
    planted = dict(entry.split("=") for entry in SPEC.split(","))  # policy -> seconds or "raise"
    run, call = training.TrainingStep.run, training.TrainingStep.__call__

    def planted_run(self, steps):
        loss = run(self, steps)
        crawl(self, steps)
        return loss

    def planted_call(self):
        loss = call(self)
        crawl(self, 1)
        return loss

    def crawl(step, steps):
        seconds = planted.get(step.model.dtype_policy.name)
        if seconds is None:
            return
        if seconds == "raise":  # a step with no kernel for its dtype here, as JAX's float16 attention on a CPU
            raise ValueError("The precision 'F16_F16_F32' is not supported by dot_general on CPU (planted)\nmore context")
        native_sleep(float(seconds) * steps)

    training.TrainingStep.run, training.TrainingStep.__call__ = planted_run, planted_call


if "=" in SPEC:  # imported now, not on first use: pytest's assertion-rewriting import hook would see it first
    import mpmodel.core.training

    plant(mpmodel.core.training)
