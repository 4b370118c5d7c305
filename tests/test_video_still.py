"""The still-image draft backend and the shot orchestration around it: no torch, real frames measured."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from pipelines.services import Services
from pipelines.shots import VideoOptions, render_shots
from studio.compose.compositor import FrameRenderer, plan_render
from studio.project.model import Bible, CameraMove, Project, Shot, ShotSource, ShotStatus
from studio.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
STILL = VideoOptions(backend="still")


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")})


def _markers(path: Path) -> Path:
    """A grey photo with two white squares left and right of the centre: their centroids show the motion."""
    image = Image.new("RGB", (1200, 2000), (60, 60, 60))
    draw = ImageDraw.Draw(image)
    for cx in (400, 800):
        draw.rectangle((cx - 40, 960, cx + 40, 1040), fill=(255, 255, 255))
    image.save(path)
    return path


def _centroids(frame: Image.Image) -> tuple[np.ndarray, np.ndarray]:
    bright = np.asarray(frame.convert("L"), dtype=np.float32) > 200
    ys, xs = np.nonzero(bright)
    mid = frame.width / 2
    left, right = xs < mid, xs >= mid
    return (np.array([xs[left].mean(), ys[left].mean()]), np.array([xs[right].mean(), ys[right].mean()]))


def _frames_at(project: Project, root: Path, settings: Settings, times_ms: list[float]) -> list[Image.Image]:
    """Composed frames (AI label hidden), as the export would draw them; a negative time counts from the end."""
    plan = plan_render(project.model_copy(update={"label": project.label.model_copy(update={"visible": False})}),
                       settings, root)
    renderer = FrameRenderer(plan, settings)
    try:
        return [renderer.frame_at(t if t >= 0 else plan.timeline.duration_ms + t) for t in times_ms]
    finally:
        renderer.close()


def _first_and_last(project: Project, root: Path, settings: Settings) -> tuple[Image.Image, Image.Image]:
    first, last = _frames_at(project, root, settings, [0, -1])
    return first, last


@pytest.mark.parametrize("move", [CameraMove.PUSH_IN, CameraMove.PULL_OUT, CameraMove.PAN_RIGHT, CameraMove.PAN_LEFT,
                                  CameraMove.TILT_UP, CameraMove.TILT_DOWN])
def test_still_motion_moves_the_way_its_camera_move_says(move, tmp_path, settings):
    photo = _markers(tmp_path / "photo.png")
    shot = Shot(id="s", source=ShotSource.IMAGE, source_media=str(photo), camera_move=move, duration_ms=2000)
    result = render_shots(Project(preset="draft").with_shots([shot]), tmp_path, STILL, Services(settings))
    assert result.draft and result.generated == ["s"]
    first, last = _first_and_last(result.project, tmp_path, settings)
    (l0, r0), (l1, r1) = _centroids(first), _centroids(last)
    spread0, spread1 = r0[0] - l0[0], r1[0] - l1[0]
    centre_shift = (l1 + r1) / 2 - (l0 + r0) / 2
    if move is CameraMove.PUSH_IN:
        assert spread1 > spread0 * 1.05
    elif move is CameraMove.PULL_OUT:
        assert spread1 < spread0 / 1.05
    elif move is CameraMove.PAN_RIGHT:  # the camera goes right, so the picture slides left
        assert centre_shift[0] < -10 and abs(centre_shift[1]) < 2
    elif move is CameraMove.PAN_LEFT:
        assert centre_shift[0] > 10 and abs(centre_shift[1]) < 2
    elif move is CameraMove.TILT_UP:  # the camera goes up, so the picture slides down
        assert centre_shift[1] > 10 and abs(centre_shift[0]) < 2
    else:
        assert centre_shift[1] < -10 and abs(centre_shift[0]) < 2


def test_text_shot_becomes_a_title_card_at_the_preset_size_and_carries_seed_and_render(tmp_path, settings):
    project = Project(preset="draft").with_shots([Shot(id="t", visual_prompt="A fox in the snow. Slow push in.")])
    result = render_shots(project, tmp_path, STILL, Services(settings))
    shot = result.project.shots[0]
    assert shot.status is ShotStatus.RENDERED and shot.seed is not None and shot.source is ShotSource.TEXT
    assert shot.render.backend == "still" and shot.render.draft
    assert shot.media.startswith("shots/") and not Path(shot.media).is_absolute()
    with Image.open(tmp_path / shot.media) as card:
        assert card.size == (540, 960)
        pixels = np.asarray(card.convert("L"), dtype=np.float32)
    assert pixels.std() > 10  # a gradient, soft shapes and the text, not a flat fill


def test_cache_ignores_captions_and_music_and_rerenders_only_the_changed_prompt(tmp_path, settings):
    shots = [Shot(id="a", visual_prompt="city at night", seed=1), Shot(id="b", visual_prompt="sea at dawn", seed=2)]
    first = render_shots(Project(preset="draft").with_shots(shots), tmp_path, STILL, Services(settings))
    assert first.generated == ["a", "b"]
    captioned = first.project.with_shots([first.project.shots[0].model_copy(update={"caption": "new words"}),
                                          first.project.shots[1].model_copy(update={"voiceover": "hello"})])
    again = render_shots(captioned, tmp_path, STILL, Services(settings))
    assert again.generated == [] and again.cached == ["a", "b"]
    reprompted = again.project.with_shots([again.project.shots[0],
                                           again.project.shots[1].model_copy(update={"visual_prompt": "sea at dusk"})])
    third = render_shots(reprompted, tmp_path, STILL, Services(settings))
    assert third.generated == ["b"] and third.cached == ["a"]
    assert third.project.shots[1].render.cache_key != first.project.shots[1].render.cache_key


def test_bible_goes_into_every_prompt(settings):
    from pipelines.shots import shot_prompt

    project = Project(storyboard={"bible": Bible(characters=[{"name": "Mia", "description": "red coat"}],
                                                 look="warm film grain")})
    prompt = shot_prompt(project, Shot(visual_prompt="she waves"))
    assert prompt.startswith("she waves") and "Mia: red coat" in prompt and "warm film grain" in prompt


def test_previous_shot_chaining_starts_from_the_frame_the_previous_shot_ends_on(tmp_path, settings):
    photo = _markers(tmp_path / "photo.png")
    shots = [Shot(id="a", source=ShotSource.IMAGE, source_media=str(photo), camera_move=CameraMove.PUSH_IN),
             Shot(id="b", source=ShotSource.PREVIOUS, camera_move=CameraMove.NONE)]
    result = render_shots(Project(preset="draft").with_shots(shots), tmp_path, STILL, Services(settings))
    a_only = result.project.with_shots(result.project.shots[:1])
    _, a_last = _first_and_last(a_only, tmp_path, settings)
    with Image.open(tmp_path / result.project.shots[1].media) as b_picture:
        b = np.asarray(b_picture.convert("RGB"), dtype=np.int16)
    assert np.abs(b - np.asarray(a_last, dtype=np.int16)).mean() < 2.0


def test_user_media_shots_are_kept_without_loading_anything(tmp_path, settings):
    photo = _markers(tmp_path / "photo.png")
    project = Project().with_shots([Shot(media=str(photo))])
    result = render_shots(project, tmp_path, VideoOptions(backend="ltx"), Services(settings))
    assert [o.status for o in result.outcomes] == ["kept"] and result.project == project


def test_still_backend_and_app_never_import_torch(tmp_path):
    code = ("import sys; from pathlib import Path; from studio.settings import Settings; "
            "from studio.project.model import Project, Shot; from pipelines.shots import render_shots, VideoOptions; "
            "from pipelines.services import Services; "
            f"s = Services(Settings.from_env({{'STUDIO_DATA_DIR': {str(tmp_path)!r}}})); "
            "p = Project(preset='draft').with_shots([Shot(visual_prompt='hi')]); "
            f"r = render_shots(p, Path({str(tmp_path)!r}), VideoOptions(backend='still'), s); assert r.generated, r; "
            "assert 'torch' not in sys.modules and 'diffusers' not in sys.modules, 'torch was imported'")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]


def test_generated_files_get_ordinary_permissions_not_mkstemps_0600(tmp_path):
    from PIL import Image

    from pipelines.video.io import write_png
    from studio.project.files import UMASK

    path = write_png(Image.new("RGB", (8, 8)), tmp_path / "still.png")
    assert path.stat().st_mode & 0o777 == 0o666 & ~UMASK


def test_a_title_card_says_draft_on_the_picture():
    import numpy as np

    from pipelines.video.still import title_card

    card = np.asarray(title_card("", (540, 960), seed_text="same"), dtype=np.int16)
    # The tag sits top right: compare with the card's own gradient just left of it.
    tag_area = card[int(960 * 0.08): int(960 * 0.11), int(540 * 0.7): int(540 * 0.93)]
    assert np.abs(np.diff(tag_area, axis=1)).max() > 60  # white glyph edges on the dark pill


@pytest.mark.parametrize("move", [m for m in CameraMove if m not in (CameraMove.AUTO, CameraMove.PARALLAX)])
def test_a_cards_slate_and_draft_tag_stay_in_the_frame_through_the_whole_camera_move(move):
    """Frames of the move as the compositor makes them, with and without the card's text: what the text adds
    never touches the frame's edge at the start, middle or end of the move (it would if the move cut it off)."""
    from pipelines.video.still import title_card, title_card_layers
    from studio.compose.frames import ImageShotFrames, steady_window

    size = (540, 960)
    label = "镜头 12 · 特写 · 下摇 · a slate much longer than any real one, to fill the width"
    window = steady_window(move, size)
    _, _, (tag, (x, y)) = title_card_layers("", size, seed_text="same", window=window)
    assert window[0] <= x and x + tag.width <= window[2] and window[1] <= y and y + tag.height <= window[3]
    bare = title_card("", size, seed_text="same", window=window)
    slated = title_card(label, size, seed_text="same", window=window)
    shot = Shot(visual_prompt="x", camera_move=move, duration_ms=3000)
    for t_ms in (0, 1500, 3000):
        a = np.asarray(ImageShotFrames(bare, shot, 0, size, 3000).frame(t_ms), dtype=np.int16)
        b = np.asarray(ImageShotFrames(slated, shot, 0, size, 3000).frame(t_ms), dtype=np.int16)
        ys, xs = np.nonzero(np.abs(a - b).max(axis=2) > 24)
        assert xs.size > 500, "the slate is not on the frame"
        assert xs.min() > 2 and xs.max() < size[0] - 3 and ys.min() > 2 and ys.max() < size[1] - 3, (move, t_ms)


