"""Shared test helpers: synthetic media generators (``helpers.media``)."""
