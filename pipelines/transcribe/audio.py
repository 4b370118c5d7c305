"""The recording a transcriber or the aligner hears: checked with ffprobe before anything is decoded, then decoded
by ffmpeg to 16 kHz mono, then listened to for speech.

    1. probe    a real media file with a sound stream (``studio.media.probe``: containers and codecs allowed,
                a video without sound refused), no longer than ``STUDIO_MAX_TRANSCRIBE_S`` by its header
    2. decode   ffmpeg to 16 kHz mono float32 (the clip's first sound stream)
    3. listen   silence (nothing above -50 dBFS) and noise (no speech found by the Silero voice detector that
                faster-whisper ships, 1.2 MB, no download) are refused with one sentence each

Decoding happens only after the header said the file is short enough, so a 10-hour file costs one ffprobe call.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.transcribe.contract import SAMPLE_RATE
from studio.errors import CorruptMediaError, MediaTooLargeError, NoSpeechError
from studio.media import MediaKind, probe
from studio.settings import Settings
from studio.sound.decode import decode_audio

SILENCE_DBFS = -50.0  # the loudest 30 ms of the recording below this: nothing was recorded


@dataclass(frozen=True)
class Speech:
    """A checked recording as 16 kHz mono samples; ``speech_ms`` are the spans the voice detector heard speech in
    (empty when the detector is not installed)."""

    path: Path
    samples: np.ndarray
    duration_ms: int
    speech_ms: tuple[tuple[int, int], ...] = ()


def _clock(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def check_length(path: Path, settings: Settings) -> int:
    """The recording's length in ms from its header (ffprobe), refused when over the limit; nothing decoded."""
    info = probe(Path(path), settings, expect=MediaKind.AUDIO)
    limit = settings.max_transcribe_s
    if info.duration_ms > limit * 1000:
        raise MediaTooLargeError(f"{Path(path).name} is {_clock(info.duration_ms)} long; the studio transcribes "
                                 f"at most {limit} s (STUDIO_MAX_TRANSCRIBE_S)")
    return info.duration_ms


def loudest_dbfs(samples: np.ndarray, frame: int = SAMPLE_RATE * 30 // 1000) -> float:
    """The level of the loudest 30 ms, in dBFS (RMS)."""
    usable = len(samples) // frame * frame
    if usable == 0:
        return float(20 * np.log10(np.sqrt(np.mean(samples**2)) + 1e-12)) if len(samples) else -120.0
    rms = np.sqrt(np.mean(samples[:usable].reshape(-1, frame) ** 2, axis=1))
    return float(20 * np.log10(rms.max() + 1e-12))


def speech_spans(samples: np.ndarray) -> tuple[tuple[int, int], ...] | None:
    """Where the Silero voice detector (bundled with faster-whisper) hears speech, in ms; None without it."""
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps
    except ImportError:
        return None
    found = get_speech_timestamps(samples, VadOptions(min_speech_duration_ms=120, min_silence_duration_ms=300),
                                  sampling_rate=SAMPLE_RATE)
    return tuple((int(s["start"] * 1000 // SAMPLE_RATE), int(s["end"] * 1000 // SAMPLE_RATE)) for s in found)


def load_speech(path: Path, settings: Settings) -> Speech:
    """The recording at ``path`` checked, decoded and listened to, or a MediaError / NoSpeechError naming it."""
    path = Path(path)
    # 1. probe: the header only
    check_length(path, settings)
    # 2. decode
    samples = decode_audio(path, settings, rate=SAMPLE_RATE, channels=1)[:, 0]
    if len(samples) < SAMPLE_RATE // 10:
        raise CorruptMediaError(f"{path.name}: its sound could not be decoded (less than 0.1 s came out)")
    duration_ms = len(samples) * 1000 // SAMPLE_RATE
    # 3. listen
    if loudest_dbfs(samples) < SILENCE_DBFS:
        raise NoSpeechError(f"{path.name} is silent: there is no speech to transcribe")
    spans = speech_spans(samples)
    if spans is not None and not spans:
        raise NoSpeechError(f"no speech was heard in {path.name} (only noise or music); record the voice again "
                            "closer to the microphone")
    return Speech(path, np.ascontiguousarray(samples, dtype=np.float32), duration_ms, spans or ())
