"""The store layer: where runs live. A saved run parsed once (`runs`), one source of runs named by a path or URL
(`source`: a folder of pytest-benchmark files or a database; the one interface the history reads through), and
saved runs in a database behind a URL (`database`, SQLAlchemy 2 Core), for a fleet's history.

SQLite (a file) is the embedded default, PostgreSQL (`postgresql+psycopg://...`) the fleet's. A run is
stored whole, as pytest-benchmark wrote it, in one transaction with its results and gate verdicts, under
one identity (a hash of its content): saving it twice adds nothing. May import the core and measure
layers; the plugin (saving each run) and the history layer (reading runs back) import it.
"""

HISTORY_ENV = "MPMODEL_HISTORY"  # the store's URL, for the suite (--mp-history) and the history commands (--source)
