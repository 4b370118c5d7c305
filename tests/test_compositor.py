"""The compositor, judged the way a platform and a viewer judge it: ffprobe on the file, pixels on frames.

Pixel checks use ``FrameRenderer`` on the render plan (exact frames, no codec noise); delivery checks
encode for real and read the file back with ffprobe.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pysubs2
import pytest
from PIL import Image

from studio.compose.compositor import FrameRenderer, compose, plan_render
from studio.compose.labels import MIN_LABEL_TEXT_FRACTION
from studio.errors import RenderCancelled
from studio.project.model import AiLabel, MusicTrack, Project, Shot, Transition, WordTiming
from studio.project.presets import PRESETS, PresetName
from studio.project.styles import caption_style
from studio.settings import Settings
from tests.helpers.media import make_clip, make_image, make_tone

GRAY = (128, 128, 128)


@pytest.fixture(scope="module")
def settings(tmp_path_factory) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path_factory.mktemp("data"))})


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("media")
    return {
        "gray": make_image(d / "gray.png", (800, 1200), GRAY, "solid"),
        "red": make_image(d / "red.png", (600, 900), (220, 20, 20), "solid"),
        "blue": make_image(d / "blue.png", (600, 900), (20, 20, 220), "solid"),
        "wide": make_image(d / "wide.jpg", (1600, 900), (40, 160, 90), "checker"),
        "clip": make_clip(d / "clip.mp4", seconds=1.2, size=(480, 270), fps=25, with_audio=True),
        "music": make_tone(d / "music.wav", seconds=1.2, freq=330.0),
    }


def _project(shots: list[Shot], **fields) -> Project:
    return Project(preset=PresetName.DRAFT, **fields).with_shots(shots)


def _frame(project: Project, settings: Settings, t_ms: float) -> np.ndarray:
    renderer = FrameRenderer(plan_render(project, settings), settings)
    try:
        return np.asarray(renderer.frame_at(t_ms), dtype=np.int16)
    finally:
        renderer.close()


def _changed(a: np.ndarray, b: np.ndarray, threshold: int = 24) -> np.ndarray:
    return np.abs(a - b).max(axis=2) > threshold


def _bbox(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    assert len(xs), "nothing was drawn"
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def _ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          str(path)], capture_output=True, check=True).stdout
    return json.loads(out)


def _top_level_atoms(path: Path) -> list[str]:
    atoms, data, pos = [], path.read_bytes(), 0
    while pos + 8 <= len(data):
        size = int.from_bytes(data[pos:pos + 4], "big")
        atoms.append(data[pos + 4:pos + 8].decode("latin-1"))
        if size == 1:
            size = int.from_bytes(data[pos + 8:pos + 16], "big")
        if size < 8:
            break
        pos += size
    return atoms


# -- delivery ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def export(media, settings, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "short.mp4"
    project = Project(preset=PresetName.DOUYIN, storyboard={"hook": "三分钟学会", "title": "Demo"}).with_shots([
        Shot(media=str(media["wide"]), caption="第一句 字幕 😀", duration_ms=800),
        Shot(media=str(media["clip"]), caption="Second line", duration_ms=900, transition=Transition.CROSSFADE,
             transition_ms=300, clip_audio_gain_db=-6.0),
    ]).model_copy(update={"music": MusicTrack(path=str(media["music"]), gain_db=-12.0)})
    seen: list[tuple[int, int]] = []
    result = compose(project, out, settings=settings, progress=lambda done, total: seen.append((done, total)))
    return result, seen


def test_export_is_delivery_grade(export):
    result, _ = export
    info = _ffprobe(result.video)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    sound = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["width"], video["height"], video["r_frame_rate"]) == (1080, 1920, "30/1")
    assert (video["codec_name"], video["profile"], video["pix_fmt"]) == ("h264", "High", "yuv420p")
    assert (video["color_space"], video["color_primaries"], video["color_transfer"]) == ("bt709",) * 3
    assert (sound["codec_name"], sound["profile"], sound["sample_rate"]) == ("aac", "LC", "48000")
    assert abs(float(info["format"]["duration"]) - 1.4) < 0.05
    atoms = _top_level_atoms(result.video)
    assert atoms.index("moov") < atoms.index("mdat"), atoms


def test_export_carries_the_aigc_metadata_label(export):
    result, _ = export
    tags = _ffprobe(result.video)["format"]["tags"]
    aigc = json.loads(tags["AIGC"])
    assert set(aigc) == {"Label", "ContentProducer", "ProduceID", "ReservedCode1", "ContentPropagator",
                         "PropagateID", "ReservedCode2"}
    assert aigc["Label"] == "1" and aigc["ContentProducer"] == "shortstudio" and aigc == result.aigc
    assert all(" " not in v and '"' not in v and "\\" not in v for v in aigc.values())
    assert "AI-generated" in tags["comment"]


def test_sidecars_match_the_captions(export):
    result, _ = export
    for path in (result.srt, result.vtt):
        subs = pysubs2.load(str(path))
        assert [e.plaintext for e in subs] == ["第一句 字幕 😀", "Second line"]
        assert subs[0].start == 0 and subs[0].end == subs[1].start == 650 and subs[1].end == 1400
    with Image.open(result.cover) as cover:
        assert cover.size == (1080, 1920) and cover.format == "JPEG"
    saved = json.loads(result.project_file.read_text(encoding="utf-8"))
    assert all(not Path(s["media"]).is_absolute() for s in saved["storyboard"]["shots"])


def test_progress_counts_every_frame(export):
    result, seen = export
    assert seen[-1] == (result.frames, result.frames) == (42, 42)
    assert [d for d, _ in seen] == list(range(1, 43))


def test_audio_has_music_and_clip_sound(export):
    from studio.sound.decode import decode_audio

    result, _ = export
    sound = decode_audio(result.video, Settings.from_env({}))
    assert np.sqrt(np.mean(sound ** 2)) > 0.01
    assert np.max(np.abs(sound)) <= 10 ** (-0.9 / 20)  # peaks kept near/below -1 dBFS (AAC adds a little)


def test_silent_project_has_a_silent_audio_track(media, settings, tmp_path):
    from studio.sound.decode import decode_audio

    result = compose(_project([Shot(media=str(media["red"]), duration_ms=500)]), tmp_path / "s.mp4",
                     settings=settings)
    assert any(s["codec_type"] == "audio" for s in _ffprobe(result.video)["streams"])
    assert np.max(np.abs(decode_audio(result.video, settings))) == 0.0
    assert result.srt is None  # no captions, no empty subtitle files


def test_cancel_leaves_nothing_behind(media, settings, tmp_path):
    calls = {"n": 0}

    def cancel() -> bool:
        calls["n"] += 1
        return calls["n"] > 5

    with pytest.raises(RenderCancelled):
        compose(_project([Shot(media=str(media["red"]), duration_ms=2000)]), tmp_path / "c.mp4", settings=settings,
                cancel=cancel)
    assert list(tmp_path.iterdir()) == []


# -- pixels ------------------------------------------------------------------------------------------

def _caption_diff(media, settings, caption: str, t_ms: float = 500, **project_fields) -> tuple[np.ndarray, np.ndarray]:
    base = dict(media=str(media["gray"]), camera_move="none", duration_ms=1000)
    no_label = AiLabel(visible=False)
    with_caption = _frame(_project([Shot(caption=caption, **base)], label=no_label, **project_fields), settings, t_ms)
    without = _frame(_project([Shot(**base)], label=no_label, **project_fields), settings, t_ms)
    return with_caption, _changed(with_caption, without)


@pytest.mark.parametrize("preset", [PresetName.DRAFT])
@pytest.mark.parametrize("position", ["bottom", "middle", "top"])
def test_captions_stay_inside_the_safe_zone(media, settings, preset, position):
    style = caption_style("bold_stroke", position=position)
    caption = "这是一条很长的中文字幕，用来检查换行和安全区域是否正确 🎬🔥"
    _, mask = _caption_diff(media, settings, caption, caption_style=style)
    left, top, right, bottom = PRESETS[preset].safe_rect
    x0, y0, x1, y1 = _bbox(mask)
    assert left <= x0 and x1 <= right and top <= y0 and y1 <= bottom, ((x0, y0, x1, y1), (left, top, right, bottom))
    assert y1 - y0 > 2 * PRESETS[preset].height * 0.02, "a long caption should wrap onto several lines"


def test_chinese_caption_draws_glyphs(media, settings):
    _, mask = _caption_diff(media, settings, "中文字幕")
    x0, _, x1, _ = _bbox(mask)
    assert mask.sum() > 2000 and x1 - x0 > 4 * 20  # four glyphs of ink, not empty boxes


def test_emoji_are_drawn_in_colour(media, settings):
    frame, mask = _caption_diff(media, settings, "好吃 😋🍜")
    rgb = frame[mask]
    saturation = rgb.max(axis=1) - rgb.min(axis=1)
    assert (saturation > 80).sum() > 200  # yellow/orange pixels: colour emoji, not grey tofu
    plain, plain_mask = _caption_diff(media, settings, "好吃")
    assert ((plain[plain_mask].max(axis=1) - plain[plain_mask].min(axis=1)) > 80).sum() == 0


@pytest.mark.parametrize("caption", [
    "مرحبا بالعالم Hello 世界",  # Arabic + Latin + CJK
    "שלום עולם! 123",  # Hebrew with digits
    "👨‍👩‍👧‍👦🇨🇳🇺🇸👍🏽1️⃣🏳️‍🌈" * 3,  # ZWJ families, flags, skin tones, keycaps
])
def test_unusual_but_valid_captions_render(media, settings, caption):
    _, mask = _caption_diff(media, settings, caption)
    assert mask.sum() > 500


def test_visible_label_shows_for_its_time_inside_the_safe_zone(media, settings):
    shot = Shot(media=str(media["gray"]), camera_move="none", duration_ms=4000)
    labelled = _project([shot], language="zh")
    plain = _project([shot], label=AiLabel(visible=False))
    preset = PRESETS[PresetName.DRAFT]
    mask = _changed(_frame(labelled, settings, 1000), _frame(plain, settings, 1000))
    x0, y0, x1, y1 = _bbox(mask)
    left, top, right, bottom = preset.safe_rect
    assert left <= x0 and top <= y0 and x1 < preset.width / 2 and y1 < preset.height / 4  # top-left corner
    # GB 45438-2025: text at least 5 % of the shorter side tall -- measure the white glyph rows.
    frame = _frame(labelled, settings, 1000)[y0:y1, x0:x1]
    white_rows = np.nonzero((frame.min(axis=2) > 200).any(axis=1))[0]
    assert white_rows.max() - white_rows.min() + 1 >= MIN_LABEL_TEXT_FRACTION * min(preset.width, preset.height)
    assert not _changed(_frame(labelled, settings, 3500), _frame(plain, settings, 3500)).any()  # gone after 3 s


def test_label_position_is_configurable(media, settings):
    shot = Shot(media=str(media["gray"]), camera_move="none", duration_ms=2500)
    right = _project([shot], label=AiLabel(position="bottom_right"))
    plain = _project([shot], label=AiLabel(visible=False))
    x0, y0, x1, y1 = _bbox(_changed(_frame(right, settings, 500), _frame(plain, settings, 500)))
    left, top, safe_right, safe_bottom = PRESETS[PresetName.DRAFT].safe_rect
    assert safe_right - 20 < x1 <= safe_right and safe_bottom - 20 < y1 <= safe_bottom  # hugs the bottom-right
    assert y0 > PRESETS[PresetName.DRAFT].height / 2


def test_hook_title_shows_then_fades(media, settings):
    shot = Shot(media=str(media["gray"]), camera_move="none", duration_ms=4000)
    titled = _project([shot], storyboard={"hook": "3个技巧"}, label=AiLabel(visible=False), hook_ms=2000)
    plain = _project([shot], label=AiLabel(visible=False))
    assert _changed(_frame(titled, settings, 500), _frame(plain, settings, 500)).sum() > 3000
    assert not _changed(_frame(titled, settings, 2500), _frame(plain, settings, 2500)).any()


def test_word_highlight_colours_the_current_word(media, settings):
    words = (WordTiming(text="hello", start_ms=0, end_ms=400), WordTiming(text="world", start_ms=400, end_ms=900))
    shot = Shot(media=str(media["gray"]), camera_move="none", duration_ms=1000, caption="hello world",
                caption_words=words)
    project = _project([shot], label=AiLabel(visible=False))  # bold_stroke highlights in #FFD400
    yellow = lambda f: ((f[..., 0] > 200) & (f[..., 1] > 170) & (f[..., 2] < 80))  # noqa: E731
    first, second = _frame(project, settings, 200), _frame(project, settings, 600)
    xs1, xs2 = np.nonzero(yellow(first))[1], np.nonzero(yellow(second))[1]
    assert len(xs1) > 100 and len(xs2) > 100
    assert xs1.mean() < xs2.mean()  # the highlight moved right, from "hello" to "world"


def test_crossfade_blends_and_fade_dips_to_black(media, settings):
    red = Shot(media=str(media["red"]), camera_move="none", duration_ms=1000)
    blue = dict(media=str(media["blue"]), camera_move="none", duration_ms=1000, transition_ms=400)
    no_label = AiLabel(visible=False)
    xfade = _project([red, Shot(transition=Transition.CROSSFADE, **blue)], label=no_label)
    middle = _frame(xfade, settings, 800)[480, 270]  # crossfade spans 600..1000 ms
    assert 90 < middle[0] < 140 and 90 < middle[2] < 140
    fade = _project([red, Shot(transition=Transition.FADE, **blue)], label=no_label)
    assert _frame(fade, settings, 1000)[480, 270].max() < 10  # the dip's bottom is black
    assert _frame(fade, settings, 1500)[480, 270][2] > 200
    cut = _project([red, Shot(transition=Transition.CUT, **blue)], label=no_label)
    assert _frame(cut, settings, 999)[480, 270][0] > 200 and _frame(cut, settings, 1000)[480, 270][2] > 200


def test_camera_move_makes_a_still_image_move(media, settings):
    project = _project([Shot(media=str(media["wide"]), camera_move="push_in", duration_ms=2000)],
                       label=AiLabel(visible=False))
    assert _changed(_frame(project, settings, 0), _frame(project, settings, 1900)).mean() > 0.05


def test_contain_shows_all_over_a_blurred_fill(media, settings):
    project = _project([Shot(media=str(media["wide"]), fit="contain", camera_move="none", duration_ms=1000)],
                       label=AiLabel(visible=False))
    frame = _frame(project, settings, 0)
    # A 16:9 picture fitted to 540 wide is ~304 tall: above and below it is the darker blurred fill.
    assert frame[100, 270].max() < 140 and frame[480, :].std() > 30


def test_moviepy_clip_matches_the_export_frames(media, settings):
    from studio.compose.compositor import as_videoclip

    project = _project([Shot(media=str(media["wide"]), caption="MoviePy 🎞️", duration_ms=1000),
                        Shot(media=str(media["clip"]), duration_ms=600, transition=Transition.CROSSFADE)])
    clip = as_videoclip(plan_render(project, settings), settings)
    # 1000 + 600 ms with the crossfade capped at half of the 600 ms shot.
    assert clip.size == (540, 960) and clip.fps == 30 and abs(clip.duration - 1.3) < 1e-6
    assert clip.audio is not None and abs(clip.audio.duration - 1.3) < 0.01
    assert np.array_equal(clip.get_frame(0.9).astype(np.int16), _frame(project, settings, 900))
    assert np.array_equal(clip.get_frame(0.2).astype(np.int16), _frame(project, settings, 200))  # backwards


def test_cover_is_never_a_blend_of_two_shots(media, settings):
    from studio.compose.compositor import default_cover_time
    from studio.project.timeline import build_timeline

    project = _project([Shot(media=str(media["red"]), duration_ms=1000),
                        Shot(media=str(media["blue"]), duration_ms=1000, transition=Transition.CROSSFADE,
                             transition_ms=500)], storyboard={"hook": "Hook"}, hook_ms=2500)
    timeline = build_timeline(project)
    t = default_cover_time(project, timeline)
    assert len(timeline.active(t)) == 1 and t < 500


def test_hook_title_and_top_captions_do_not_collide(media, settings):
    shot = Shot(media=str(media["gray"]), camera_move="none", duration_ms=3000, caption="顶部字幕 top caption")
    plan = plan_render(_project([shot], storyboard={"hook": "开场标题"}, label=AiLabel(visible=False),
                                caption_style=caption_style("box", position="top")), settings)
    title, caption = plan.overlays[0], plan.overlays[1]
    assert title.y >= caption.y + caption.image.height or caption.y >= title.y + title.image.height
