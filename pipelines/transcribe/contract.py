"""The transcriber's contract: what every backend (``faster-whisper``, ``transformers``) takes and returns.

A backend is one class in one file (registered in ``pipelines.transcribe.service.TRANSCRIBER_BACKENDS``) with
``name``, ``from_settings(settings, model_ref)`` and ``__call__(speech, language, *, cancel) -> Transcript``. It gets
16 kHz mono samples that ``pipelines.transcribe.audio`` already checked (length, silence) and decoded with ffmpeg;
it never opens files. Words come back in order with times in ms inside the audio, punctuation attached to the word
it follows, as Whisper writes it; a word that follows a space keeps that one leading space (" world,"; Hanzi have
none), so ``joined`` gives the text back with its own spacing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from pipelines.voice.contract import WordTime
from studio.backends import TranscriberBackendName
from studio.errors import TranscriberModelError, TranscriptionCancelled
from studio.settings import Settings

SAMPLE_RATE = 16_000  # what Whisper and the Qwen3 aligner hear
Cancel = Callable[[], bool]


@dataclass(frozen=True)
class TranscriptSegment:
    """One stretch of speech as the model split it (a sentence or a breath), with its words' span."""

    text: str
    start_ms: int
    end_ms: int


@dataclass(frozen=True)
class Transcript:
    """What was said: the text, the language heard (or asked for), each word with its time, and the segments."""

    text: str
    language: str
    words: tuple[WordTime, ...]
    segments: tuple[TranscriptSegment, ...]
    duration_ms: int = 0
    backend: str = ""
    model: str = ""


class Transcriber(Protocol):
    """One backend: one class, one ``__call__`` from 16 kHz mono samples to a transcript."""

    name: TranscriberBackendName

    @classmethod
    def from_settings(cls, settings: Settings, model_ref: str) -> Transcriber: ...

    def __call__(self, speech: np.ndarray, language: str | None, *, cancel: Cancel | None = None) -> Transcript: ...


def check_cancel(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise TranscriptionCancelled("transcription was cancelled; nothing was written")


def clean_words(raw: list[tuple[str, float, float]], duration_ms: int) -> tuple[WordTime, ...]:
    """Model words (text, start s, end s) as WordTimes: clamped inside the audio (random and real models both run
    past the end at times), in order, each at least 1 ms long, blanks dropped. The text keeps its leading space
    (English words are joined by it) but is stripped of other whitespace."""
    words: list[WordTime] = []
    cursor = 0
    for text, start, end in raw:
        if not text or not text.strip():
            continue
        lead = " " if text[:1].isspace() else ""
        start_ms = int(round(max(0.0, float(start)) * 1000))
        end_ms = int(round(max(0.0, float(end)) * 1000))
        start_ms = min(max(start_ms, cursor), max(duration_ms - 1, 0))
        end_ms = min(max(end_ms, start_ms + 1), max(duration_ms, start_ms + 1))
        words.append(WordTime(lead + text.strip(), start_ms, end_ms))
        cursor = start_ms
    return tuple(words)


def joined(words: tuple[WordTime, ...] | list[WordTime]) -> str:
    """The words as text: their own spacing (English words carry a leading space, Hanzi none)."""
    return "".join(w.text for w in words).strip()


def language_of(text: str) -> str:
    """A text's language when no one said: any Han character means Chinese, else English."""
    return "zh" if re.search(r"[\u3400-\u9fff\uf900-\ufaff]", text) else "en"


class LoadedOnce:
    """A backend whose model loads on its first recording, once per process, whichever thread asks first;
    ``_load`` builds it. ``local_model`` and ``load_failed`` word what both Whisper backends share."""

    model_ref: str

    def __init__(self, model_ref: str):
        self.model_ref = model_ref
        self._loaded = None
        self._lock = threading.Lock()

    def loaded(self):
        with self._lock:
            if self._loaded is None:
                self._loaded = self._load()
            return self._loaded

    def _load(self):
        raise NotImplementedError

    def local_model(self) -> tuple[str, bool]:
        """The model as the loader takes it (a folder's full path, else the hub id) and whether it is a folder."""
        path = Path(self.model_ref).expanduser()
        return (str(path), True) if path.is_dir() else (self.model_ref, False)

    def load_failed(self, kind: str, err: Exception) -> TranscriberModelError:
        reason = " ".join(str(err).split())[:200] or type(err).__name__
        return TranscriberModelError(f"cannot load the {kind} model {self.model_ref!r}: {reason}")
