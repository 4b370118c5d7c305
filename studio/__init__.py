"""The short-video studio's domain: project model, timeline, captions, compositor, project files, CLI.

Pure Python: nothing here imports torch, diffusers or transformers (model backends live in
``pipelines/``), so the studio starts in seconds and runs on any machine.
"""

__version__ = "0.1.0"
