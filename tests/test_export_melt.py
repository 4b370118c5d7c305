"""The MLT hand-off judged by a real third-party engine: Debian's ``melt`` (the MLT behind Shotcut and Kdenlive)
renders the exported folder, and every frame of its render is read back from what the pictures say about
themselves (a colour per clip, a barcode of each clip's own frame number; tests/helpers/editor_media.py).

Checked against the project's numbers (the expected frames are worked out here from its durations and
transitions, not by the exporter) and against the studio's own MP4 of the same project, frame by frame: the cut
frames, every in-point, the crossfade's ramp and its middle, the fades through black, the caption windows, the
hook title's window, the AI label on every frame, the music's level (and its dip under the narration), the
narration's window; then the folder moved elsewhere (original media hidden) renders the same picture.

The project is small on purpose (540x960, 4.9 s): melt renders it in a few seconds on two cores.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.editor_media import band_levels, barcode_clip, probe, read_frames, stereo_tone, tone_db
from tests.helpers.media import make_image

MELT = shutil.which("melt")
pytestmark = pytest.mark.skipif(MELT is None, reason="melt is not installed (scripts/setup.sh --dev installs it)")

FPS = 30
MUSIC_HZ, NARRATION_HZ = 110, 3000
MUSIC_GAIN_DB, DUCK_DB = -12.0, 12.0
# shot -> (colour, first timeline frame, end frame, source frame on its first frame); worked out from the project:
# A 1500 ms from 300 ms in; B crossfades in over 600 ms (starts at 900 ms); C fades through black (600 ms: B fades
# out over its last 300 ms, C in over its first 300) from 500 ms in; D a yellow still; 4900 ms = 147 frames.
SHOTS = {"a": ("red", 0, 45, 9), "b": ("green", 27, 72, 0), "c": ("blue", 72, 117, 15),
         "d": ("yellow", 117, 147, None)}
CROSSFADE = range(27, 45)  # frames where A and B are both on screen (overlap 600 ms)
FADE_OUT_B = range(64, 72)  # frames strictly after 2100 ms and before 2400 ms
FADE_IN_C = range(72, 81)  # frames from 2400 ms before 2700 ms
CAPTIONS = [(0, 36), (36, 72), (72, 117)]  # each changes at the middle of its transition; D has none
TITLE = (0, 30)
NARRATION_S = (2.4, 3.2)


def _project(root: Path) -> Path:
    for name, colour in (("a", "red"), ("b", "green"), ("c", "blue")):
        barcode_clip(root / "media" / f"{name}.mp4", colour)
    make_image(root / "media" / "d.png", (540, 960), (255, 255, 0), pattern="solid")
    stereo_tone(root / "media" / "music.wav", MUSIC_HZ, 8)
    stereo_tone(root / "media" / "narration.wav", NARRATION_HZ, 0.8)
    project = {
        "schema_version": 1, "preset": "draft", "hook_ms": 1000, "label": {"visible_ms": None},
        "storyboard": {"title": "Melt check", "hook": "Hook", "shots": [
            {"id": "a", "caption": "One", "duration_ms": 1500, "media": "media/a.mp4", "clip_start_ms": 300},
            {"id": "b", "caption": "The second caption", "duration_ms": 1500, "media": "media/b.mp4",
             "transition": "crossfade", "transition_ms": 600},
            {"id": "c", "caption": "Third", "duration_ms": 1500, "media": "media/c.mp4", "clip_start_ms": 500,
             "transition": "fade", "transition_ms": 600, "voiceover_audio": "media/narration.wav"},
            {"id": "d", "duration_ms": 1000, "media": "media/d.png", "camera_move": "none"}]},
        "music": {"path": "media/music.wav", "gain_db": MUSIC_GAIN_DB, "fade_in_ms": 500, "fade_out_ms": 500,
                  "duck_db": DUCK_DB},
    }
    path = root / "project.json"
    path.write_text(json.dumps(project), encoding="utf-8")
    return path


def _melt(project_file: Path, output: Path, cwd: Path) -> Path:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")  # MLT's Qt text needs no display
    # real_time=-1: one rendering thread, no frame dropping. With -2 (two threads) a keyframed fade on a busy machine
    # was once read a frame late in a full-suite run; a judge must be deterministic.
    done = subprocess.run([MELT, "-quiet", str(project_file), "-consumer", f"avformat:{output}", "vcodec=libx264",
                           "preset=ultrafast", "crf=8", "acodec=pcm_s16le", "ar=48000", "channels=2",
                           "real_time=-1"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and output.is_file(), done.stderr[-2000:]
    return output


def _video_md5(path: Path) -> str:
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-map", "0:v", "-f", "rawvideo",
                          "-pix_fmt", "rgb24", "-"], capture_output=True, check=True, timeout=120).stdout
    return hashlib.md5(raw).hexdigest()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory):
    """The project, its MLT export, melt's render of it and the studio's own MP4 of the same project."""
    from studio.compose.compositor import compose, plan_render
    from studio.export.folder import export_edit
    from studio.project.files import load_project
    from studio.settings import Settings

    work = tmp_path_factory.mktemp("melt")
    settings = Settings.from_env()
    project, root = load_project(_project(work / "project"))
    export = export_edit(project, root, work / "editor", "mlt", settings)
    render = _melt(export.timeline_file, work / "melt.mkv", cwd=work)
    ours = compose(project, work / "ours.mp4", settings=settings, project_root=root).video
    overlays = plan_render(project, settings, root).overlays  # where the MP4 draws its texts
    label, title, caption = overlays[0], overlays[1], overlays[2]
    regions = {"label": (label.x, label.y, label.image.width, label.image.height),
               "title": (title.x, title.y, title.image.width, title.image.height),
               "caption": (20, caption.y - 12, 500, caption.image.height + 24)}
    return {"work": work, "export": export, "render": render, "ours": ours, "regions": regions,
            "melt": read_frames(render, regions), "mp4": read_frames(ours, regions)}


def test_melt_renders_the_vertical_canvas_at_its_frame_rate_and_length(rendered):
    streams = probe(rendered["render"])["streams"]
    video = next(s for s in streams if s["codec_type"] == "video")
    assert (video["width"], video["height"], video["r_frame_rate"]) == (540, 960, "30/1")
    assert any(s["codec_type"] == "audio" for s in streams)
    assert len(rendered["melt"]) == len(rendered["mp4"]) == 147


def test_every_frame_shows_the_right_clip_and_source_frame(rendered):
    frames, wrong = rendered["melt"], []
    for shot, (colour, start, end, source) in SHOTS.items():
        for n in range(start, end):
            if n in CROSSFADE or n in FADE_OUT_B or n in FADE_IN_C:
                continue
            got = frames[n]
            if got.clip() != colour:
                wrong.append(f"frame {n}: {got.clip()} instead of shot {shot} ({colour})")
            elif source is not None and got.source_frame() != source + n - start:
                wrong.append(f"frame {n}: source frame {got.source_frame()} instead of {source + n - start}")
    assert not wrong, wrong[:10]
    # the cuts: the last frame of each shot and the first of the next
    assert frames[26].clip() == "red" and frames[45].clip() == "green"
    assert frames[116].clip() == "blue" and frames[117].clip() == "yellow"


def test_the_crossfade_ramps_over_its_frames_and_is_half_way_in_the_middle(rendered):
    frames = rendered["melt"]
    for k, n in enumerate(CROSSFADE):
        red, green = frames[n].patch[0], frames[n].patch[1]
        mix = green / (red + green)
        assert abs(mix - k / len(CROSSFADE)) < 0.06, (n, mix)
        # both clips keep running under the dissolve: each one's bars are its own source frame (read where one
        # clip dominates the blend)
    middle = frames[CROSSFADE.start + len(CROSSFADE) // 2]
    assert abs(middle.patch[1] / (middle.patch[0] + middle.patch[1]) - 0.5) < 0.04
    assert frames[CROSSFADE.start - 1].patch[1] < 5 and frames[CROSSFADE.stop].patch[0] < 5


def test_the_fade_through_black_dims_exactly_the_frames_the_mp4_dims(rendered):
    frames = rendered["melt"]
    for n in FADE_OUT_B:
        want = (2400 - n * 1000 / FPS) / 300
        assert abs(frames[n].brightness("green") - want) < 0.04, (n, frames[n].patch, want)
        assert frames[n].source_frame() == n - 27  # dimmed, still the right frame
    for n in FADE_IN_C:
        want = (n * 1000 / FPS - 2400) / 300
        assert abs(frames[n].brightness("blue") - want) < 0.04, (n, frames[n].patch, want)
    assert frames[FADE_OUT_B.start - 1].brightness("green") > 0.97
    assert frames[FADE_IN_C.stop].brightness("blue") > 0.97


def test_the_picture_matches_the_studios_own_mp4_frame_for_frame(rendered):
    """The same clip and source frame on every frame, and the same blend within a few levels: a cut lands on the
    same frame in the editor and in our MP4."""
    for n, (melt, ours) in enumerate(zip(rendered["melt"], rendered["mp4"], strict=True)):
        if n not in CROSSFADE:
            assert melt.clip() == ours.clip(), n
        if n not in CROSSFADE and melt.clip() not in (None, "yellow"):
            assert melt.source_frame() == ours.source_frame(), n
        assert max(abs(a - b) for a, b in zip(melt.patch, ours.patch, strict=True)) < 18, (n, melt.patch, ours.patch)


def test_captions_title_and_label_are_on_screen_in_their_windows(rendered):
    frames = rendered["melt"]
    assert all(f.white["label"] > 50 for f in frames), "the AI label is on every frame"
    assert all(f.white["title"] > 200 for f in frames[TITLE[0]:TITLE[1] - 10])
    assert all(f.white["title"] == 0 for f in frames[TITLE[1]:])
    for n in range(147):
        on = any(start <= n < end for start, end in CAPTIONS)
        assert (frames[n].white["caption"] > 100) == on, (n, frames[n].white["caption"])
    # one caption per window (their lengths differ: "One", "The second caption", "Third"): its amount of text
    # stays put inside the window and jumps at the boundary
    sizes = []
    for start, end in CAPTIONS:
        counts = sorted(frames[n].white["caption"] for n in range(start, end))
        median = counts[len(counts) // 2]
        assert all(abs(c - median) < 0.25 * median for c in counts), (start, end, counts)
        sizes.append(median)
    assert sizes[1] > 2 * sizes[0] and sizes[1] > 2 * sizes[2], sizes


def test_music_plays_at_its_gain_with_fades_and_dips_under_the_narration(rendered):
    music = band_levels(rendered["render"], "low")
    level = tone_db(0.5) + MUSIC_GAIN_DB
    body = [db for t, db in music if 0.6 <= t <= 2.1]
    assert body and all(abs(db - level) < 0.7 for db in body), (level, body)
    ducked = [db for t, db in music if 2.4 <= t <= 3.2]
    assert ducked and all(abs(db - (level - DUCK_DB)) < 1.0 for db in ducked), (level - DUCK_DB, ducked)
    assert music[0][1] < level - 15 and music[-1][1] < level - 10, "fades in and out"
    # the same envelope as the studio's MP4 (whose mastering adds one constant gain): fades, dip and release. The
    # editor keys the level once a frame, so the 60 ms attack of the dip is compared only where it settles.
    ours = {round(t, 1): db for t, db in band_levels(rendered["ours"], "low")}
    steady = [(t, db) for (_, before), (t, db), (_, after) in zip(music, music[1:], music[2:], strict=False)
              if abs(db - before) < 3 and abs(after - db) < 3 and 0.3 <= t <= 4.5]
    offsets = [ours[round(t, 1)] - db for t, db in steady if round(t, 1) in ours]
    assert len(offsets) > 30 and max(offsets) - min(offsets) < 1.5, offsets
    voice = band_levels(rendered["render"], "high")
    inside = [db for t, db in voice if NARRATION_S[0] + 0.05 <= t <= NARRATION_S[1] - 0.15]
    outside = [db for t, db in voice if t + 0.1 <= NARRATION_S[0] - 0.05 or t >= NARRATION_S[1] + 0.1]
    assert inside and min(inside) > tone_db(0.5) - 2, inside
    assert max(outside) < -40, outside


def test_the_folder_renders_the_same_after_it_is_moved(rendered, tmp_path):
    folder = rendered["export"].folder
    moved = tmp_path / "somewhere" / "else"
    shutil.copytree(folder, moved)
    assert str(folder) not in (moved / "project.mlt").read_text(encoding="utf-8"), "no absolute paths"
    hidden = folder.with_name(folder.name + ".hidden")
    folder.rename(hidden)  # the original media are gone: only the copy can be read
    try:
        again = _melt(moved / "project.mlt", tmp_path / "again.mkv", cwd=tmp_path)
    finally:
        hidden.rename(folder)
    assert _video_md5(again) == _video_md5(rendered["render"])


def test_the_readme_says_how_to_open_it_and_what_mlt_cannot_carry(rendered):
    text = (rendered["export"].folder / "README.md").read_text(encoding="utf-8")
    assert "Shotcut" in text and "melt" in text and "What this format cannot carry" in text
    assert "AI label" in text and "loudness" in text
    assert math.isclose(len(rendered["melt"]) / FPS, 4.9)


def _frames_of(video: Path):
    import numpy as np

    proc = subprocess.Popen(["ffmpeg", "-v", "error", "-i", str(video), "-vf", "scale=540:960", "-f", "rawvideo",
                             "-pix_fmt", "rgb24", "-"], stdout=subprocess.PIPE)
    size = 540 * 960 * 3
    try:
        while len(raw := proc.stdout.read(size)) == size:
            yield np.frombuffer(raw, dtype=np.uint8).reshape(960, 540, 3).astype(np.int16)
    finally:
        proc.stdout.close()
        proc.wait()


@pytest.mark.usefixtures("offline_env")
def test_a_project_made_by_make_renders_in_melt_as_its_own_mp4(tmp_path, capsys):
    """The issue's bar: an idea made into a clip by ``make`` (template writer, still drafts) opens as an editable
    timeline whose render is the studio's MP4, frame for frame, wherever the studio does not draw text (captions,
    title and label are the editor's own text there, drawn by another renderer)."""
    import numpy as np

    from cli.main import main
    from studio.compose.compositor import plan_render
    from studio.export.folder import export_edit
    from studio.project.files import load_project
    from studio.settings import Settings

    made = tmp_path / "made.mp4"
    assert main(["make", "A paper kite over a windy beach", "--preset", "draft", "--seconds", "15", "--backend",
                 "template", "--video-backend", "still", "--seed", "5", "-o", str(made)]) == 0, capsys.readouterr()
    settings = Settings.from_env()
    project, root = load_project(made.with_name("made.project.json"))
    export = export_edit(project, root, tmp_path / "editor", "mlt", settings)
    render = _melt(export.timeline_file, tmp_path / "melt.mkv", cwd=tmp_path)
    keep = np.ones((960, 540), dtype=bool)  # everything but the boxes the MP4 draws text in
    for overlay in plan_render(project, settings, root).overlays:
        keep[max(0, overlay.y - 8):overlay.y + overlay.image.height + 8,
             max(0, overlay.x - 8):overlay.x + overlay.image.width + 8] = False
    errors = [float(np.abs(a - b)[keep].mean()) for a, b in zip(_frames_of(render), _frames_of(made), strict=True)]
    assert len(errors) == export.frames and max(errors) < 6, (max(errors), errors.index(max(errors)))