def test_a_draft_card_is_a_slate_in_the_projects_language_not_its_caption(tmp_path, settings):
    shots = [Shot(id="a", visual_prompt="Wide establishing shot: a harbour at dawn", caption="清晨的港口",
                  camera_move=CameraMove.PAN_RIGHT, seed=1),
             Shot(id="b", visual_prompt="Close-up on a telling detail: a rope", caption="一根缆绳",
                  camera_move=CameraMove.PUSH_IN, seed=2)]
    result = render_shots(Project(preset="draft").with_shots(shots), tmp_path, STILL, Services(settings))
    titles = [json.loads((settings.shot_cache_dir / o.cache_key[:2] / f"{o.cache_key}.json").read_text())
              for o in result.outcomes]
    assert all(t["backend"] == "still" for t in titles)
    from pipelines.video.still import card_label
    from studio.project.model import Language

    assert card_label(0, shots[0].visual_prompt, "pan_right", Language.ZH) == "镜头 1 · 远景 · 右摇"
    assert card_label(1, shots[1].visual_prompt, "push_in", Language.EN) == "Shot 2 · Close-up · Push in"
    edited = result.project.with_shots([s.model_copy(update={"caption": "改过的字幕"}) for s in result.project.shots])
    again = render_shots(edited, tmp_path, STILL, Services(settings))
    assert again.cached == ["a", "b"], "editing a caption never redraws a draft card"


