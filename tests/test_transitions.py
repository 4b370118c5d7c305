"""Transitions, judged on pixels where the incoming shot is 25, 50 and 75 % of the way in, against MoviePy's own
composites where MoviePy has the transition (crossfade, slides, fade through black), and on the timeline: every
transition but a cut and a fade overlaps its shots like a crossfade, for the captions, the mix and beat sync."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from studio.compose.compositor import FrameRenderer, plan_render
from studio.compose.transitions import ZOOM, ease
from studio.errors import ProjectValidationError
from studio.project.model import AiLabel, Project, Shot, Transition
from studio.project.presets import PresetName
from studio.project.timeline import build_timeline
from studio.settings import Settings

W, H = 540, 960  # the draft preset
RED, BLUE = (220, 20, 20), (20, 20, 220)
SQUARE = 120  # the black square in the middle of the outgoing picture


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path_factory.mktemp("data"))})


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("media")
    red = Image.new("RGB", (W, H), RED)
    ImageDraw.Draw(red).rectangle(((W - SQUARE) // 2, (H - SQUARE) // 2, (W + SQUARE) // 2 - 1,
                                   (H + SQUARE) // 2 - 1), fill=(0, 0, 0))
    red.save(folder / "red.png")
    Image.new("RGB", (W, H), BLUE).save(folder / "blue.png")
    return {"red": folder / "red.png", "blue": folder / "blue.png"}


def two_shots(media, kind: Transition, ms: int = 400) -> Project:
    return Project(preset=PresetName.DRAFT, label=AiLabel(visible=False)).with_shots([
        Shot(media=str(media["red"]), camera_move="none", duration_ms=1000),
        Shot(media=str(media["blue"]), camera_move="none", duration_ms=1000, transition=kind, transition_ms=ms)])


def frames_at(project: Project, settings: Settings, times: list[float]) -> list[np.ndarray]:
    renderer = FrameRenderer(plan_render(project, settings), settings)
    try:
        return [np.asarray(renderer.frame_at(t), dtype=np.int16) for t in times]
    finally:
        renderer.close()


def at_progress(media, settings, kind: Transition) -> dict[float, np.ndarray]:
    """The frames where the incoming shot is 25, 50 and 75 % in: the overlap is 600..1000 ms."""
    progress = (0.25, 0.5, 0.75)
    return dict(zip(progress, frames_at(two_shots(media, kind), settings, [600 + 400 * k for k in progress]),
                    strict=True))


def near(pixel, colour, tolerance: int = 3) -> bool:
    return bool(np.all(np.abs(np.asarray(pixel, dtype=np.int16) - np.asarray(colour)) <= tolerance))


def mix(a, b, k: float) -> tuple[float, ...]:
    return tuple(x + (y - x) * k for x, y in zip(a, b, strict=True))


def test_every_transition_but_cut_and_fade_overlaps_its_shots(media):
    for kind in Transition:
        timeline = build_timeline(two_shots(media, kind))
        overlap = 400 if kind.overlaps else 0
        assert timeline.duration_ms == 2000 - overlap, kind
        assert timeline.spans[1].start_ms == 1000 - overlap
        if kind is not Transition.CUT:  # the captions change in the middle of any transition
            assert kind.overlaps == (kind not in (Transition.FADE,))


@pytest.mark.parametrize("kind", [Transition.SLIDE_LEFT, Transition.SLIDE_RIGHT, Transition.SLIDE_UP,
                                  Transition.SLIDE_DOWN])
def test_slides_bring_the_new_shot_in_from_the_opposite_edge(media, settings, kind):
    for k, frame in at_progress(media, settings, kind).items():
        edge = {Transition.SLIDE_LEFT: ("x", int(W * (1 - k)), "after"),
                Transition.SLIDE_RIGHT: ("x", int(W * k), "before"),
                Transition.SLIDE_UP: ("y", int(H * (1 - k)), "after"),
                Transition.SLIDE_DOWN: ("y", int(H * k), "before")}
        axis, at, side = edge[kind]
        line = frame[H // 4, :] if axis == "x" else frame[:, W // 4]
        new, old = (line[at + 2:], line[:at - 2]) if side == "after" else (line[:at - 2], line[at + 2:])
        assert all(near(p, BLUE) for p in new), (kind, k)
        assert all(near(p, RED) for p in old), (kind, k)


def test_crossfade_and_flash(media, settings):
    for k, frame in at_progress(media, settings, Transition.CROSSFADE).items():
        assert near(frame[H // 4, W // 4], mix(RED, BLUE, k), 2), k
    flash = at_progress(media, settings, Transition.FLASH)
    assert near(flash[0.25][H // 4, W // 4], mix(RED, (255, 255, 255), 0.5), 2)
    assert near(flash[0.5][H // 4, W // 4], (255, 255, 255), 1)
    assert near(flash[0.75][H // 4, W // 4], mix((255, 255, 255), BLUE, 0.5), 2)


def dark_width(frame: np.ndarray, row: int) -> int:
    """How wide the square is across ``row``: the run where the red channel is low (the square is black, the rest
    red, the incoming shot blue, so the red channel tells the old picture's square from the rest at any blend)."""
    red = frame[row, :, 0]
    return int((red < (int(red.max()) + int(red.min())) / 2).sum())


def test_zoom_in_magnifies_both_pictures_while_crossfading(media, settings):
    for k, frame in at_progress(media, settings, Transition.ZOOM_IN).items():
        factor = 1 + (ZOOM - 1) * ease(k)
        assert abs(dark_width(frame, H // 2) - SQUARE * factor) <= 3, (k, dark_width(frame, H // 2))
        assert near(frame[20, 20], mix(RED, BLUE, k), 3), k  # the outgoing picture is fading into the new one


def test_zoom_out_shrinks_the_old_picture_over_the_new_one(media, settings):
    for k, frame in at_progress(media, settings, Transition.ZOOM_OUT).items():
        scale = 1 - (1 - 1 / ZOOM) * ease(k)
        assert near(frame[2, 2], BLUE, 2), k  # the corner shows the new shot, around the shrunk old one
        inside = (W - round(W * scale)) // 2 + 4
        assert near(frame[H // 4, inside], mix(RED, BLUE, k), 3), k
        inner = frame[:, inside:W - inside]  # within the shrunk picture, the square shrank with it
        assert abs(dark_width(inner, H // 2) - SQUARE * scale) <= 3, k


@pytest.mark.parametrize("kind", [Transition.WHIP_LEFT, Transition.WHIP_RIGHT])
def test_whips_push_both_pictures_with_a_motion_blur(media, settings, kind):
    for k, frame in at_progress(media, settings, kind).items():
        shift = round(W * ease(k))
        seam = W - shift if kind is Transition.WHIP_LEFT else shift
        line = frame[H // 4]
        left, right = (RED, BLUE) if kind is Transition.WHIP_LEFT else (BLUE, RED)
        assert near(line[max(0, seam - 60)], left, 4) and near(line[min(W - 1, seam + 60)], right, 4), (k, seam)
        blurred = np.abs(np.diff(line[:, 0])).max()
        assert blurred < 120, f"a hard edge at {k}: no motion blur"  # the red-blue edge is spread over pixels


def test_fade_dips_to_black_and_has_no_overlap(media, settings):
    frames = frames_at(two_shots(media, Transition.FADE), settings, [900, 1000, 1100])
    assert near(frames[0][H // 4, W // 4], mix(RED, (0, 0, 0), 0.5), 2)
    assert frames[1][H // 4, W // 4].max() <= 1
    assert near(frames[2][H // 4, W // 4], mix((0, 0, 0), BLUE, 0.5), 2)


# -- the same as MoviePy's own composites ----------------------------------------------------------------------

def moviepy_pair(media, effect, *, padding: float):
    from moviepy import CompositeVideoClip, ImageClip, concatenate_videoclips

    red = ImageClip(str(media["red"]), duration=1.0)
    blue = ImageClip(str(media["blue"]), duration=1.0).with_effects([effect])
    if padding:
        return concatenate_videoclips([red, CompositeVideoClip([blue])], method="compose", padding=-padding)
    return concatenate_videoclips([red, blue], method="compose")


@pytest.mark.parametrize(("kind", "side"), [(Transition.SLIDE_LEFT, "right"), (Transition.SLIDE_RIGHT, "left"),
                                            (Transition.SLIDE_UP, "bottom"), (Transition.SLIDE_DOWN, "top"),
                                            (Transition.CROSSFADE, None)])
def test_crossfade_and_slides_match_moviepy(media, settings, kind, side):
    """MoviePy's way: ``concatenate_videoclips(method="compose", padding=-d)`` with CrossFadeIn or SlideIn on the
    incoming clip (docs/vfx). Same pixels within a level at 25/50/75 %."""
    import moviepy.video.fx as vfx

    effect = vfx.CrossFadeIn(0.4) if side is None else vfx.SlideIn(0.4, side)
    reference = moviepy_pair(media, effect, padding=0.4)
    if side is not None:  # SlideIn lies over the outgoing clip, which MoviePy's padded concatenation keeps below
        from moviepy import CompositeVideoClip, ImageClip

        red = ImageClip(str(media["red"]), duration=1.0)
        blue = ImageClip(str(media["blue"]), duration=1.0).with_start(0.6).with_effects([effect])
        reference = CompositeVideoClip([red, blue], size=(W, H))
    # 25, 50 and 75 % in, nudged off whole pixels: MoviePy truncates positions computed in floats (0.8 - 0.6 is
    # 0.20000000000000007 s), which at an exact pixel boundary lands one pixel either side
    times = (0.7035, 0.8035, 0.9035)
    mine = frames_at(two_shots(media, kind), settings, [t * 1000 for t in times])
    for t, frame in zip(times, mine, strict=True):
        theirs = np.asarray(reference.get_frame(t), dtype=np.int16)
        assert np.abs(frame - theirs).max() <= 1, (kind, t, np.abs(frame - theirs).max())


def test_fade_through_black_matches_moviepy_fadeout_then_fadein(media, settings):
    import moviepy.video.fx as vfx
    from moviepy import ImageClip, concatenate_videoclips

    red = ImageClip(str(media["red"]), duration=1.0).with_effects([vfx.FadeOut(0.2)])
    blue = ImageClip(str(media["blue"]), duration=1.0).with_effects([vfx.FadeIn(0.2)])
    reference = concatenate_videoclips([red, blue])
    mine = frames_at(two_shots(media, Transition.FADE), settings, [850, 950, 1050, 1150])
    for t, frame in zip((0.85, 0.95, 1.05, 1.15), mine, strict=True):
        assert np.abs(frame - np.asarray(reference.get_frame(t)).astype(np.uint8)).max() <= 1, t


# -- bad input ---------------------------------------------------------------------------------------------------

def test_a_transition_longer_than_its_shots_is_one_sentence(media, settings):
    from studio.project.files import validate_project

    data = two_shots(media, Transition.WHIP_LEFT, 1500).model_dump(mode="json")
    with pytest.raises(ProjectValidationError, match=r"shot 2: its 1.5 s whip_left transition is longer than shot 1"):
        validate_project(data)
    with pytest.raises(ProjectValidationError, match="longer than shot 1"):  # however the project was made
        plan_render(two_shots(media, Transition.ZOOM_IN, 1200), settings)
    assert build_timeline(two_shots(media, Transition.CUT, 3000)).duration_ms == 2000  # a cut has no length


def test_beat_sync_and_the_mix_cut_in_the_middle_of_any_overlapping_transition(media):
    from studio.sound.beat_sync import _cut_points

    for kind in (Transition.CROSSFADE, Transition.SLIDE_UP, Transition.WHIP_RIGHT, Transition.FLASH):
        assert _cut_points(two_shots(media, kind)) == [800], kind
    assert _cut_points(two_shots(media, Transition.FADE)) == [1000]
    captions = build_timeline(two_shots(media, Transition.ZOOM_OUT).with_shots([
        Shot(media="a.png", caption="one", duration_ms=1000),
        Shot(media="b.png", caption="two", duration_ms=1000, transition=Transition.ZOOM_OUT, transition_ms=400)]))
    assert [(c.start_ms, c.end_ms) for c in captions.captions] == [(0, 800), (800, 1600)]
