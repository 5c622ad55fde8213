"""Measurement and verdicts: interleaved timing of two steps (`interleave`), rounds of K steps chosen
by time (`rounds`), speed of light, efficiency and speedup ceilings (`ceilings`), medians and their
confidence intervals (`stats`), the table of expected speedups per device (`expectations`), the
gates' decisions and messages (`gates`), a run's context as named facts (`context`), what a run will
cost (`cost`), the step probe's figures, limits and crawl rule (`probe`) and the sentences a crawl is
reported in (`crawl`), and the catalogue of the suite's
benchmarks with the typed record each saves (`results`).

Pure Python with numpy: it imports the core layer (policies, the device's description) and no
framework, pytest or history module, so every verdict can be tested without a model.
"""