# -- parallax: two layers on a title card, an honest push-in on a flat picture ----------------------------

def _text_x(frame: Image.Image) -> float:
    """Centroid x of the title's white glyphs (the middle band: the DRAFT tag sits higher up)."""
    band = np.asarray(frame.convert("L"), dtype=np.float32)[int(frame.height * 0.35): int(frame.height * 0.65)]
    xs = np.nonzero(band > 235)[1]
    assert xs.size > 50, "no title glyphs found"
    return float(xs.mean())


def _background_shift(first: Image.Image, last: Image.Image) -> int:
    """Horizontal shift of the background's soft shapes in a band below the title, by best profile match."""
    def profile(frame: Image.Image) -> np.ndarray:
        grey = np.asarray(frame.convert("L"), dtype=np.float32)
        return grey[int(frame.height * 0.70): int(frame.height * 0.95)].mean(axis=0)

    a, b = profile(first), profile(last)
    assert a.std() > 3, "the background band has no structure to track; pick another prompt or seed"
    lo, hi = first.width // 4, 3 * first.width // 4
    return min(range(-60, 61), key=lambda s: float(((b[lo:hi] - a[lo - s:hi - s]) ** 2).mean()))


def _parallax_card(tmp_path: Path, settings: Settings):
    shot = Shot(id="p", visual_prompt="Parallax test. The rest is not on the card.", camera_move=CameraMove.PARALLAX,
                duration_ms=2000, seed=3)
    return render_shots(Project(preset="draft").with_shots([shot]), tmp_path, STILL, Services(settings))


