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


class VoiceBackendName(StrEnum):
    AUTO = "auto"
    ESPEAK = "espeak"  # espeak-ng in a separate process: always there, the offline default (GPL-3.0 program)
    PIPER = "piper"  # Piper voices on onnxruntime: the bundled English voice and any voice folder
    OPENAI = "openai"  # any OpenAI-compatible /v1/audio/speech server


class VideoBackendName(StrEnum):
    AUTO = "auto"
    LTX = "ltx"  # LTX-Video through diffusers: the GPU default
    WAN = "wan"  # Wan 2.x through diffusers: quality
    STILL = "still"  # still-image motion: the CPU draft


class ImageBackendName(StrEnum):
    AUTO = "auto"
    FLUX2 = "flux2"  # FLUX.2 [klein] through diffusers: text-to-image and multi-reference editing, the GPU default
    SD_TURBO = "sd-turbo"  # SD/SDXL-Turbo with the TAESD decoder: the CPU draft tier (non-commercial weights)
    QWEN = "qwen"  # Qwen-Image, with Qwen-Image-Edit-Plus drawing shots that have character references
    FLUX = "flux"  # FLUX.1 pipelines, with an XLabs IP-Adapter for references
    DIFFUSERS = "diffusers"  # any other diffusers text-to-image folder or hub id (class from model_index.json)


class TranscriberBackendName(StrEnum):
    AUTO = "auto"
    FASTER_WHISPER = "faster-whisper"  # CTranslate2: a converted Whisper folder, int8 on a CPU
    TRANSFORMERS = "transformers"  # transformers' Whisper (a save_pretrained folder or hub id)
