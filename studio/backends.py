"""The names of the studio's backends, one enum per kind of backend.

Settings, project files and every face (UI, API, CLI) speak these names; ``pipelines/`` maps each name to the
one file that implements it (``pipelines.script.writers.SCRIPT_BACKENDS``, ``pipelines.video.backends.
VIDEO_BACKENDS``), and ``tests/test_layers.py`` keeps every name and its registry line in step. ``auto`` is a
choice, not a backend: the registry's chooser resolves it on the machine at hand.
"""

from __future__ import annotations

from enum import StrEnum


class ScriptBackendName(StrEnum):
    AUTO = "auto"
    LOCAL = "local"  # a chat model through transformers, JSON-schema constrained
    OPENAI = "openai"  # any OpenAI-compatible chat endpoint
    TEMPLATE = "template"  # offline rules, no model


class VideoBackendName(StrEnum):
    AUTO = "auto"
    LTX = "ltx"  # LTX-Video through diffusers: the GPU default
    WAN = "wan"  # Wan 2.x through diffusers: quality
    STILL = "still"  # still-image motion: the CPU draft
