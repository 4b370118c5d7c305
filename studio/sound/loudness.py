"""Mastering: the final mix brought to the platform's loudness with true peaks under the ceiling.

Measured the ITU-R BS.1770-4 way (pyloudnorm for integrated loudness; true peak from a 4x
oversampled signal, as BS.1770 Annex 2 describes). Applied as a gain plus a look-ahead true-peak
limiter, iterated on the original signal: limiting lowers loudness, so the gain is corrected and
the limiter run again until the measurement lands within 0.2 LU. The limiter aims 1 dB under the
ceiling because the AAC encode that follows adds overshoot of its own (measured: a plain gain to
-14 LUFS came out at +0.5 dBTP after AAC; see ../shared/TESTING.md).

Silence stays silence: a mix below BS.1770's -70 LUFS absolute gate is not amplified.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

OVERSAMPLE = 4
BLOCK = 48  # 1 ms at 48 kHz: the limiter's gain resolution
LOOKAHEAD_BLOCKS = 5
RELEASE_MS = 80.0
CODEC_MARGIN_DB = 1.0
MAX_GAIN_DB = 60.0  # bounded anyway: below the -70 LUFS gate nothing is amplified


@dataclass(frozen=True)
class MasterReport:
    input_lufs: float  # -inf for silence
    output_lufs: float
    true_peak_dbtp: float
    gain_db: float
    limited: bool


def integrated_lufs(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness in LUFS; -inf when everything is below the absolute gate."""
    import pyloudnorm

    if not np.any(samples):
        return float("-inf")
    minimum = int(0.4 * rate) + 1  # one gating block
    if len(samples) < minimum:
        samples = np.concatenate([samples, np.zeros((minimum - len(samples), samples.shape[1]), samples.dtype)])
    with np.errstate(divide="ignore"):
        return float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64)))


def _true_peak_envelope(samples: np.ndarray) -> np.ndarray:
    """Per input sample, the largest absolute value of the 4x oversampled signal around it."""
    from scipy.signal import resample_poly

    up = np.abs(resample_poly(samples, OVERSAMPLE, 1, axis=0)).max(axis=1)
    n = len(samples)
    return up[: n * OVERSAMPLE].reshape(n, OVERSAMPLE).max(axis=1)


def true_peak_dbtp(samples: np.ndarray) -> float:
    if len(samples) == 0 or not np.any(samples):
        return float("-inf")
    return float(20 * np.log10(_true_peak_envelope(samples).max()))


def limit(samples: np.ndarray, ceiling_dbtp: float, *, peaks: np.ndarray | None = None) -> tuple[np.ndarray, bool]:
    """A look-ahead brickwall limiter on the true-peak envelope; returns the signal and whether it acted.

    The gain needed per 1 ms block is held over the look-ahead window and averaged over the same
    window, so it ramps down before a peak and is never above what any sample in reach needs; it
    then recovers with an exponential release. ``peaks`` is the signal's true-peak envelope when
    the caller has it (it scales with gain, so mastering computes it once).
    """
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10 ** (ceiling_dbtp / 20)
    n = len(samples)
    if n == 0:
        return samples, False
    peaks = _true_peak_envelope(samples) if peaks is None else peaks
    if peaks.max() <= ceiling:
        return samples, False
    blocks = -(-n // BLOCK)
    padded = np.zeros(blocks * BLOCK, dtype=np.float64)
    padded[:n] = peaks
    need = np.minimum(1.0, ceiling / np.maximum(padded.reshape(blocks, BLOCK).max(axis=1), 1e-12))
    # hold[b] = min(need[b .. b+L]); smooth[b] = mean(hold[b-L .. b]) <= need[b] for every b.
    hold = minimum_filter1d(need, size=LOOKAHEAD_BLOCKS + 1, origin=-((LOOKAHEAD_BLOCKS + 1) // 2), mode="nearest")
    smooth = np.minimum(uniform_filter1d(hold, size=LOOKAHEAD_BLOCKS + 1, origin=LOOKAHEAD_BLOCKS // 2,
                                         mode="nearest"), hold)
    smooth = np.minimum(smooth, need)
    release = 1 - np.exp(-1.0 / RELEASE_MS)  # per 1 ms block
    gain = np.empty(blocks)
    g = 1.0
    for b in range(blocks):  # 60k iterations for a minute: ~30 ms
        g = min(smooth[b], g + (1.0 - g) * release)
        gain[b] = g
    out = samples * np.repeat(gain, BLOCK)[:n, None].astype(samples.dtype)
    return out, True


def master(samples: np.ndarray, rate: int, *, target_lufs: float, ceiling_dbtp: float) -> tuple[np.ndarray,
                                                                                               MasterReport]:
    """Gain to ``target_lufs`` and limit true peaks to ``ceiling_dbtp`` (minus the codec margin)."""
    measured = integrated_lufs(samples, rate)
    if not np.isfinite(measured):
        return samples, MasterReport(measured, measured, true_peak_dbtp(samples), 0.0, False)
    gain_db = min(MAX_GAIN_DB, target_lufs - measured)
    out, limited, loudness = samples, False, measured
    envelope = _true_peak_envelope(samples)
    for _ in range(5):
        gain = 10 ** (gain_db / 20)
        out, limited = limit(samples * np.float32(gain), ceiling_dbtp - CODEC_MARGIN_DB, peaks=envelope * gain)
        loudness = integrated_lufs(out, rate)
        if abs(loudness - target_lufs) < 0.2 or gain_db >= MAX_GAIN_DB:
            break
        gain_db = min(MAX_GAIN_DB, gain_db + (target_lufs - loudness))
    peak = float(20 * np.log10(max(_true_peak_envelope(out).max(), 1e-12)))
    return out, MasterReport(measured, loudness, peak, gain_db, limited)
