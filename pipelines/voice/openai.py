"""Any OpenAI-compatible speech server: ``POST {base_url}/audio/speech`` with ``{"model", "input", "voice",
"response_format": "wav", "speed"}`` (OpenAI, Kokoro-FastAPI, openedai-speech, a LocalAI or vLLM server).

The protocol carries no word times, so they are estimated from the audio's pauses (``pipelines.voice.timings``)
and labelled ``estimated``. The URL is held to the same rules as the LLM's (``studio.safety.inputs``: http(s),
no credentials in it, private addresses only as ``STUDIO_LLM_ALLOW_PRIVATE`` allows); the key goes only into the
``Authorization`` header. A reply must arrive within ``timeout_s`` in all and stay under ``max_reply_bytes``; long
lines go as several requests (sentences, then clauses) joined.
"""

from __future__ import annotations

from pathlib import Path

from pipelines import http
from pipelines.voice.contract import Speech, SpeechRequest, TimingSource, VoiceInfo
from pipelines.voice.text import caption_words, chunks, spoken, word_units
from studio.backends import VoiceBackendName
from studio.errors import ScriptInputError, VoiceBackendError, VoiceError
from studio.models import Commercial
from studio.settings import Settings

CHUNK_CHARS = 1000
LICENCE = "the speech server's own terms (set by whoever runs it)"


def speech_endpoint(base_url: str) -> str:
    url = (base_url or "").strip().rstrip("/")
    return url if url.endswith("/audio/speech") else url + "/audio/speech"


def check_speech_url(url: str, allow_private: str = "loopback") -> None:
    """The LLM URL's rules (``studio.safety.inputs.check_llm_url``), checked before each request, never while
    listing voices: the check resolves the host name, and the doctor and ``voices`` stay off the network."""
    from urllib.parse import urlsplit

    from studio.safety.inputs import check_llm_url

    try:
        parts = urlsplit(url.strip())
        has_key = bool(parts.username or parts.password)
    except ValueError:
        has_key = False
    if has_key:
        raise VoiceError("put the speech server's API key in STUDIO_TTS_KEY, not in STUDIO_TTS_URL")
    try:
        check_llm_url(url, allow_private=allow_private)
    except ScriptInputError as err:
        raise VoiceError(f"STUDIO_TTS_URL follows the LLM URL's rules: {err}") from None


class OpenAIVoice:
    """A remote speech server; ESTIMATED word times."""

    name = VoiceBackendName.OPENAI

    def __init__(self, base_url: str, model: str = "tts-1", voices: str = "alloy", *, api_key: str | None = None,
                 timeout_s: float = 60, max_reply_bytes: int = 64 << 20, allow_private: str = "loopback"):
        self.url = speech_endpoint(base_url)
        self.allow_private = allow_private
        self.model = (model or "tts-1").strip()
        self.voice_names = tuple(v.strip() for v in (voices or "alloy").split(",") if v.strip()) or ("alloy",)
        self._api_key = api_key
        self.timeout_s = timeout_s
        self.max_reply_bytes = max_reply_bytes

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIVoice:
        if not settings.tts_url:
            raise VoiceError("no speech server is configured; set STUDIO_TTS_URL")
        return cls(settings.tts_url, settings.tts_model or "tts-1", settings.tts_voice, api_key=settings.tts_api_key,
                   timeout_s=settings.llm_timeout_s, allow_private=settings.llm_allow_private)

    def voices(self) -> tuple[VoiceInfo, ...]:
        return tuple(VoiceInfo(self.name.value, name, ("zh", "en"), LICENCE, Commercial.CONDITIONS,
                               f"{name} of model {self.model} at {self.url}") for name in self.voice_names)

    def default_voice(self, language: object) -> str:
        return self.voice_names[0]

    def fingerprint(self, voice: str) -> str:
        return f"openai {self.url} {self.model}"

    def speak(self, request: SpeechRequest, out: Path) -> Speech:
        import numpy as np

        from pipelines.voice.audio import decode_wav, write_wav
        from pipelines.voice.timings import estimate

        voice = request.voice or self.voice_names[0]
        line = spoken(request.text, request.language)
        said = line.said
        parts, spans, at_ms, rate = [], [], 0.0, None
        for offset, chunk in chunks(said, CHUNK_CHARS):
            x, sr = decode_wav(self._post(chunk.strip(), voice, request.speed), f"the reply of {self.url}")
            if rate is not None and sr != rate:
                raise VoiceBackendError(f"the speech server at {self.url} changed its sample rate between "
                                        f"sentences ({rate} then {sr} Hz)")
            rate = sr
            units = word_units(chunk)
            for (a, b), (t0, t1) in zip(units, estimate(x, sr, [chunk[a:b] for a, b in units]), strict=False):
                spans.append((offset + a, offset + b, int(round(t0 + at_ms)), int(round(t1 + at_ms))))
            parts.append(x)
            at_ms += len(x) * 1000.0 / sr
        audio = np.concatenate(parts) if parts else np.zeros(0, np.float32)
        if rate is None or audio.size == 0 or float(np.abs(audio).max()) < 1e-4:
            raise VoiceBackendError(f"the speech server at {self.url} sent silence for this line")
        write_wav(Path(out), audio, rate)
        return Speech(audio=Path(out), duration_ms=int(round(audio.size * 1000 / rate)),
                      words=caption_words(line, spans), timing=TimingSource.ESTIMATED, backend=self.name.value,
                      voice=voice)

    def _post(self, text: str, voice: str, speed: float) -> bytes:
        check_speech_url(self.url, self.allow_private)
        payload = {"model": self.model, "input": text, "voice": voice, "response_format": "wav", "speed": speed}
        try:
            status, body = http.post_json(self.url, payload, accept="audio/wav", api_key=self._api_key,
                                          timeout_s=self.timeout_s, max_bytes=self.max_reply_bytes)
        except http.TooLarge:
            raise VoiceBackendError(f"the speech server at {self.url} sent more than "
                                    f"{self.max_reply_bytes >> 20} MiB for one sentence; refusing it") from None
        except http.TimedOut:
            raise VoiceBackendError(f"the speech server at {self.url} did not answer within {self.timeout_s:g} s "
                                    "(STUDIO_LLM_TIMEOUT_S)") from None
        except http.Unreachable as err:
            raise VoiceBackendError(f"cannot reach the speech server at {self.url}: {err}") from None
        if status in (401, 403):
            raise VoiceBackendError(f"the speech server at {self.url} refused the API key (HTTP {status}); check "
                                    "STUDIO_TTS_KEY")
        if status != 200:
            raise VoiceBackendError(f"the speech server at {self.url} answered HTTP {status}: "
                                    f"{http.error_snippet(body) or 'no reason given'}")
        return body