def test_parallax_title_card_moves_its_text_layer_further_than_its_background(tmp_path, settings):
    result = _parallax_card(tmp_path, settings)
    shot = result.project.shots[0]
    assert result.generated == ["p"] and shot.media.endswith(".mp4") and not Path(shot.media).is_absolute()
    assert (shot.render.width, shot.render.height, shot.render.fps) == (540, 960, 30.0)  # the draft preset
    first, last = _frames_at(result.project, tmp_path, settings, [0, -1])
    text_shift = _text_x(last) - _text_x(first)
    background_shift = _background_shift(first, last)
    # As if the camera trucks right: both layers slide left, the near one (the title) about three times as far.
    assert text_shift < -40 and -30 < background_shift < -5, (text_shift, background_shift)
    assert abs(text_shift) > 2.5 * abs(background_shift)


def test_parallax_is_eased_slow_at_both_ends(tmp_path, settings):
    result = _parallax_card(tmp_path, settings)
    xs = [_text_x(f) for f in _frames_at(result.project, tmp_path, settings, [0, 200, 900, 1100, 1800, 1999])]
    start, middle, end = abs(xs[1] - xs[0]), abs(xs[3] - xs[2]), abs(xs[5] - xs[4])
    assert middle > 6 and start < 0.3 * middle and end < 0.3 * middle, (start, middle, end)


def test_parallax_cards_are_deterministic_and_keyed_by_the_move(tmp_path, settings):
    from pipelines.video.contract import VideoRequest, VideoTask
    from pipelines.video.still import StillMotionBackend

    request = VideoRequest(task=VideoTask.TEXT, prompt="Same words", width=540, height=960, num_frames=31, fps=30.0,
                           seed=7, camera_move="parallax")
    one, two = StillMotionBackend()(request), StillMotionBackend()(request)
    assert len(one.frames) == 31 and not one.still
    for i in (0, 15, -1):
        assert one.frames[i].tobytes() == two.frames[i].tobytes()
    first = _parallax_card(tmp_path, settings)
    again = _parallax_card(tmp_path, Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "other")}))
    assert first.outcomes[0].cache_key == again.outcomes[0].cache_key
    pushed = first.project.with_shots([first.project.shots[0].model_copy(update={"camera_move": CameraMove.PUSH_IN})])
    flat = render_shots(pushed, tmp_path, STILL, Services(settings))
    assert flat.generated == ["p"] and flat.outcomes[0].cache_key != first.outcomes[0].cache_key
    assert flat.project.shots[0].media.endswith(".png")  # every other move stays a still


def test_parallax_on_a_photo_is_a_gentle_push_in_and_says_so(tmp_path, settings):
    photo = _markers(tmp_path / "photo.png")
    shots = [Shot(id="a", source=ShotSource.IMAGE, source_media=str(photo), camera_move=CameraMove.PARALLAX,
                  duration_ms=2000),
             Shot(id="b", source=ShotSource.PREVIOUS, camera_move=CameraMove.PARALLAX, duration_ms=2000)]
    result = render_shots(Project(preset="draft").with_shots(shots), tmp_path, STILL, Services(settings))
    assert [o.notes for o in result.outcomes] == [
        (f"shot {n}: still: a photo or a frame has no depth layers, so parallax is shown as a gentle push-in "
         "(only title cards have layers to move)",) for n in (1, 2)]
    assert all(s.media.endswith(".png") for s in result.project.shots)  # a still, no fake depth rendered
    first, last = _first_and_last(result.project.with_shots(result.project.shots[:1]), tmp_path, settings)
    (l0, r0), (l1, r1) = _centroids(first), _centroids(last)
    growth = (r1[0] - l1[0]) / (r0[0] - l0[0])
    assert 1.02 < growth < 1.08  # half a push-in's zoom
    assert np.abs((l1 + r1) / 2 - (l0 + r0) / 2).max() < 2  # the picture does not slide: nothing fakes depth
    cached = render_shots(result.project, tmp_path, STILL, Services(settings))
    assert cached.cached == ["a", "b"] and cached.outcomes[0].notes == result.outcomes[0].notes
