"""Audio maths: loops without clicks, fades, peak guard, and decoding through ffmpeg."""

from __future__ import annotations

import numpy as np
import pytest

from studio.errors import CorruptMediaError
from studio.project.model import MusicTrack
from studio.settings import Settings
from studio.sound.decode import SAMPLE_RATE, apply_fades, decode_audio, write_wav
from studio.sound.music import fit_music, music_bed

RATE = SAMPLE_RATE


def _sine(seconds: float, freq: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    mono = (0.5 * np.sin(2 * np.pi * freq * t)).astype(np.float32)
    return np.stack([mono, mono], axis=1)


def _max_step(x: np.ndarray) -> float:
    return float(np.max(np.abs(np.diff(x[:, 0]))))


def _looped(tmp_path, song: np.ndarray, total_ms: int) -> np.ndarray:
    path = tmp_path / "song.wav"
    write_wav(song, path)
    music = MusicTrack(path=str(path), gain_db=0.0, fade_in_ms=0, fade_out_ms=0)
    fit = fit_music(music, round(len(song) * 1000 / RATE), total_ms, None)
    return music_bed(music, path, Settings.from_env({}), total_ms * RATE // 1000, fit)


def test_loop_seam_has_no_click(tmp_path):
    # 1.013 s of a 220 Hz sine ends mid-cycle: a hard splice would jump by ~0.5.
    song = _sine(1.013)
    hard = np.concatenate([song, song])
    looped = _looped(tmp_path, song, 2026)
    smooth_step = _max_step(_sine(1.0))  # the largest sample-to-sample step of the sine itself
    assert _max_step(hard) > 10 * smooth_step
    assert _max_step(looped) < 2 * smooth_step


def test_loop_fills_exactly_the_asked_length(tmp_path):
    bed = _looped(tmp_path, _sine(1.3), 4000)
    assert len(bed) == RATE * 4
    assert np.sqrt(np.mean(bed[-RATE // 2:] ** 2)) > 0.3  # still playing at the end: it looped


def test_fades_start_and_end_silent():
    x = apply_fades(np.ones((RATE, 2), dtype=np.float32), RATE // 10, RATE // 10)
    assert x[0, 0] == 0.0 and abs(x[-1, 0]) < 1e-6 and x[RATE // 2, 0] == 1.0


def test_decode_resamples_to_48k_stereo(tmp_path):
    import subprocess

    path = tmp_path / "tone.wav"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=1000:sample_rate=22050",
                    "-t", "1", "-ac", "1", str(path)], check=True)
    x = decode_audio(path, Settings.from_env({}))
    assert x.shape[1] == 2 and abs(len(x) - RATE) < RATE * 0.01
    spectrum = np.abs(np.fft.rfft(x[:, 0]))
    assert abs(np.argmax(spectrum) * RATE / len(x) - 1000) < 5


def test_decode_of_garbage_names_the_file(tmp_path):
    path = tmp_path / "broken.mp3"
    path.write_bytes(b"ID3" + b"\x00" * 50)
    with pytest.raises(CorruptMediaError, match="broken.mp3"):
        decode_audio(path, Settings.from_env({}))


def test_wav_is_48k_16bit(tmp_path):
    import wave

    write_wav(_sine(0.5), tmp_path / "x.wav")
    with wave.open(str(tmp_path / "x.wav")) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes()) == (RATE, 2, 2, RATE // 2)
