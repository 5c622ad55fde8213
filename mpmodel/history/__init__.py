"""The history of saved runs, without pytest: reading runs (`runs`), two runs compared per policy
(`comparison`, with the two-sample tests of `twosample`), lasting shifts over many runs
(`shifts`, on the change points of `changepoints`), A/A noise calibration (`calibration`),
rendering as text (`render_text`) or a plot (`render_plot`), and the `mpmodel` command (`cli`).

It imports the measure and core layers (a run's context facts, policies, files written whole),
numpy and scipy, and matplotlib only to plot; never the pytest plugin or a framework.
"""
