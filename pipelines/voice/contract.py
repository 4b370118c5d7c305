"""The voice contract: what every voice backend (``espeak``, ``piper``, ``openai``) takes and returns.

A backend is one class in one file (registered in ``pipelines.voice.backends.VOICE_BACKENDS``) with ``name``,
``from_settings(settings)``, ``voices()``, ``speak(request, out) -> Speech`` and ``fingerprint(voice)``.
``speak`` writes a WAV at ``out`` (atomically) and returns where each word lies in it and where those times came
from. Choosing a backend and
caching is the service, ``pipelines.voice.backends.VoiceBackends``; narration, captions and the faces code against
the names in this file only.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from studio.backends import VoiceBackendName
from studio.models import Commercial
from studio.project.model import Language
from studio.settings import Settings

MIN_SPEED = 0.5  # what a backend accepts; the narration fitter stays inside 0.85..1.25
MAX_SPEED = 2.0


class TimingSource(StrEnum):
    """Where a Speech's word times came from, from most to least trustworthy."""

    MODEL = "model"  # the voice model's own durations (Piper's duration node): exact for the audio made
    ENGINE = "engine"  # the synthesis engine's word events (espeak-ng): within a few tens of ms
    ALIGNED = "aligned"  # a forced aligner matched the known text to the audio
    ESTIMATED = "estimated"  # spread over the audio's own pauses: a guess, shown as one


@dataclass(frozen=True)
class WordTime:
    """One caption unit (a word, a merged pair like "from the", or one Hanzi) and its span in the audio."""

    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class SpeechRequest:
    """One line to speak. ``voice`` None: the backend's default for the language. ``speed`` 1.0 is natural
    (2.0 twice as fast); the narration fitter asks for 0.85..1.25."""

    text: str
    language: Language
    voice: str | None = None
    speed: float = 1.0


@dataclass(frozen=True)
class Speech:
    """What a backend made: a mono 16-bit WAV at ``audio``, its length, and its words in order."""

    audio: Path
    duration_ms: int
    words: tuple[WordTime, ...]
    timing: TimingSource
    backend: str
    voice: str
    cached: bool = False


@dataclass(frozen=True)
class VoiceInfo:
    """One voice a backend can speak with, and the terms its sound comes under."""

    backend: str
    name: str
    languages: tuple[str, ...]
    licence: str
    commercial: Commercial
    description: str


class VoiceBackend(Protocol):
    """One backend: one class that lists its voices and speaks a request into a WAV file."""

    name: VoiceBackendName

    @classmethod
    def from_settings(cls, settings: Settings) -> VoiceBackend: ...

    def voices(self) -> tuple[VoiceInfo, ...]: ...

    def speak(self, request: SpeechRequest, out: Path) -> Speech: ...

    def fingerprint(self, voice: str) -> str:
        """What identifies the model behind ``voice`` (program version, weights file, server and model): part of
        the cache key, so a new model never answers with an old line."""
        ...
