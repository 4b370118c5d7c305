"""The project: what a short is made of, and how it is kept.

``model`` (the Project, its shots, storyboard and bible), ``presets`` (platforms), ``styles`` (named caption
styles), ``timeline`` (when each shot plays), ``limits`` (what one project may ask for), ``files`` (versioned
JSON on disk: load, save, migrate, schema), ``bundles`` (a project and its media as one zip) and ``assemble``
(a project from the user's own media, the quick path).
"""
