"""Speed, reverse and freeze on clips: the time map's arithmetic and refusals, the clip reader's seeking, and, in a
real export measured back with ffmpeg, picture and sound staying together (a flash and a beep at the same source
moment land on the same output moment at 2x, 0.5x, reversed and after a freeze), or the sound muted on request."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from studio.compose.clips import ClipReader
from studio.compose.compositor import compose
from studio.errors import ProjectValidationError
from studio.media import probe_shot_media
from studio.project.effects import parse_effects
from studio.project.model import AiLabel, Fit, Project, Shot
from studio.project.presets import PresetName
from studio.project.timemap import build_timemap
from studio.settings import Settings
from studio.sound.decode import SAMPLE_RATE, decode_audio

FPS = 30
FLASH_S = 1.0  # the source moment of the flash and the beep


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path_factory.mktemp("data"))})


def _ffmpeg(*args: str) -> None:
    subprocess.run([shutil.which("ffmpeg"), "-v", "error", "-y", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def flash_clip(tmp_path_factory) -> Path:
    """3 s, 30 fps: black with two white frames at 1.0 s, silent with a 1 kHz beep at 1.0 s for 67 ms. The sound is
    PCM (in a .mov), so the source itself has no encoder delay: any offset measured is the studio's."""
    path = tmp_path_factory.mktemp("clips") / "flash.mov"
    _ffmpeg("-f", "lavfi", "-i", "color=c=black:s=160x284:r=30:d=3",
            "-f", "lavfi", "-i", "aevalsrc='if(between(t,1,1.0667),0.8*sin(2*PI*1000*t),0)':s=48000:d=3",
            "-vf", "drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='between(t,0.99,1.06)'",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "pcm_s16le", "-shortest",
            str(path))
    return path


@pytest.fixture(scope="module")
def counting_clip(tmp_path_factory) -> Path:
    """1.2 s at 25 fps, frame n grey level 8n (lossless), to read which frame a reader handed over."""
    path = tmp_path_factory.mktemp("clips") / "count.mp4"
    frames = b"".join(bytes([8 * n]) * (32 * 32 * 3) for n in range(30))
    subprocess.run([shutil.which("ffmpeg"), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", "32x32",
                    "-r", "25", "-i", "-", "-c:v", "libx264", "-qp", "0", "-pix_fmt", "yuv444p", str(path)],
                   input=frames, check=True, capture_output=True, timeout=60)
    return path


# -- the time map --------------------------------------------------------------------------------------------

def timemap(effects, span_ms=2000, available_ms=3000, is_clip=True):
    return build_timemap(parse_effects(effects), span_ms, FPS, available_ms=available_ms, is_clip=is_clip,
                         where="shot 2")


def test_the_map_solves_how_much_footage_a_shot_uses():
    assert timemap([{"name": "MultiplySpeed", "factor": 1.5}]).source_ms == 3000
    assert timemap([{"name": "MultiplySpeed", "factor": 0.25}]).source_ms == 500
    freeze = timemap([{"name": "Freeze", "t": 0.5, "freeze_duration": 0.75}])
    assert freeze.source_ms == 1250
    assert [freeze.source_time(t) for t in (400, 500, 900, 1249, 1250, 1500)] == [400, 500, 500, 500, 500, 750]
    reverse = timemap([{"name": "MultiplySpeed", "factor": 1.25}, {"name": "TimeMirror"}])
    assert reverse.source_ms == 2500 and reverse.speed == 1.25
    assert reverse.source_time(0) == pytest.approx(2500 - 1.25 * 1000 / FPS)
    assert [round(s.slope, 6) for s in reverse.segments] == [-1.25]
    assert timemap([]).identity and not timemap([{"name": "TimeMirror"}]).identity


@pytest.mark.parametrize(("effects", "needle"), [
    ([{"name": "MultiplySpeed", "factor": 2}], "need 4.0 s of the clip, which has 3.0 s from the shot's start, so "
                                               "the shot would hold its last frame"),
    ([{"name": "MultiplySpeed", "final_duration": 1.0}], "with its time effects the clip lasts 1.0 s, shorter than "
                                                         "the shot (2.0 s), so the shot would hold its last frame"),
    ([{"name": "MultiplySpeed", "final_duration": 0.2}], "plays 3.0 s of footage at 15x; the speed must stay between"),
    ([{"name": "Freeze", "t": 0, "freeze_duration": 2}], "leave no footage to show"),
    ([{"name": "Freeze", "t": 5, "freeze_duration": 0.5}], "Freeze t 5 is outside its 1.50 s of footage"),
    ([{"name": "Freeze", "t": 0, "total_duration": 1}], "Freeze total_duration 1 s is not longer than"),
])
def test_time_effects_that_cannot_fill_the_shot_are_one_sentence(effects, needle):
    with pytest.raises(ProjectValidationError) as raised:
        timemap(effects)
    assert str(raised.value).startswith("shot 2: ") and needle in str(raised.value), str(raised.value)


def test_a_still_picture_may_run_its_move_faster_and_hold():
    fast = timemap([{"name": "MultiplySpeed", "factor": 2}], available_ms=2000, is_clip=False)
    assert fast.source_ms == 4000 and fast.source_time(1500) == 3000  # the move ends at 2 s and holds


# -- the clip reader -----------------------------------------------------------------------------------------------

def grey(data: bytes) -> int:
    return round(np.frombuffer(data, dtype=np.uint8).mean() / 8)


