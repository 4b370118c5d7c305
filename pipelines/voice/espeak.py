"""espeak-ng: the offline voice that is always there (Debian's ``espeak-ng``), Chinese and English, with word
times from the engine's own WORD events.

espeak-ng is GPL-3.0-or-later, so it never runs in the studio's process: ``pipelines.voice.espeak_process`` loads
the library in a worker process of its own (started on first use, kept for the next line, restarted if it dies),
and this file only talks JSON to it. Chinese uses the ``cmn-latn-pinyin`` voice: Debian 12's ``cmn`` reads the
tone numbers aloud. Latin words inside a Chinese line are switched to English by espeak itself.
"""

from __future__ import annotations

import json
import select
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from pipelines.voice.contract import Speech, SpeechRequest, TimingSource, VoiceInfo
from pipelines.voice.text import caption_words, spoken
from studio.backends import VoiceBackendName
from studio.errors import VoiceBackendError, VoiceError
from studio.models import Commercial
from studio.project.model import Language
from studio.settings import Settings

WORKER = Path(__file__).with_name("espeak_process.py")
NATURAL_WPM = 175
LICENCE = "GPL-3.0-or-later program, run as a separate process; the speech it makes is yours to use"
VOICES = (
    ("en-us", ("en",), "espeak-ng formant voice, American English: robotic but clear, instant"),
    ("en-gb", ("en",), "espeak-ng formant voice, British English"),
    ("cmn-latn-pinyin", ("zh",), "espeak-ng formant voice, Mandarin with tones: clearly synthetic, instant"),
)
DEFAULTS = {Language.EN: "en-us", Language.ZH: "cmn-latn-pinyin"}


def espeak_present() -> bool:
    return shutil.which("espeak-ng") is not None


def espeak_version() -> str:
    """espeak-ng's version ("1.51"), or "" when it is not installed."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        return ""
    try:
        out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return ""
    words = out.split()
    return words[words.index("text-to-speech:") + 1] if "text-to-speech:" in words else out.strip()[:40]


class _Worker:
    """The one espeak-ng worker process of this backend; one request at a time."""

    def __init__(self, timeout_s: float = 120) -> None:
        self.timeout_s = timeout_s
        self._proc: subprocess.Popen[str] | None = None
        self._lock = threading.Lock()

    def ask(self, request: dict) -> dict:
        with self._lock:
            for attempt in (1, 2):  # a worker that died since the last line is restarted once
                if self._proc is None or self._proc.poll() is not None:
                    self._proc = subprocess.Popen([sys.executable, "-I", str(WORKER)], stdin=subprocess.PIPE,
                                                  stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                                  encoding="utf-8")
                try:
                    assert self._proc.stdin is not None and self._proc.stdout is not None
                    self._proc.stdin.write(json.dumps(request) + "\n")
                    self._proc.stdin.flush()
                    ready, _, _ = select.select([self._proc.stdout], [], [], self.timeout_s)
                    if not ready:
                        self.close()
                        raise VoiceBackendError(f"espeak-ng did not finish the line within {self.timeout_s:g} s")
                    line = self._proc.stdout.readline()
                except (BrokenPipeError, OSError):
                    line = ""
                if line:
                    return json.loads(line)
                self.close()
                if attempt == 2:
                    raise VoiceBackendError("the espeak-ng worker stopped without an answer; check that the "
                                            "espeak-ng package is installed completely")
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self._proc is not None:
            try:
                self._proc.kill()
                self._proc.wait(timeout=5)
            except (OSError, subprocess.SubprocessError):
                pass
            self._proc = None


class EspeakVoice:
    """espeak-ng in a worker process: ``speak`` writes a 22.05 kHz WAV and ENGINE word times."""

    name = VoiceBackendName.ESPEAK

    def __init__(self) -> None:
        self._worker = _Worker()
        self._version: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> EspeakVoice:
        return cls()

    def voices(self) -> tuple[VoiceInfo, ...]:
        if not espeak_present():
            return ()
        return tuple(VoiceInfo(self.name.value, name, langs, LICENCE, Commercial.YES, about)
                     for name, langs, about in VOICES)

    def default_voice(self, language: Language) -> str:
        return DEFAULTS[language]

    def fingerprint(self, voice: str) -> str:
        if self._version is None:
            self._version = espeak_version()
        return f"espeak-ng {self._version}"

    def close(self) -> None:
        self._worker.close()

    def speak(self, request: SpeechRequest, out: Path) -> Speech:
        import numpy as np

        from pipelines.voice.audio import read_wav, temp_path, trim_end_ms, trim_start_ms

        if not espeak_present():
            raise VoiceError("espeak-ng is not installed; install it with: apt-get install espeak-ng")
        voice = request.voice or DEFAULTS[request.language]
        line = spoken(request.text, request.language)
        said = line.said
        rate = max(80, min(450, round(NATURAL_WPM * request.speed)))
        out = Path(out)
        tmp = temp_path(out)
        try:
            reply = self._worker.ask({"text": said, "voice": voice, "rate": rate, "out": str(tmp)})
            if not reply.get("ok"):
                raise VoiceBackendError(f"espeak-ng could not speak the line: {reply.get('error', 'no reason')}")
            x, sr = read_wav(tmp)
            if x.size == 0 or float(np.abs(x).max()) < 1e-4:
                raise VoiceError("espeak-ng made no sound for this line; write words it can read")
            total_ms = x.size * 1000 / sr
            events, seen = [], set()
            for position, _, ms in reply["words"]:
                if 0 < position <= len(said) and position not in seen:  # digits and merges give duplicates
                    seen.add(position)
                    events.append((position - 1, ms))
            events.sort()
            spans = []
            for i, (at, ms) in enumerate(events):
                nxt_at, nxt_ms = events[i + 1] if i + 1 < len(events) else (len(said), total_ms)
                end_ms = min(trim_end_ms(x, sr, ms, max(ms, nxt_ms)), int(total_ms))
                spans.append((at, nxt_at, min(trim_start_ms(x, sr, ms, end_ms), end_ms), end_ms))
            words = caption_words(line, _units(said, spans))
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        return Speech(audio=out, duration_ms=int(round(total_ms)), words=words, timing=TimingSource.ENGINE,
                      backend=self.name.value, voice=voice)


def _units(said: str, spans: list[tuple[int, int, int, int]]) -> list[tuple[int, int, int, int]]:
    """Each event's span of ``said`` cut down to the word it starts (an event spans to the next one, which can
    include punctuation and, where espeak merged words, the next word: that stays merged, "from the")."""
    out = []
    for at, nxt, t0, t1 in spans:
        end = nxt
        while end > at and not (said[end - 1].isalnum()):
            end -= 1
        out.append((at, max(end, at + 1), t0, t1))
    return out
