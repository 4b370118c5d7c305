"""The short-video studio's domain, pure Python: ``project/`` (the model, presets, timeline, files, bundles),
``text/`` (fonts, layout, captions, subtitles), ``sound/`` (decode, beats, music, mix, loudness), ``compose/``
(the compositor, frames, encoder, labels, C2PA) and ``safety/``; beside them errors, settings, backend names,
media probing and scratch files.

Nothing here imports torch, diffusers or transformers (model backends live in ``pipelines/``), nor any layer
above it (``tests/test_layers.py``), so the studio starts in seconds and runs on any machine.
"""

__version__ = "0.1.0"
