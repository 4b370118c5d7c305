"""WAV in and out for the voice backends: mono 16-bit PCM, written atomically, and the energy measures that word
timings need (where a word's sound really ends, where speech starts after a pause)."""

from __future__ import annotations

import os
import struct
import uuid
import wave
from pathlib import Path

import numpy as np

from studio.errors import VoiceBackendError

SILENCE = 300 / 32768  # below this a 10 ms window counts as silence (espeak's and Piper's quiet floor)


def temp_path(out: Path) -> Path:
    """A unique sibling of ``out`` to write into before ``os.replace`` makes it ``out`` (same file system)."""
    return out.with_name(f".{out.name}.{uuid.uuid4().hex[:12]}.part")


def write_wav(out: Path, samples: np.ndarray, sample_rate: int) -> None:
    """``samples`` (float in [-1, 1] or int16) as a mono 16-bit WAV at ``out``, atomically: never half-written."""
    if samples.dtype != np.int16:
        samples = (np.clip(samples.astype(np.float32), -1.0, 1.0) * 32767).astype(np.int16)
    tmp = temp_path(out)
    try:
        with wave.open(str(tmp), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(int(sample_rate))
            w.writeframes(samples.astype("<i2").tobytes())
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """A WAV file as float32 mono samples and its rate."""
    return decode_wav(Path(path).read_bytes(), str(path))


def decode_wav(data: bytes, where: str) -> tuple[np.ndarray, int]:
    """WAV bytes (PCM 8/16/24/32-bit or 32-bit float, any channels) as float32 mono and the rate. Accepts the
    streaming header some servers send (sizes 0 or 0xFFFFFFFF: the data runs to the end)."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise VoiceBackendError(f"{where} is not a WAV file")
    at, fmt, body = 12, None, None
    while at + 8 <= len(data):
        tag, size = data[at:at + 4], struct.unpack("<I", data[at + 4:at + 8])[0]
        if tag == b"fmt ":
            fmt = struct.unpack("<HHIIHH", data[at + 8:at + 24])
        elif tag == b"data":
            end = len(data) if size in (0, 0xFFFFFFFF) or at + 8 + size > len(data) else at + 8 + size
            body = data[at + 8:end]
            break
        at += 8 + size + (size & 1)
    if fmt is None or body is None:
        raise VoiceBackendError(f"{where} is a WAV file without audio")
    code, channels, rate, _, _, bits = fmt
    if channels < 1 or not 1000 <= rate <= 384_000:
        raise VoiceBackendError(f"{where} has an unusable WAV format ({channels} channels, {rate} Hz)")
    width = bits // 8
    body = body[:len(body) - len(body) % (width * channels)]
    if code == 3 and bits == 32:
        x = np.frombuffer(body, "<f4").astype(np.float32)
    elif code in (1, 0xFFFE) and bits == 16:
        x = np.frombuffer(body, "<i2").astype(np.float32) / 32768
    elif code in (1, 0xFFFE) and bits == 32:
        x = np.frombuffer(body, "<i4").astype(np.float32) / 2**31
    elif code in (1, 0xFFFE) and bits == 8:
        x = (np.frombuffer(body, np.uint8).astype(np.float32) - 128) / 128
    elif code in (1, 0xFFFE) and bits == 24:
        raw = np.frombuffer(body, np.uint8).reshape(-1, 3).astype(np.int32)
        x = ((raw[:, 0] | raw[:, 1] << 8 | raw[:, 2] << 16) << 8 >> 8).astype(np.float32) / 2**23
    else:
        raise VoiceBackendError(f"{where} has an unsupported WAV encoding (format {code}, {bits} bits)")
    if channels > 1:
        x = x.reshape(-1, channels).mean(axis=1)
    return x, rate


def frame_rms(x: np.ndarray, sample_rate: int, win_ms: int = 10) -> np.ndarray:
    """RMS of each ``win_ms`` window (the last partial window dropped)."""
    n = max(1, int(sample_rate * win_ms / 1000))
    m = len(x) // n
    if m == 0:
        return np.zeros(0, np.float32)
    return np.sqrt(np.mean(x[:m * n].reshape(m, n).astype(np.float64) ** 2, axis=1))


def trim_end_ms(x: np.ndarray, sample_rate: int, start_ms: float, end_ms: float) -> int:
    """``end_ms`` moved back over trailing silence (10 ms windows whose peak is under ``SILENCE``), not before
    ``start_ms``: a word ends where its sound ends, not where the next word starts."""
    s = int(start_ms * sample_rate / 1000)
    e = min(len(x), int(end_ms * sample_rate / 1000))
    if e <= s:
        return int(round(start_ms))
    win = max(1, int(0.010 * sample_rate))
    seg = np.abs(x[s:e])
    k = len(seg)
    while k > win and seg[k - win:k].max() < SILENCE:
        k -= win
    return int(round((s + k) * 1000 / sample_rate))


def trim_start_ms(x: np.ndarray, sample_rate: int, start_ms: float, end_ms: float) -> int:
    """``start_ms`` moved forward over leading silence, not past ``end_ms``: espeak-ng reports a word where its
    slot begins, which can be a pause before its first sound."""
    s = int(start_ms * sample_rate / 1000)
    e = min(len(x), int(end_ms * sample_rate / 1000))
    win = max(1, int(0.010 * sample_rate))
    k = s
    while k + win <= e and np.abs(x[k:k + win]).max() < SILENCE / 3:  # softer: a vowel can fade in
        k += win
    return int(round(k * 1000 / sample_rate)) if k + win <= e else int(round(start_ms))


def voiced_runs(x: np.ndarray, sample_rate: int, thr_db: float = -35, min_gap_ms: int = 60) -> list[list[int]]:
    """Spans of speech ([start_ms, end_ms]) where 10 ms windows are within ``thr_db`` of the loudest one; gaps
    shorter than ``min_gap_ms`` (stop closures inside a word) are closed."""
    rms = frame_rms(x, sample_rate)
    if rms.size == 0 or rms.max() <= 0:
        return []
    on = 20 * np.log10(rms / rms.max() + 1e-12) > thr_db
    runs: list[list[int]] = []
    start = None
    for i, v in enumerate(on):
        if v and start is None:
            start = i
        elif not v and start is not None:
            runs.append([start * 10, i * 10])
            start = None
    if start is not None:
        runs.append([start * 10, len(on) * 10])
    merged: list[list[int]] = []
    for run in runs:
        if merged and run[0] - merged[-1][1] < min_gap_ms:
            merged[-1][1] = run[1]
        else:
            merged.append(run)
    return merged
