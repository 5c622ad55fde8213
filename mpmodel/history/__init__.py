"""The history of saved runs, without pytest, read from one source (`mpmodel.store.source`: a folder or a
database): two runs compared per policy (`comparison`, with the two-sample tests of `twosample`), lasting shifts
over many runs (`shifts`, on the change points of `changepoints`), A/A noise calibration (`calibration`) and its
suite runs (`aa_runs`), rendering as text (`render_text`, `render_formats`), a plot (`render_plot`), the device
matrix (`matrix`, `render_matrix`) and a page (`page`, `render_html`), and the `mpmodel` command (`cli/`: a
dispatcher and one module per command).

It imports the store (the run model and the source, never the database directly), the measure and core layers
(a run's context facts, policies, files written whole), numpy and scipy, and matplotlib only to plot; never the
pytest plugin or a framework.
"""