def reader(settings, clip: Path, speed: float = 1.0) -> ClipReader:
    info = probe_shot_media(clip, settings, "shot 1")
    return ClipReader(settings.ffmpeg_exe(), info, fit=Fit.COVER, focus=(0.5, 0.5), size=(32, 32), fps=25,
                      start_ms=0, speed=speed)


def test_the_clip_reader_hands_over_any_source_moment(settings, counting_clip):
    clips = reader(settings, counting_clip)
    try:
        asked = [0, 400, 400, 440, 200, 1000, 40, 1160]  # forward, a freeze, back, a jump, back again
        assert [grey(clips.frame_bytes(t)) for t in asked] == [0, 10, 10, 11, 5, 25, 1, 29]
    finally:
        clips.close()


def test_reversing_a_clip_decodes_it_in_a_few_chunks_not_once_a_frame(settings, counting_clip):
    clips = reader(settings, counting_clip)
    try:
        got = [grey(clips.frame_bytes(t)) for t in range(1160, -1, -40)]
        assert got == list(range(29, -1, -1))
        assert clips.seeks <= 4  # the first frame, then 30 frames back in chunks of 12
    finally:
        clips.close()


def test_at_double_speed_ffmpeg_skips_the_frames(settings, counting_clip):
    clips = reader(settings, counting_clip, speed=2.0)
    try:
        assert [grey(clips.frame_bytes(t)) for t in range(0, 1200, 80)] == list(range(0, 30, 2))
        assert clips.seeks == 1
    finally:
        clips.close()


# -- picture and sound together, measured in the export --------------------------------------------------------

def video_onset(path: Path) -> float:
    """When the first bright frame shows, in seconds (frames read back at 30 fps)."""
    raw = subprocess.run([shutil.which("ffmpeg"), "-v", "error", "-i", str(path), "-vf", "scale=16:16,format=gray",
                          "-f", "rawvideo", "-"], check=True, capture_output=True, timeout=60).stdout
    frames = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 256).mean(axis=1)
    return int(np.argmax(frames > 128)) / FPS if (frames > 128).any() else -1.0


def audio_onset(path: Path, settings: Settings) -> tuple[float, float]:
    """When the beep starts, in seconds, and how loud the track's loudest sample is."""
    sound = np.abs(decode_audio(path, settings)).max(axis=1)
    peak = float(sound.max())
    return (int(np.argmax(sound > 0.3 * peak)) / SAMPLE_RATE if peak > 0.01 else -1.0), peak


@pytest.mark.parametrize(("effects", "shot_s", "picture_s", "sound_s"), [
    ([], 2.0, FLASH_S, FLASH_S),
    ([{"name": "MultiplySpeed", "factor": 2}], 1.4, FLASH_S / 2, FLASH_S / 2),
    ([{"name": "MultiplySpeed", "factor": 0.5}], 2.4, FLASH_S * 2, FLASH_S * 2),
    # reversed, the beep's end comes first: 2.5 - 1/30 - 1.0667 = 1.4 s; the frame shown at 1.4 s is the source's
    # 1.0667 s (just after the flash), so the first white frame is the next one: one frame, the frame grid
    ([{"name": "TimeMirror"}], 2.5, 1.4 + 1 / FPS, 1.4),
    ([{"name": "Freeze", "t": 0.4, "freeze_duration": 0.8}], 2.5, FLASH_S + 0.8, FLASH_S + 0.8),
], ids=["as-is", "2x", "half-speed", "reverse", "freeze"])
def test_picture_and_sound_stay_in_sync(settings, flash_clip, tmp_path, effects, shot_s, picture_s, sound_s):
    """Measured in the exported MP4: the first white frame and the beep's onset, each where the time map puts it
    (within 2 ms for the sound, the frame for the picture)."""
    project = Project(preset=PresetName.DRAFT, label=AiLabel(visible=False)).with_shots([
        Shot(media=str(flash_clip), duration_ms=round(shot_s * 1000), clip_audio_gain_db=0.0, effects=effects)])
    result = compose(project, tmp_path / "sync.mp4", settings=settings)
    video = video_onset(result.video)
    sound, _ = audio_onset(result.video, settings)
    assert abs(video - picture_s) <= 0.2 / FPS, (video, picture_s)
    assert abs(sound - sound_s) <= 0.002, f"sound at {sound:.4f} s, expected {sound_s:.4f} s (picture {video:.3f} s)"


def test_the_sound_can_be_muted_instead(settings, flash_clip, tmp_path):
    project = Project(preset=PresetName.DRAFT, label=AiLabel(visible=False)).with_shots([
        Shot(media=str(flash_clip), duration_ms=1400, clip_audio_gain_db=0.0, speed_audio="mute",
             effects=[{"name": "MultiplySpeed", "factor": 2}])])
    result = compose(project, tmp_path / "mute.mp4", settings=settings)
    assert abs(video_onset(result.video) - 0.5) <= 1.5 / FPS
    assert audio_onset(result.video, settings)[1] <= 0.01


def test_a_fast_clip_that_runs_out_is_refused_before_rendering(settings, flash_clip, tmp_path):
    project = Project(preset=PresetName.DRAFT).with_shots([
        Shot(media=str(flash_clip), duration_ms=2500, effects=[{"name": "MultiplySpeed", "factor": 2}])])
    with pytest.raises(ProjectValidationError, match="shot 1: its time effects need 5.0 s of the clip, which has "
                                                     "3.0 s"):
        compose(project, tmp_path / "no.mp4", settings=settings)
    assert list(tmp_path.iterdir()) == []
