"""Music: beat analysis of synthesized songs of known tempo, beat-synced cuts, ducking under voice-over,
the -14 LUFS / -1 dBTP master, the bundled library and bad audio input."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from cli.main import main
from studio.compose.compositor import compose
from studio.project.files import load_project, validate_project
from studio.project.model import MusicTrack, Project, Shot, Transition
from studio.project.timeline import build_timeline
from studio.settings import Settings
from studio.sound.beat_sync import MIN_SNAPPED_SHOT_MS, _cut_points, snap_to_beats
from studio.sound.beats import BeatAnalysis, analyse_beats
from studio.sound.decode import decode_audio
from studio.sound.library import library
from studio.sound.loudness import integrated_lufs, true_peak_dbtp
from studio.sound.mix import SoundSources, mix_timeline, voice_track
from studio.sound.music import fit_music, music_bed
from tests.helpers.media import make_image, make_tone
from tests.helpers.music import RATE, drum_song, sparse_silent_wav, write_wav

LEAD_IN_S = 0.37


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path_factory.mktemp("music-data"))})


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("music-media")
    song, true_beats, true_downbeats = drum_song(120, 16, lead_in_s=LEAD_IN_S)
    t = np.arange(int(8 * RATE)) / RATE
    pad = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 277.2, 329.6)) / 6  # a held chord: no pulse
    return {
        "song": write_wav(song, d / "song120.wav"),
        "beats": true_beats,
        "downbeats": true_downbeats,
        "pad": write_wav(np.stack([pad, pad], axis=1), d / "pad.wav"),
        "img": make_image(d / "img.jpg", (540, 960), (40, 120, 200), "gradient"),
        "img2": make_image(d / "img2.jpg", (540, 960), (200, 90, 40), "gradient"),
    }


def _shots(files, durations, transitions=None) -> list[Shot]:
    transitions = transitions or [Transition.CUT] * len(durations)
    return [Shot(media=str(files["img" if i % 2 == 0 else "img2"]), duration_ms=d, transition=tr,
                 camera_move="none", transition_ms=400)
            for i, (d, tr) in enumerate(zip(durations, transitions, strict=True))]


def _cuts(project: Project) -> list[int]:
    return _cut_points(project)


def _decode_mp4_audio(path: Path, settings: Settings) -> np.ndarray:
    return decode_audio(path, settings)


# -- analysis ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("bpm", [97, 120, 140])
def test_analysis_finds_tempo_beats_and_downbeats(tmp_path, settings, bpm):
    song, true_beats, true_downbeats = drum_song(bpm, 12, lead_in_s=0.21)
    result = analyse_beats(write_wav(song, tmp_path / f"s{bpm}.wav"), settings, use_cache=False)
    assert result.has_beat and abs(result.tempo_bpm - bpm) / bpm < 0.02
    found = np.asarray(result.beats_ms) / 1000
    assert len(found) >= 0.9 * len(true_beats)
    assert max(np.min(np.abs(true_beats - b)) for b in found) < 0.03
    assert max(np.min(np.abs(true_downbeats - d)) for d in np.asarray(result.downbeats_ms) / 1000) < 0.03


def test_analysis_is_cached_per_file_content(tmp_path, settings, files, monkeypatch):
    path = tmp_path / "copy.wav"
    path.write_bytes(files["song"].read_bytes())
    first = analyse_beats(path, settings)
    monkeypatch.setattr("studio.sound.beats._analyse", lambda y: pytest.fail("the cached analysis was not used"))
    assert analyse_beats(path, settings) == first
    write_wav(np.zeros((RATE * 2, 2), np.float32), path)  # new content: a new key, a new analysis
    monkeypatch.undo()
    assert not analyse_beats(path, settings).has_beat


def test_music_without_a_pulse_reports_no_beat(settings, files):
    result = analyse_beats(files["pad"], settings)
    assert not result.has_beat and "beat" in result.note


# -- beat sync --------------------------------------------------------------------------------------

def _synced(files, settings, durations, transitions=None, **music):
    project = validate_project({"preset": "draft", "storyboard": {"shots": [
        s.model_dump(mode="json") for s in _shots(files, durations, transitions)]},
        "music": {"path": str(files["song"]), **music}})
    analysis = analyse_beats(files["song"], settings)
    song_ms = round(len(decode_audio(files["song"], settings)) * 1000 / RATE)
    fit = fit_music(project.music, song_ms, build_timeline(project).duration_ms, analysis)
    return project, *snap_to_beats(project, analysis, fit)


def _clip_beats(files, start_ms: int = 0, which: str = "beats") -> np.ndarray:
    return files[which] * 1000 - start_ms


def test_beat_sync_puts_every_cut_within_70_ms_of_a_true_beat(files, settings):
    durations = [2300, 1700, 2900, 2100, 2600]
    transitions = [Transition.CUT, Transition.CROSSFADE, Transition.CUT, Transition.FADE, Transition.CROSSFADE]
    project, synced, report = _synced(files, settings, durations, transitions)
    true_beats = _clip_beats(files)
    assert all(np.min(np.abs(true_beats - cut)) > 70 for cut in _cuts(project)[:2])  # they started off-beat
    assert all(np.min(np.abs(true_beats - cut)) <= 70 for cut in _cuts(synced)), (_cuts(synced), report)
    assert build_timeline(synced).duration_ms == build_timeline(project).duration_ms
    assert all(s.duration_ms >= 1000 for s in synced.shots)
    assert report.moved >= 3 and "120" in report.message
    assert snap_to_beats(synced, analyse_beats(files["song"], settings), _fit(synced, files, settings))[0] == synced


def _fit(project, files, settings):
    song_ms = round(len(decode_audio(files["song"], settings)) * 1000 / RATE)
    return fit_music(project.music, song_ms, build_timeline(project).duration_ms,
                           analyse_beats(files["song"], settings))


def test_beat_sync_follows_the_song_start_offset_and_downbeats(files, settings):
    start = 1370  # the song enters 1 s into its own timeline: beats move with it
    _, synced, _ = _synced(files, settings, [1900, 2300, 2050, 1800], start_ms=start, snap_to="downbeat",
                           beat_tolerance_ms=1000)
    true_downbeats = _clip_beats(files, start, "downbeats")
    assert all(np.min(np.abs(true_downbeats - cut)) <= 70 for cut in _cuts(synced)), _cuts(synced)


def test_beat_sync_never_squeezes_a_shot_below_its_floor(files, settings):
    project, synced, _ = _synced(files, settings, [1050, 1000, 3000], beat_tolerance_ms=600)
    for before, after in zip(project.shots, synced.shots, strict=True):
        assert after.duration_ms >= min(before.duration_ms, MIN_SNAPPED_SHOT_MS)


def test_without_a_beat_cuts_stay_and_the_user_is_told(files, settings):
    project = validate_project({"preset": "draft", "storyboard": {"shots": [
        s.model_dump(mode="json") for s in _shots(files, [2300, 1700])]},
        "music": {"path": str(files["pad"]), "beat_sync": True}})
    analysis = analyse_beats(files["pad"], settings)
    fit = fit_music(project.music, 8000, 4000, analysis)
    synced, report = snap_to_beats(project, analysis, fit)
    assert synced == project and "cuts left where they were" in report.message


def test_cli_beat_sync_is_stored_in_the_project_and_reproducible(capsys, tmp_path, files):
    out = tmp_path / "synced.mp4"
    code = main(["compose", "--preset", "draft", "--shot", str(files["img"]), "--shot", str(files["img2"]),
                 "--shot", str(files["img"]), "--shot-seconds", "1.6", "--transition", "cut", "--music",
                 str(files["song"]), "--beat-sync", "-o", str(out)])
    stdout, err = capsys.readouterr()
    assert code == 0, err
    assert "beat sync: 120" in stdout and "LUFS" in stdout
    project, root = load_project(tmp_path / "synced.project.json")
    assert project.music.beat_sync and [s.duration_ms for s in project.shots] != [1600, 1600, 1600]
    assert all(np.min(np.abs(_clip_beats(files) - cut)) <= 70 for cut in _cuts(project))
    again = tmp_path / "again.mp4"
    assert main(["render", str(tmp_path / "synced.project.json"), "-o", str(again)]) == 0
    rerendered, _ = load_project(tmp_path / "again.project.json")
    assert [s.duration_ms for s in rerendered.shots] == [s.duration_ms for s in project.shots]


# -- fitting, ducking, mastering ---------------------------------------------------------------------

def test_loops_jump_on_bar_lines(files, settings):
    analysis = analyse_beats(files["song"], settings)
    music = MusicTrack(path=str(files["song"]))
    song_ms = round(len(decode_audio(files["song"], settings)) * 1000 / RATE)
    fit = fit_music(music, song_ms, 80_000, analysis)
    assert len(fit.segments) >= 3 and "bars" in fit.note
    loop = fit.segments[1]
    downbeats = files["downbeats"] * 1000
    assert np.min(np.abs(downbeats - loop.song_ms)) < 30  # jumps back to a downbeat ...
    assert np.min(np.abs(downbeats - (loop.song_ms + loop.length_ms))) < 30 or \
        abs(loop.song_ms + loop.length_ms - downbeats[-1] - 2000) < 30  # ... from a bar line


def test_a_trimmed_song_ends_on_a_beat(files, settings):
    analysis = analyse_beats(files["song"], settings)
    fit = fit_music(MusicTrack(path=str(files["song"])), 33_000, 7_300, analysis)
    assert fit.end_ms < 7_300 and np.min(np.abs(_clip_beats(files) - fit.end_ms)) < 30


def _voice(total_s: float, spans: list[tuple[float, float]], freq: float = 1000.0) -> np.ndarray:
    t = np.arange(int(total_s * RATE)) / RATE
    on = np.zeros_like(t)
    for a, b in spans:
        on[(t >= a) & (t < b)] = 1.0
    mono = 0.3 * np.sin(2 * np.pi * freq * t) * on
    return np.stack([mono, mono], axis=1).astype(np.float32)


def _rms_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x.astype(np.float64) ** 2) + 1e-20))


def test_ducking_lowers_music_under_voice_by_at_least_6_db(tmp_path, files, settings):
    spans = [(1.0, 2.5), (4.0, 5.2)]
    voice_path = write_wav(_voice(7.0, spans), tmp_path / "voice.wav")
    project = validate_project({"preset": "draft", "storyboard": {"shots": [
        s.model_dump(mode="json") for s in _shots(files, [3500, 3500])]},
        "music": {"path": str(files["song"]), "gain_db": 0, "fade_in_ms": 0, "fade_out_ms": 0},
        "voiceover": {"path": str(voice_path)}})
    timeline = build_timeline(project)
    fit = fit_music(project.music, 33_000, timeline.duration_ms, None)

    def music_only(duck_db: float) -> np.ndarray:
        music = project.music.model_copy(update={"duck_db": duck_db})
        sources = SoundSources(music=music, music_path=files["song"], music_fit=fit,
                                     voiceover=project.voiceover, voiceover_path=voice_path)
        mix = mix_timeline(timeline, {}, settings, sources)
        return mix - voice_track(timeline, sources, settings, len(mix))

    ducked, plain = music_only(12.0), music_only(0.0)
    for a, b in spans:
        inner = slice(int((a + 0.1) * RATE), int((b - 0.1) * RATE))
        assert _rms_db(plain[inner]) - _rms_db(ducked[inner]) >= 6.0
    quiet = slice(int(6.0 * RATE), int(7.0 * RATE))  # long after the last word: back to full level
    assert abs(_rms_db(plain[quiet]) - _rms_db(ducked[quiet])) < 1.0


def test_export_is_mastered_and_ducked(tmp_path, files, settings):
    spans = [(1.0, 2.4)]
    voice = write_wav(_voice(3.0, spans), tmp_path / "voice.wav")
    bass = make_tone(tmp_path / "bass.wav", seconds=6.0, freq=150.0, amplitude=0.05)  # a quiet bed
    project = validate_project({"preset": "draft", "storyboard": {"shots": [
        s.model_dump(mode="json") for s in _shots(files, [2000, 2000])]},
        "music": {"path": str(bass), "gain_db": 0, "fade_in_ms": 0, "fade_out_ms": 0},
        "voiceover": {"path": str(voice)}})
    result = compose(project, tmp_path / "mastered.mp4", settings=settings)
    sound = _decode_mp4_audio(result.video, settings)
    assert abs(integrated_lufs(sound, RATE) - (-14.0)) <= 1.0
    assert true_peak_dbtp(sound) <= -1.0

    def band_db(x: np.ndarray, freq: float) -> float:
        spectrum = np.abs(np.fft.rfft(x[:, 0] * np.hanning(len(x))))
        bins = np.fft.rfftfreq(len(x), 1 / RATE)
        return float(20 * np.log10(spectrum[np.abs(bins - freq) < 8].max() + 1e-12))

    voiced = sound[int(1.3 * RATE): int(2.1 * RATE)]
    free = sound[int(3.1 * RATE): int(3.9 * RATE)]
    assert band_db(free, 150.0) - band_db(voiced, 150.0) >= 6.0


@pytest.mark.parametrize("gain_db", [-30.0, 12.0])
def test_quiet_and_hot_music_both_land_at_minus_14_lufs(tmp_path, files, settings, gain_db):
    project = validate_project({"preset": "draft", "storyboard": {"shots": [
        s.model_dump(mode="json") for s in _shots(files, [3000])]},
        "music": {"path": str(files["song"]), "gain_db": gain_db}})
    result = compose(project, tmp_path / "m.mp4", settings=settings)
    sound = _decode_mp4_audio(result.video, settings)
    assert abs(integrated_lufs(sound, RATE) - (-14.0)) <= 1.0, result.loudness
    assert true_peak_dbtp(sound) <= -1.0, result.loudness


def test_a_shot_voiceover_starts_at_its_cut(tmp_path, files, settings):
    voice = write_wav(_voice(0.8, [(0.0, 0.8)]), tmp_path / "line.wav")
    shots = _shots(files, [1500, 1500])
    shots[1] = shots[1].model_copy(update={"voiceover_audio": str(voice)})
    project = validate_project({"preset": "draft", "storyboard": {"shots": [s.model_dump(mode="json")
                                                                            for s in shots]}})
    sound = _decode_mp4_audio(compose(project, tmp_path / "vo.mp4", settings=settings).video, settings)
    envelope = np.abs(sound[:, 0]).reshape(-1, RATE // 100).max(axis=1)  # 10 ms frames
    onset_ms = int(np.argmax(envelope > 0.05 * envelope.max())) * 10
    assert abs(onset_ms - 1500) <= 40


# -- the library and bad input -----------------------------------------------------------------------

def test_bundled_tracks_are_whole_bars_and_loop_without_a_click(settings):
    tracks = library()
    assert len(tracks) >= 4 and len({t.mood for t in tracks.values()}) == len(tracks)
    for track in tracks.values():
        assert abs(track.duration_ms - track.bars * 4 * 60_000 / track.bpm) < 2
        song = decode_audio(track.path, settings)
        assert abs(len(song) * 1000 / RATE - track.duration_ms) < 30
        grid = BeatAnalysis.from_grid(track.bpm, track.beats_per_bar, track.duration_ms)
        music = MusicTrack(library=track.id, gain_db=0, fade_in_ms=0, fade_out_ms=0)
        fit = fit_music(music, track.duration_ms, track.duration_ms + 5000, grid)
        bed = music_bed(music, track.path, settings, (track.duration_ms + 5000) * RATE // 1000, fit)
        seam = len(song)
        steps = np.abs(np.diff(bed[:, 0]))
        assert steps[seam - 240: seam + 240].max() < 2 * np.percentile(steps[: seam - 240], 99.9)


def test_library_music_by_name_with_beat_sync(capsys, tmp_path, files):
    out = tmp_path / "lib.mp4"
    assert main(["compose", "--preset", "draft", "--shot", str(files["img"]), "--shot", str(files["img2"]),
                 "--shot-seconds", "1.7", "--music", "sunny_pop", "--beat-sync", "-o", str(out)]) == 0
    assert "beat sync: 112" in capsys.readouterr().out
    saved = json.loads((tmp_path / "lib.project.json").read_text())
    assert saved["music"]["library"] == "sunny_pop" and saved["music"].get("path") is None
    assert main(["music"]) == 0 and "sunny_pop" in capsys.readouterr().out


def _bad(tmp_path: Path) -> dict[str, Path]:
    song, _, _ = drum_song(120, 4)
    mp3 = tmp_path / "song.mp3"
    write_wav(song, tmp_path / "src.wav")
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(tmp_path / "src.wav"), "-b:a", "128k", str(mp3)], check=True)
    truncated = tmp_path / "truncated.mp3"
    truncated.write_bytes(mp3.read_bytes()[: mp3.stat().st_size // 2])
    garbage = tmp_path / "garbage.mp3"
    garbage.write_bytes(b"ID3\x03\x00\x00\x00\x00\x00\x00" + bytes(range(256)) * 40)
    return {"mp3": mp3, "truncated": truncated, "garbage": garbage,
            "short": make_tone(tmp_path / "short.wav", seconds=0.2)}


def test_bad_music_gets_one_clear_line(capsys, tmp_path, files):
    bad = _bad(tmp_path)
    for key, needle in (("garbage", "music:"), ("short", "at least 1000 ms")):
        out = tmp_path / f"{key}.mp4"
        code = main(["compose", "--preset", "draft", "--shot", str(files["img"]), "--music", str(bad[key]),
                     "-o", str(out)])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error:") and needle in err and len(err.strip().splitlines()) == 1
        assert not out.exists()
    assert main(["compose", "--preset", "draft", "--shot", str(files["img"]), "--shot-seconds", "1",
                 "--music", str(bad["truncated"]), "-o", str(tmp_path / "t.mp4")]) == 0  # plays what is there


def test_ten_hours_of_silence_is_cheap_and_stays_silent(tmp_path, files, settings):
    silence = sparse_silent_wav(tmp_path / "ten_hours.wav", 10 * 3600)
    project = validate_project({"preset": "draft", "storyboard": {"shots": [
        s.model_dump(mode="json") for s in _shots(files, [1500, 1500])]},
        "music": {"path": str(silence), "beat_sync": True}})
    result = compose(project, tmp_path / "quiet.mp4", settings=settings)
    assert "silent" in result.beat_sync and np.max(np.abs(_decode_mp4_audio(result.video, settings))) == 0.0


@pytest.mark.parametrize(("channels", "rate"), [(1, 22_050), (6, 44_100), (2, 11_025)])
def test_mono_surround_and_odd_rates_mix_to_48k_stereo(tmp_path, files, settings, channels, rate):
    src = tmp_path / f"in_{channels}_{rate}.flac"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", f"sine=frequency=300:sample_rate={rate}:duration=3",
                    "-ac", str(channels), str(src)], check=True)
    project = validate_project({"preset": "draft", "storyboard": {"shots": [
        s.model_dump(mode="json") for s in _shots(files, [2000])]}, "music": {"path": str(src)}})
    sound = _decode_mp4_audio(compose(project, tmp_path / "odd.mp4", settings=settings).video, settings)
    assert sound.shape[1] == 2 and abs(integrated_lufs(sound, RATE) + 14) <= 1.0
