"""The command line, an edge like ``app.py`` and ``ui/``: ``main`` (the parser and where errors become one line
and an exit code), ``flags`` (flags shared by commands, read through the request types' ``from_values``),
``media`` (compose, render, bundle), ``ideas`` (script, enhance, make, batch) and ``info`` (music, schema,
settings)."""
