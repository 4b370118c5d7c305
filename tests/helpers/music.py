"""Synthesized test music whose beats are known exactly: a drum pattern, a bass line and a chord per bar."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

RATE = 48_000


def _kick(n: int) -> np.ndarray:
    t = np.arange(n) / RATE
    return np.sin(2 * np.pi * np.cumsum(50 + 90 * np.exp(-t / 0.03)) / RATE) * np.exp(-t / 0.18)


def _noise_hit(rng: np.random.Generator, n: int, decay_s: float) -> np.ndarray:
    t = np.arange(n) / RATE
    return rng.standard_normal(n) * np.exp(-t / decay_s)


def drum_song(bpm: float, bars: int, *, lead_in_s: float = 0.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray,
                                                                                        np.ndarray]:
    """Stereo float32 samples, the true beat times and the true downbeat times (seconds).

    Kick on 1 and 3, snare on 2 and 4, hats on eighths, a bass note per beat and a chord change per
    bar, after ``lead_in_s`` of silence, so tempo, beats and downbeats are unambiguous.
    """
    rng = np.random.default_rng(seed)
    beat = 60.0 / bpm
    n = int((lead_in_s + bars * 4 * beat + 1.0) * RATE)
    out = np.zeros(n)
    kick, snare, hat = _kick(int(0.3 * RATE)), _noise_hit(rng, int(0.2 * RATE), 0.06), _noise_hit(rng, 2400, 0.01)
    chords = ((261.6, 329.6, 392.0), (196.0, 246.9, 293.7), (220.0, 261.6, 329.6), (174.6, 220.0, 261.6))
    beats = lead_in_s + beat * np.arange(bars * 4)

    def add(sample: np.ndarray, at_s: float, gain: float) -> None:
        i = int(round(at_s * RATE))
        j = min(n, i + len(sample))
        out[i:j] += gain * sample[: j - i]

    for k, at in enumerate(beats):
        add(kick if k % 2 == 0 else snare, at, 0.8 if k % 2 == 0 else 0.5)
        add(hat, at, 0.15)
        add(hat, at + beat / 2, 0.1)
        t = np.arange(int(beat * RATE)) / RATE
        root = chords[(k // 4) % 4][0] / 2
        add(np.sin(2 * np.pi * root * t) * np.exp(-t / 0.3), at, 0.3)
        if k % 4 == 0:
            t = np.arange(int(4 * beat * RATE)) / RATE
            ramp = np.minimum(1, np.minimum(t, t[-1] - t) / 0.05)  # 50 ms attack and release: no clicks
            pad = sum(np.sin(2 * np.pi * f * t) for f in chords[(k // 4) % 4]) * ramp
            add(pad, at, 0.06)
    out *= 0.5 / np.max(np.abs(out))
    stereo = np.stack([out, out], axis=1).astype(np.float32)
    return stereo, beats, beats[::4]


def write_wav(samples: np.ndarray, path: str | Path, rate: int = RATE) -> Path:
    path = Path(path)
    pcm = (np.clip(samples, -1, 1) * 32767).round().astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(pcm.shape[1] if pcm.ndim == 2 else 1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    return path


def sparse_silent_wav(path: str | Path, seconds: float, rate: int = 8000) -> Path:
    """A valid mono 16-bit WAV of ``seconds`` of silence, written as a sparse file (no disk used)."""
    path = Path(path)
    data_bytes = int(seconds * rate) * 2
    header = b"".join([
        b"RIFF", (36 + data_bytes).to_bytes(4, "little"), b"WAVE",
        b"fmt ", (16).to_bytes(4, "little"), (1).to_bytes(2, "little"), (1).to_bytes(2, "little"),
        rate.to_bytes(4, "little"), (rate * 2).to_bytes(4, "little"), (2).to_bytes(2, "little"),
        (16).to_bytes(2, "little"), b"data", data_bytes.to_bytes(4, "little"),
    ])
    with path.open("wb") as handle:
        handle.write(header)
        handle.truncate(len(header) + data_bytes)
    return path
