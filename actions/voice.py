"""Speaking one line and listing the voices: the same functions for the CLI, the UI and the API."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import replace
from pathlib import Path

from pipelines.services import Services
from pipelines.voice.contract import Speech, SpeechRequest, VoiceInfo
from studio.backends import VoiceBackendName
from studio.errors import VoiceError
from studio.project.model import Language


def voice_cache_dir(services: Services) -> Path:
    """Where spoken lines are kept (keyed by everything that changes their sound; see ``VoiceBackends``)."""
    return services.settings.data_dir / "voice"


def list_voices(services: Services) -> tuple[VoiceInfo, ...]:
    """Every voice that can speak on this machine now, with its licence."""
    return services.voice.available()


def speak(services: Services, text: str, language: str | Language = Language.AUTO, voice: str | None = None,
          backend: str | VoiceBackendName = VoiceBackendName.AUTO, speed: float = 1.0,
          out_wav: Path | None = None, timings_json: Path | None = None) -> Speech:
    """``text`` spoken (from the cache when it was spoken before). With ``out_wav`` the WAV is copied there and the
    returned Speech points at it; with ``timings_json`` the words go there as ``[{"text", "start_ms",
    "end_ms"}]``. Both are written atomically: a failure leaves neither half-written."""
    try:
        lang = Language(str(language or "auto").strip().lower())
    except ValueError:
        raise VoiceError(f"there is no language {language!r}; choose zh, en or auto") from None
    targets = [Path(p) for p in (out_wav, timings_json) if p is not None]
    for target in targets:
        if target.is_dir():
            raise VoiceError(f"{target} is a folder; name a file to write")
        if not target.parent.is_dir():
            raise VoiceError(f"the folder {target.parent} does not exist")
    speech = services.voice.speak(SpeechRequest(text=text, language=lang, voice=voice or None, speed=speed),
                                  voice_cache_dir(services), backend)
    staged: list[tuple[Path, Path]] = []  # (temporary, final): both files are complete before either appears
    try:
        if out_wav is not None:
            staged.append((_temporary(Path(out_wav)), Path(out_wav)))
            shutil.copyfile(speech.audio, staged[-1][0])
        if timings_json is not None:
            words = [{"text": w.text, "start_ms": w.start_ms, "end_ms": w.end_ms} for w in speech.words]
            staged.append((_temporary(Path(timings_json)), Path(timings_json)))
            staged[-1][0].write_text(json.dumps(words, ensure_ascii=False, indent=1), encoding="utf-8")
        for tmp, final in staged:
            os.replace(tmp, final)
    finally:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    return replace(speech, audio=Path(out_wav)) if out_wav is not None else speech


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.part")
