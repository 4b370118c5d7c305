"""Render the studio's bundled music: a few seamless loops, synthesized here from code alone.

Every sound is made in numpy (drums from shaped noise and pitch-swept sines, bass and chords from
band-limited additive oscillators, a small feedback-comb reverb), so the tracks are ours to give
away (CC0) and a fresh install has music without a download. Each loop is a whole number of bars
at a known tempo; the reverb tail past the last bar is folded back onto the start, so the file
loops without a seam. The tempo, bars and mood of each file go into assets/music/library.json,
which the studio reads (and the beat-analysis tests check against).

    python scripts/make_music.py            # rewrites assets/music/*.m4a and library.json
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import signal

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "music"
RATE = 48_000
NOTE = {n: i for i, n in enumerate(["C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"])}


def hz(name: str) -> float:
    """'A4' -> 440.0."""
    pitch, octave = name[:-1], int(name[-1])
    return 440.0 * 2 ** ((NOTE[pitch] + 12 * (octave + 1) - 69) / 12)


def env(n: int, attack_s: float, decay_s: float) -> np.ndarray:
    t = np.arange(n) / RATE
    a = np.clip(t / max(attack_s, 1e-4), 0, 1)
    return a * np.exp(-t / max(decay_s, 1e-4))


def tone(freq: float, seconds: float, *, harmonics: int = 1, rolloff: float = 1.0, attack_s: float = 0.005,
         decay_s: float = 0.5, detune: float = 0.0) -> np.ndarray:
    """Additive oscillator: harmonics k at 1/k**rolloff, band-limited below Nyquist."""
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    out = np.zeros(n)
    for k in range(1, harmonics + 1):
        if freq * k * (1 + detune) >= RATE / 2.2:
            break
        out += np.sin(2 * np.pi * freq * k * t) / k**rolloff
        if detune:
            out += np.sin(2 * np.pi * freq * (1 + detune) * k * t + 1.3 * k) / k**rolloff
    return out * env(n, attack_s, decay_s)


def kick(rng: np.random.Generator) -> np.ndarray:
    n = int(0.45 * RATE)
    t = np.arange(n) / RATE
    freq = 45 + 95 * np.exp(-t / 0.03)
    body = np.sin(2 * np.pi * np.cumsum(freq) / RATE) * np.exp(-t / 0.22)
    click = rng.standard_normal(n) * np.exp(-t / 0.003) * 0.3
    return body + click


def snare(rng: np.random.Generator) -> np.ndarray:
    n = int(0.3 * RATE)
    t = np.arange(n) / RATE
    noise = signal.sosfilt(signal.butter(2, [1200, 8000], "bandpass", fs=RATE, output="sos"), rng.standard_normal(n))
    return noise * np.exp(-t / 0.09) * 0.9 + np.sin(2 * np.pi * 185 * t) * np.exp(-t / 0.05) * 0.5


def hat(rng: np.random.Generator, open_: bool = False) -> np.ndarray:
    n = int((0.25 if open_ else 0.08) * RATE)
    t = np.arange(n) / RATE
    noise = signal.sosfilt(signal.butter(4, 7000, "highpass", fs=RATE, output="sos"), rng.standard_normal(n))
    return noise * np.exp(-t / (0.08 if open_ else 0.018)) * 0.35


def reverb(x: np.ndarray, mix: float, seconds: float = 1.6) -> np.ndarray:
    """Four feedback combs into two allpasses (Schroeder), enough to glue a mix."""
    wet = np.zeros_like(x)
    for delay_ms in (29.7, 37.1, 41.1, 43.7):
        d = int(delay_ms * RATE / 1000)
        g = 10 ** (-3 * d / (seconds * RATE))
        a = np.zeros(d + 1)
        a[0], a[d] = 1, -g
        wet += signal.lfilter([1.0], a, x)
    for delay_ms, g in ((5.0, 0.7), (1.7, 0.7)):
        d = int(delay_ms * RATE / 1000)
        b = np.zeros(d + 1)
        b[0], b[d] = -g, 1
        a = np.zeros(d + 1)
        a[0], a[d] = 1, -g
        wet = signal.lfilter(b, a, wet)
    return x + mix * wet / 4


@dataclass(frozen=True)
class Track:
    id: str
    title: str
    mood: str
    bpm: float
    bars: int
    key: str
    chords: tuple[tuple[str, ...], ...]  # one chord per bar, cycled
    bass: tuple[str, ...]  # root per bar, cycled
    kick: str  # 16 steps per bar: x = hit
    snare: str
    hats: str  # x = closed, o = open
    swing: float = 0.0  # delay of off-beat 16ths, as a fraction of a 16th
    lead: tuple[str, ...] = ()  # one note (or '-') per 8th, cycled over the loop
    pad_gain: float = 0.25
    reverb_mix: float = 0.25


TRACKS = (
    Track("sunny_pop", "Sunny Side", "upbeat, bright, feel-good", 112, 16, "C major",
          (("C4", "E4", "G4"), ("G3", "B3", "D4"), ("A3", "C4", "E4"), ("F3", "A3", "C4")),
          ("C2", "G2", "A2", "F2"),
          "x-------x-x-----", "----x-------x---", "x-x-x-x-x-x-x-xo",
          lead=("E5", "-", "G5", "E5", "D5", "-", "C5", "-", "D5", "-", "B4", "-", "G4", "-", "-", "-",
                "C5", "-", "E5", "C5", "A4", "-", "C5", "-", "A4", "-", "C5", "-", "F5", "E5", "D5", "-")),
    Track("lofi_chill", "Late Window", "calm, lofi, study, cozy", 84, 8, "C major",
          (("D4", "F4", "A4", "C5"), ("G3", "B3", "D4", "F4"), ("C4", "E4", "G4", "B4"), ("A3", "C4", "E4", "G4")),
          ("D2", "G2", "C2", "A2"),
          "x------x--x-----", "----x-------x---", "x-x-x-x-x-x-x-x-", swing=0.33, pad_gain=0.35,
          reverb_mix=0.4),
    Track("cinematic_rise", "Northern Light", "cinematic, epic, emotional", 96, 8, "A minor",
          (("A3", "C4", "E4"), ("F3", "A3", "C4"), ("C4", "E4", "G4"), ("G3", "B3", "D4")),
          ("A1", "F1", "C2", "G1"),
          "x-------x-------", "--------x-------", "--------x-------", pad_gain=0.45, reverb_mix=0.5,
          lead=("E5", "-", "-", "-", "A5", "-", "-", "-", "G5", "-", "-", "-", "E5", "-", "D5", "-")),
    Track("electro_drive", "Night Drive", "energetic, electronic, hype", 128, 16, "E minor",
          (("E4", "G4", "B4"), ("C4", "E4", "G4"), ("G4", "B4", "D5"), ("D4", "F#4", "A4")),
          ("E2", "C2", "G2", "D2"),
          "x---x---x---x---", "----x-------x---", "--x---x---x---xo", pad_gain=0.2),
)


def render(track: Track) -> np.ndarray:
    rng = np.random.default_rng(7)
    beat_s = 60.0 / track.bpm
    step_s = beat_s / 4
    loop_n = int(round(track.bars * 4 * beat_s * RATE))
    tail_n = int(2.5 * RATE)
    mix = np.zeros((loop_n + tail_n, 2))
    drums = {"kick": kick(rng), "snare": snare(rng), "hat": hat(rng), "open": hat(rng, open_=True)}

    def place(sample: np.ndarray, at_s: float, gain: float, pan: float = 0.0) -> None:
        i = int(round(at_s * RATE))
        j = min(len(mix), i + len(sample))
        mix[i:j, 0] += sample[: j - i] * gain * (1 - max(pan, 0))
        mix[i:j, 1] += sample[: j - i] * gain * (1 + min(pan, 0))

    for bar in range(track.bars):
        bar_s = bar * 4 * beat_s
        for step in range(16):
            at = bar_s + step * step_s + (track.swing * step_s if step % 2 else 0.0)
            if track.kick[step] == "x":
                place(drums["kick"], at, 0.9)
            if track.snare[step] == "x":
                place(drums["snare"], at, 0.55)
            if track.hats[step] in "xo":
                place(drums["open" if track.hats[step] == "o" else "hat"], at, 0.5, pan=0.3)
        root = track.bass[bar % len(track.bass)]
        for beat in range(4):
            note = tone(hz(root) * (2 if beat == 3 and track.bpm > 100 else 1), beat_s * 0.95, harmonics=6,
                        rolloff=1.6, decay_s=beat_s * 0.8)
            place(note, bar_s + beat * beat_s, 0.45)
        chord = track.chords[bar % len(track.chords)]
        for name in chord:
            pad = tone(hz(name), 4 * beat_s + 0.6, harmonics=8, rolloff=1.8, attack_s=0.25, decay_s=3.0,
                       detune=0.004)
            place(pad, bar_s, track.pad_gain / len(chord), pan=-0.2)
    if track.lead:
        eighth = beat_s / 2
        for i in range(track.bars * 8):
            name = track.lead[i % len(track.lead)]
            if name != "-":
                place(tone(hz(name), 0.6, harmonics=4, rolloff=2.0, decay_s=0.22), i * eighth, 0.22, pan=0.25)
    mix = np.stack([reverb(mix[:, c], track.reverb_mix) for c in range(2)], axis=1)
    loop = mix[:loop_n].copy()
    loop[:tail_n] += mix[loop_n:]  # fold the tail onto the start: the loop point is seamless
    loop *= 10 ** (-3 / 20) / np.max(np.abs(loop))  # peak at -3 dBFS; the studio masters the mix
    return loop.astype(np.float32)


def encode_m4a(samples: np.ndarray, path: Path) -> None:
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "loop.wav"
        with wave.open(str(wav), "wb") as handle:
            handle.setnchannels(2)
            handle.setsampwidth(2)
            handle.setframerate(RATE)
            handle.writeframes((samples * 32767).round().astype("<i2").tobytes())
        part = path.with_suffix(".part.m4a")
        subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(wav),
                        "-c:a", "aac", "-b:a", "96k", "-movflags", "+faststart", str(part)], check=True)
        part.replace(path)


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    library = []
    for track in TRACKS:
        samples = render(track)
        encode_m4a(samples, OUT / f"{track.id}.m4a")
        library.append({
            "id": track.id, "title": track.title, "mood": track.mood, "bpm": track.bpm, "beats_per_bar": 4,
            "bars": track.bars, "key": track.key, "duration_ms": round(len(samples) * 1000 / RATE),
            "file": f"{track.id}.m4a", "license": "CC0-1.0 (made by scripts/make_music.py)",
        })
        print(f"{track.id}: {track.bpm} BPM, {track.bars} bars, {len(samples) / RATE:.1f} s")
    (OUT / "library.json").write_text(json.dumps({"tracks": library}, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
