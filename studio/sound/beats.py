"""Beats: where the music's pulse falls, and shot boundaries moved onto it.

Analysis (librosa, imported on first use): the onset envelope of a 22.05 kHz mono decode, the
dynamic-programming beat tracker, a tempo folded into the range people cut to, downbeats chosen
as the beat phase where low-frequency hits and chord changes line up, and a pulse check so that a
pad or speech reports "no beat" instead of an invented grid. Results are cached per
file content under the data folder; bundled tracks carry their exact grid in library.json.
Moving cuts onto the beats is ``studio.sound.beat_sync``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from studio.errors import MediaError
from studio.project.model import Project
from studio.settings import Settings
from studio.sound.decode import decode_audio

ANALYSIS_VERSION = 1
ANALYSIS_RATE = 22_050
HOP = 256  # 11.6 ms frames
N_FFT = 2048
KICK_MAX_HZ = 150.0
CHROMA_DECIMATE = 4  # chords change slowly: every 4th frame (46 ms) is enough
MAX_ANALYSIS_MS = 10 * 60_000  # a 90 s clip never needs more of a song; 10 h of silence stays cheap
MIN_MUSIC_MS = 1000
TEMPO_RANGE_BPM = (60.0, 160.0)
# Pulse thresholds, from measurements on the bundled loops and synthesized drums (periodicity
# 0.14-0.84, attacks 4-15 dB) against noise and speech-like noise (0.06) and a held chord (0.2 dB).
MIN_PERIODICITY = 0.1  # onset-envelope autocorrelation at the beat period, normalised
MIN_ATTACK_DB = 1.0  # mean spectral flux (dB per mel band) on the beats
MIN_BEATS = 4
# The onset envelope peaks a little after an attack (its frames are centred, and spectral flux
# needs the frame after the hit); measured on synthesized drums, tracked beats landed 15-29 ms
# late, and beats of the bundled (AAC) loops 2-12 ms late, so reported times move 13 ms earlier.
ONSET_LATENCY_MS = 13


@dataclass(frozen=True)
class BeatAnalysis:
    tempo_bpm: float  # 0 when no beat was found
    beats_ms: tuple[int, ...]
    downbeats_ms: tuple[int, ...]
    analysed_ms: int
    source: str  # "analysis" or "library"
    note: str = ""

    @property
    def has_beat(self) -> bool:
        return self.tempo_bpm > 0 and len(self.beats_ms) >= MIN_BEATS

    @classmethod
    def from_grid(cls, bpm: float, beats_per_bar: int, duration_ms: int) -> BeatAnalysis:
        """The exact grid of a track whose tempo is known (the bundled loops start on a downbeat)."""
        period = 60_000 / bpm
        beats = tuple(round(i * period) for i in range(int(duration_ms / period) + 1) if i * period < duration_ms)
        return cls(float(bpm), beats, beats[::beats_per_bar], duration_ms, "library")


def _file_key(path: Path) -> str:
    digest = hashlib.sha256(f"beats-v{ANALYSIS_VERSION}".encode())
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def analyse_beats(path: Path, settings: Settings, *, use_cache: bool = True) -> BeatAnalysis:
    """Tempo, beats and downbeats of an audio file (the first 10 minutes), cached per file content."""
    cache_file = settings.data_dir / "cache" / "beats" / f"{_file_key(path)}.json"
    if use_cache and cache_file.is_file():
        try:
            raw = json.loads(cache_file.read_text(encoding="utf-8"))
            return BeatAnalysis(raw["tempo_bpm"], tuple(raw["beats_ms"]), tuple(raw["downbeats_ms"]),
                                raw["analysed_ms"], raw["source"], raw.get("note", ""))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # a damaged cache entry is recomputed and replaced
    mono = decode_audio(path, settings, duration_ms=MAX_ANALYSIS_MS, rate=ANALYSIS_RATE, channels=1)[:, 0]
    result = _analyse(mono)
    if use_cache:
        from studio.project.files import write_atomic

        write_atomic(cache_file, json.dumps(asdict(result)).encode())
    return result


def _analyse(y: np.ndarray) -> BeatAnalysis:
    import librosa

    analysed_ms = round(len(y) * 1000 / ANALYSIS_RATE)
    if len(y) < ANALYSIS_RATE or float(np.sqrt(np.mean(y.astype(np.float64) ** 2))) < 1e-4:
        return BeatAnalysis(0.0, (), (), analysed_ms, "analysis", "the music is silent or shorter than a second")
    # One power spectrogram feeds everything: the onset envelope (as librosa computes it from y),
    # the low band for kicks, and a coarser chroma for chord changes.
    power = np.abs(librosa.stft(y, n_fft=N_FFT, hop_length=HOP)) ** 2
    mel_db = librosa.power_to_db(librosa.feature.melspectrogram(S=power, sr=ANALYSIS_RATE, n_fft=N_FFT))
    onset = librosa.onset.onset_strength(S=mel_db, sr=ANALYSIS_RATE, hop_length=HOP)
    tempo = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=onset, sr=ANALYSIS_RATE, hop_length=HOP))[0])
    frames = track_beats(onset, 60.0 * ANALYSIS_RATE / HOP / tempo) if tempo > 0 else np.zeros(0, dtype=int)
    if tempo <= 0 or len(frames) < MIN_BEATS:
        return BeatAnalysis(0.0, (), (), analysed_ms, "analysis", "no regular beat was found")
    # A pulse is there when the onsets repeat at the beat period and the beats are real attacks.
    lag = max(1, int(round(60.0 / tempo * ANALYSIS_RATE / HOP)))
    centred = onset - onset.mean()
    periodicity = float((centred[:-lag] * centred[lag:]).sum() / ((centred * centred).sum() + 1e-12))
    attack_db = float(onset[frames].mean())
    if periodicity < MIN_PERIODICITY or attack_db < MIN_ATTACK_DB:
        return BeatAnalysis(0.0, (), (), analysed_ms, "analysis",
                            f"no clear beat (periodicity {periodicity:.2f}, attacks {attack_db:.1f} dB)")
    # Octave errors: a tracker locked on eighth notes reports double the felt tempo. Fold into the
    # range people cut to by keeping the stronger of the two half-rate phases.
    while tempo > TEMPO_RANGE_BPM[1] and len(frames) >= 2 * MIN_BEATS:
        even, odd = frames[0::2], frames[1::2]
        frames = even if onset[even].mean() >= onset[odd].mean() else odd
        tempo /= 2
    downbeats = frames[_downbeat_phase(power, mel_db, frames, librosa)::4]
    to_ms = librosa.frames_to_time(np.arange(len(onset)), sr=ANALYSIS_RATE, hop_length=HOP) * 1000 - ONSET_LATENCY_MS
    to_ms = np.maximum(to_ms, 0)
    return BeatAnalysis(round(tempo, 2), tuple(int(round(to_ms[f])) for f in frames),
                        tuple(int(round(to_ms[f])) for f in downbeats), analysed_ms, "analysis")


def track_beats(onset: np.ndarray, period: float, tightness: float = 100.0) -> np.ndarray:
    """Beat frames by dynamic programming (Ellis, "Beat tracking by dynamic programming", 2007).

    Each frame's score is its (smoothed) onset strength plus the best score of a predecessor
    between half and twice a period back, penalised by how far that gap is from the period on a
    log scale; the beats are the chain backtracked from the best frame of the last period. Weak
    beats at either end (a silent intro, a fade-out) are trimmed. Written here rather than
    through librosa.beat, whose import compiles numba kernels for ~1.4 s in every new process.
    """
    n = len(onset)
    if n < 2 * period or period < 2:
        return np.zeros(0, dtype=int)
    normalised = onset / (onset.std() + 1e-9)
    half = int(period)
    kernel = np.exp(-0.5 * (np.arange(-half, half + 1) * 32.0 / period) ** 2)
    local = np.convolve(normalised, kernel, mode="same")
    gaps = np.arange(max(1, int(round(period / 2))), int(round(2 * period)) + 1)
    penalty = -tightness * np.log(gaps / period) ** 2
    score = local.copy()
    previous = np.full(n, -1)
    for i in range(gaps[0], n):
        usable = gaps <= i
        candidates = score[i - gaps[usable]] + penalty[usable]
        best = int(np.argmax(candidates))
        if candidates[best] > 0:
            score[i] = local[i] + candidates[best]
            previous[i] = i - gaps[usable][best]
    last_period = max(0, n - int(round(period)))
    beat = last_period + int(np.argmax(score[last_period:]))
    chain = []
    while beat >= 0:
        chain.append(beat)
        beat = previous[beat]
    frames = np.asarray(chain[::-1], dtype=int)
    strong = local[frames] >= 0.5 * np.sqrt(np.mean(local[frames] ** 2))
    if not strong.any():
        return np.zeros(0, dtype=int)
    first, last = int(np.argmax(strong)), len(strong) - int(np.argmax(strong[::-1]))
    return frames[first:last]


def _downbeat_phase(power: np.ndarray, mel_db: np.ndarray, frames: np.ndarray, librosa) -> int:
    """Which of every four beats starts a bar: where kicks are strongest and the chords change."""
    if len(frames) < 8:
        return 0
    low_bands = int(np.searchsorted(librosa.mel_frequencies(n_mels=mel_db.shape[0] + 2, fmax=ANALYSIS_RATE / 2),
                                    KICK_MAX_HZ))
    low = librosa.onset.onset_strength(S=mel_db[: max(1, low_bands)], sr=ANALYSIS_RATE, hop_length=HOP)
    chroma = librosa.feature.chroma_stft(S=power[:, ::CHROMA_DECIMATE], sr=ANALYSIS_RATE, n_fft=N_FFT)
    beat_columns = np.minimum(frames // CHROMA_DECIMATE, chroma.shape[1] - 1)
    # Column j + 1 of ``sync`` is the span that starts at beat j (column 0 precedes the first beat),
    # so comparing columns j and j + 1 measures the harmonic change at beat j.
    sync = librosa.util.sync(chroma, beat_columns, aggregate=np.median)
    a, b = sync[:, :-1], sync[:, 1:]
    cos = (a * b).sum(0) / (np.linalg.norm(a, axis=0) * np.linalg.norm(b, axis=0) + 1e-9)
    change = np.zeros(len(frames))
    change[: min(len(frames), len(cos))] = (1 - cos)[: len(frames)]

    def zscore(values: np.ndarray) -> np.ndarray:
        return (values - values.mean()) / (values.std() + 1e-9)

    strength = zscore(low[frames]) + zscore(change)
    scores = [strength[k::4].mean() for k in range(4)]
    return int(np.argmax(scores))


def music_beats(project: Project, settings: Settings, music_path: Path | None) -> BeatAnalysis | None:
    """The beat grid of the project's music, from library.json or the (cached) analysis."""
    music = project.music
    if music is None:
        return None
    if music.library is not None:
        from studio.sound.library import library_track

        track = library_track(music.library)
        return BeatAnalysis.from_grid(track.bpm, track.beats_per_bar, track.duration_ms)
    if music_path is None:
        raise MediaError("the music file is missing")
    return analyse_beats(music_path, settings)
