"""Effects in MoviePy's shape, judged by MoviePy itself: every effect the studio has a kernel for renders the same
frames as ``moviepy.video.fx`` on the same input (a synthetic clip whose picture changes every frame), and bad
effects are refused in one sentence naming the effect and the parameter.

Parity is measured on frames of a small clip (the kernels do the same per pixel at any size): the largest and the
mean absolute difference per channel, in 8-bit levels. Where both sides truncate the same float, they agree exactly;
where Pillow rounds a blend that MoviePy truncates, they differ by at most one level.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from studio.compose.effects import EffectFrames, over, shot_effects
from studio.errors import ProjectValidationError
from studio.project.effect_forms import effects_from_text, effects_schema, effects_text
from studio.project.effects import OURS, BlackAndWhite, Kind, MoviePyFx, effect_dict, parse_effects
from studio.project.model import Project, Shot

FPS = 25
SIZE = (96, 160)  # width, height
DURATION = 2.0  # seconds
TIMES = (0.02, 0.3, 0.62, 1.1, 1.5, 1.9)  # mid-frame times: no float rounding lands on a frame boundary


def picture(t: float, seed: int = 0) -> np.ndarray:
    """Frame ``floor(t * FPS)`` of a synthetic clip: gradients, a moving bar and fixed noise (real edges and every
    level of every channel), as a video file would give it: the same picture for the whole frame."""
    n = int(t * FPS + 1e-6)
    h, w = SIZE[1], SIZE[0]
    y, x = np.mgrid[0:h, 0:w]
    rng = np.random.default_rng(seed)
    noise = rng.integers(0, 40, (h, w, 3))
    frame = np.stack([(x * 255 / w + 3 * n) % 256, (y * 255 / h) % 256, ((x + y + 7 * n) * 2) % 256], axis=-1)
    bar = (x >= (n * 3) % w) & (x < (n * 3) % w + 12)
    frame[bar] = (250 - 3 * n % 200, 30, 200)
    return np.clip(frame + noise - 20, 0, 255).astype(np.uint8)


class Synthetic:
    """The same clip as a studio frame source: ``frame(t_ms)``."""

    def __init__(self, seed: int = 0):
        self.seed = seed
        self.asked: list[float] = []

    def frame(self, t_ms: float) -> Image.Image:
        self.asked.append(t_ms)
        return Image.fromarray(picture(t_ms / 1000, self.seed))


def moviepy_clip(seed: int = 0, duration: float = DURATION):
    from moviepy import VideoClip

    return VideoClip(frame_function=lambda t: picture(t, seed), duration=duration).with_fps(FPS)


def ours(effects: list[dict], span_s: float = DURATION, source_s: float = DURATION) -> EffectFrames:
    parsed = parse_effects(effects)
    chain = shot_effects((), parsed, span_ms=round(span_s * 1000), fps=FPS, clip_ms=round(source_s * 1000),
                         clip_start_ms=0, root=None, where="shot 1")
    return EffectFrames(Synthetic(), chain, SIZE, FPS)


def difference(a, b) -> tuple[int, float]:
    d = np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.int16))
    return int(d.max()), float(d.mean())


def as_uint8(frame) -> np.ndarray:
    """A MoviePy frame as it is written out (MoviePy casts float frames with astype("uint8"))."""
    return np.asarray(frame).astype(np.uint8)


# -- parity, effect by effect -------------------------------------------------------------------------------

PICTURE_CASES = [
    ({"name": "BlackAndWhite"}, 1),
    ({"name": "BlackAndWhite", "RGB": "CRT_phosphor"}, 1),
    ({"name": "BlackAndWhite", "RGB": [3, 1, 0.5], "preserve_luminosity": True}, 1),
    ({"name": "GammaCorrection", "gamma": 0.6}, 0),
    ({"name": "GammaCorrection", "gamma": 2.2}, 0),
    ({"name": "LumContrast", "lum": 20, "contrast": 0.4, "contrast_threshold": 110}, 0),
    ({"name": "LumContrast", "lum": -30}, 0),
    ({"name": "MultiplyColor", "factor": 1.6}, 0),
    ({"name": "MultiplyColor", "factor": 0.45}, 0),
    ({"name": "InvertColors"}, 0),
    ({"name": "MirrorX"}, 0),
    ({"name": "MirrorY"}, 0),
    ({"name": "Painting", "black": 0}, 1),  # with lines, see test_painting_lines_are_moviepys_without_its_overflow
    ({"name": "Painting", "saturation": 1.1, "black": 0}, 1),
]


@pytest.mark.parametrize(("effect", "tolerance"), PICTURE_CASES, ids=[json.dumps(c[0]) for c in PICTURE_CASES])
def test_picture_effects_match_moviepy(effect, tolerance):
    import moviepy.video.fx as vfx

    params = {k: v for k, v in effect.items() if k != "name"}
    reference = moviepy_clip().with_effects([getattr(vfx, effect["name"])(**params)])
    frames = ours([effect])
    worst = max(difference(frames.frame(t * 1000), as_uint8(reference.get_frame(t)))[0] for t in TIMES)
    assert worst <= tolerance, f"{effect['name']} differs from MoviePy's by {worst} levels"


@pytest.mark.parametrize("black", [0.006, 0.02])
def test_painting_lines_are_moviepys_without_its_overflow(black):
    """MoviePy 2.2.1's Painting computes its dark lines as ``255 * edges`` on a uint8 edge map, which wraps (an edge
    of 2 becomes 254, a strong edge of 255 becomes 1), so its lines land on the faint edges. The studio draws them
    where the edges are, as the effect says (and as MoviePy 1 did with float edges): MoviePy's own steps with the
    edge map in floats. The overflow itself is shown here so the day MoviePy fixes it, this test says so."""
    import moviepy.video.fx as vfx
    from PIL import ImageFilter

    frame = picture(0.62)
    enhanced = Image.fromarray(frame).filter(ImageFilter.EDGE_ENHANCE_MORE)
    edges = np.asarray(enhanced.convert("L").filter(ImageFilter.FIND_EDGES)).astype(np.float64)
    intended = np.clip(1.4 * np.asarray(enhanced) - black * 255 * edges[..., None], 0, 255).astype(np.uint8)
    mine = ours([{"name": "Painting", "black": black}]).frame(620)
    assert difference(mine, intended)[0] <= 1
    theirs = vfx.Painting(black=black).to_painting(frame, 1.4, black)
    assert difference(theirs, intended)[0] > 100, "MoviePy's Painting no longer wraps: compare with it directly"


@pytest.mark.parametrize("effect", [
    {"name": "FadeIn", "duration": 0.8}, {"name": "FadeIn", "duration": 0.5, "initial_color": [255, 200, 0]},
    {"name": "FadeOut", "duration": 0.7}, {"name": "FadeOut", "duration": 1.2, "final_color": [255, 255, 255]},
], ids=lambda e: json.dumps(e))
def test_fades_match_moviepy(effect):
    import moviepy.video.fx as vfx

    params = {k: v for k, v in effect.items() if k != "name"}
    reference = moviepy_clip().with_effects([getattr(vfx, effect["name"])(**params)])
    frames = ours([effect])
    for t in TIMES:
        worst, _ = difference(frames.frame(t * 1000), as_uint8(reference.get_frame(t)))
        assert worst <= 1, (t, worst)


@pytest.mark.parametrize("effect", [
    {"name": "CrossFadeIn", "duration": 0.9}, {"name": "CrossFadeOut", "duration": 0.9},
    *({"name": name, "duration": 0.8, "side": side} for name in ("SlideIn", "SlideOut")
      for side in ("left", "right", "top", "bottom")),
], ids=lambda e: json.dumps(e))
def test_layer_effects_match_moviepy_composites(effect):
    """The shot over another (what is under it during a transition): MoviePy's CompositeVideoClip of the two."""
    import moviepy.video.fx as vfx
    from moviepy import CompositeVideoClip

    params = {k: v for k, v in effect.items() if k != "name"}
    below = moviepy_clip(seed=1)
    reference = CompositeVideoClip([below, moviepy_clip().with_effects([getattr(vfx, effect["name"])(**params)])])
    frames = ours([effect])
    for t in TIMES:
        mine = frames.over(Image.fromarray(picture(t, 1)), frames.frame(t * 1000), t * 1000)
        worst, _ = difference(mine, reference.get_frame(t))
        assert worst <= 1, (t, worst)


@pytest.mark.parametrize("effects", [
    [{"name": "MultiplySpeed", "factor": 2}],
    [{"name": "MultiplySpeed", "factor": 0.5}],
    [{"name": "MultiplySpeed", "final_duration": 0.8}],
    [{"name": "TimeMirror"}],
    [{"name": "Freeze", "t": 0.5, "freeze_duration": 0.6}],
    [{"name": "Freeze", "t": "end", "total_duration": 2.5}],
    [{"name": "MultiplySpeed", "factor": 2}, {"name": "TimeMirror"}],
    [{"name": "FadeIn", "duration": 0.6}, {"name": "MultiplySpeed", "factor": 2}],
    [{"name": "MultiplySpeed", "factor": 2}, {"name": "FadeOut", "duration": 0.3}],
    [{"name": "TimeMirror"}, {"name": "GammaCorrection", "gamma": 0.7}, {"name": "Freeze", "t": 0.2,
                                                                       "freeze_duration": 0.3}],
], ids=lambda e: " + ".join(x["name"] for x in e))
def test_time_effects_match_moviepy(effects):
    """Speed, reverse and freeze show the same source moments as MoviePy's, through the effects around them, on a
    shot as long as MoviePy's result (the studio solves how much source that takes)."""
    import moviepy.video.fx as vfx

    reference = moviepy_clip().with_effects([getattr(vfx, e["name"])(**{k: v for k, v in e.items() if k != "name"})
                                             for e in effects])
    frames = ours(effects, span_s=reference.duration)
    for t in (0.02, 0.3, 0.45, 0.62, 0.78):
        if t >= reference.duration:
            continue
        worst, _ = difference(frames.frame(t * 1000), as_uint8(reference.get_frame(t)))
        assert worst <= 1, (t, worst)


def test_a_fast_shot_uses_more_of_its_clip_and_a_slow_one_less():
    assert ours([{"name": "MultiplySpeed", "factor": 2}], span_s=1.0).chain.timemap.source_ms == 2000
    assert ours([{"name": "MultiplySpeed", "factor": 0.5}], span_s=1.0).chain.timemap.source_ms == 500
    reverse = ours([{"name": "TimeMirror"}], span_s=1.0)  # the shot's own second of footage, backwards
    assert reverse.chain.timemap.source_ms == 1000
    assert reverse.chain.timemap.source_time(0) == pytest.approx(1000 - 1000 / FPS)


def test_the_escape_hatch_applies_any_other_moviepy_effect_through_moviepy():
    """``Rotate``, ``Blink``... are not the studio's kernels: MoviePy applies them to the shot's frames, and a
    render says it took the slow path."""
    import moviepy.video.fx as vfx

    for effect, fx in (({"name": "Blink", "duration_on": 0.3, "duration_off": 0.2}, vfx.Blink(0.3, 0.2)),
                       ({"name": "AccelDecel", "new_duration": 2.0, "abruptness": 2}, vfx.AccelDecel(2.0, 2)),
                       ({"name": "Rotate", "angle": 180}, vfx.Rotate(180))):
        frames = ours([effect])
        assert isinstance(frames.chain.effects[0], MoviePyFx)
        assert "slow path" in frames.chain.notes[0]
        reference = moviepy_clip().with_effects([fx])
        for t in (0.1, 0.4, 1.3):
            worst, _ = difference(frames.frame(t * 1000), as_uint8(reference.get_frame(t)))
            assert worst <= 1, (effect["name"], t, worst)


def test_a_still_picture_gets_its_colour_effects_once_and_the_same_result():
    """On a still, colour effects are applied to the picture before the camera move, once; the frames are the
    ones a per-frame application gives (up to the move's resampling)."""
    chain = shot_effects((), parse_effects([{"name": "GammaCorrection", "gamma": 0.7}, {"name": "MirrorX"},
                                            {"name": "FadeIn", "duration": 0.2}, {"name": "BlackAndWhite"}]),
                         span_ms=1000, fps=FPS, clip_ms=None, clip_start_ms=0, root=None, where="shot 1")
    assert chain.once == {0}  # gamma comes before the fade; black-and-white after it stays per frame
    source = Synthetic()
    still = Image.fromarray(picture(0))
    prepared = chain.prepare_still(still)
    per_frame = ours([{"name": "GammaCorrection", "gamma": 0.7}]).frame(0)
    assert difference(prepared, per_frame)[0] == 0
    frames = EffectFrames(source, chain, SIZE, FPS)
    assert np.asarray(frames.frame(500)).std(axis=2).max() == 0  # black and white after the fade


def test_over_places_and_blends():
    red, blue = Image.new("RGB", (10, 4), (255, 0, 0)), Image.new("RGB", (10, 4), (0, 0, 255))
    from studio.compose.effects import Placement

    shifted = np.asarray(over(red, blue, Placement(dx=6)))
    assert (shifted[:, :6] == (255, 0, 0)).all() and (shifted[:, 6:] == (0, 0, 255)).all()
    half = np.asarray(over(red, blue, Placement(alpha=128)))
    assert abs(int(half[0, 0, 0]) - 127) <= 1 and abs(int(half[0, 0, 2]) - 128) <= 1


# -- values: names, parameters, the text form, the schema ------------------------------------------------------

@pytest.mark.parametrize(("raw", "needle"), [
    ([{"name": "Blur"}], "unknown effect 'Blur'"),
    ([{"name": "MultiplySpeed", "factor": 0}], "MultiplySpeed factor must be between 0.1 and 10, not 0"),
    ([{"name": "MultiplySpeed", "factor": 1000}], "MultiplySpeed factor must be between 0.1 and 10, not 1000"),
    ([{"name": "MultiplySpeed"}], "give either factor or final_duration"),
    ([{"name": "GammaCorrection", "gamma": "bright"}], "GammaCorrection gamma must be a number, not 'bright'"),
    ([{"name": "GammaCorrection", "gamma": True}], "GammaCorrection gamma must be a number"),
    ([{"name": "GammaCorrection"}], "GammaCorrection needs gamma"),
    ([{"name": "FadeIn", "duration": 0.5, "colour": [0, 0, 0]}], "FadeIn has no parameter 'colour'"),
    ([{"name": "FadeIn", "duration": 0.5, "initial_color": [0, 0, 300]}], "three numbers from 0 to 255"),
    ([{"name": "SlideIn", "duration": 0.5, "side": "up"}], "SlideIn side must be one of left, right, top, bottom"),
    ([{"name": "BlackAndWhite", "preserve_luminosity": "yes"}], "must be true or false"),
    ([{"name": "Freeze", "t": "middle", "freeze_duration": 1}], "or 'end'"),
    ([{"name": "Look", "look": "sepia_dream"}], "no bundled look is called 'sepia_dream'"),
    ([{"name": "Look", "file": "grade.png"}], "must be a .cube file"),
    ([{"name": "MasksAnd", "other_clip": 1}], "MasksAnd needs a second clip"),
    ([{"name": "SuperSample", "d": 0.1, "n_frames": 100000}], "SuperSample n_frames must be between"),
    ([{"name": "Rotate", "angel": 10}], "Rotate has no parameter 'angel'"),
    ([{"name": "Rotate"}], "Rotate needs angle"),
    ("BlackAndWhite", "effects must be a list"),
    ([[1, 2]], "an effect is an object with a name"),
    ([{"name": "TimeMirror"}] * 17, "at most 16"),
])
def test_bad_effects_are_one_sentence_naming_the_effect(raw, needle):
    with pytest.raises(ValueError, match=None) as raised:
        parse_effects(raw)
    assert needle in str(raised.value) and "\n" not in str(raised.value)


def test_a_project_names_the_shot_of_a_bad_effect():
    from studio.project.files import validate_project

    data = {"storyboard": {"shots": [{"media": "a.png"}, {"media": "b.png", "effects": [
        {"name": "MultiplySpeed", "factor": 1000}]}]}}
    with pytest.raises(ProjectValidationError, match=r"shot 2 effects: MultiplySpeed factor must be between 0.1"):
        validate_project(data)
    with pytest.raises(ProjectValidationError, match=r"shot 1: FadeIn lasts 5 s, longer than the shot \(3 s\)"):
        validate_project({"storyboard": {"shots": [{"media": "a.png", "effects": [{"name": "FadeIn",
                                                                                   "duration": 5}]}]}})
    with pytest.raises(ProjectValidationError, match="FadeIn works on one shot; the clip-wide effects are looks"):
        validate_project({"effects": [{"name": "FadeIn", "duration": 1}]})


def test_effects_round_trip_through_the_project_file_and_the_text_form():
    raw = [{"name": "FadeIn", "duration": 0.5}, {"name": "BlackAndWhite", "RGB": "CRT_phosphor"},
           {"name": "SlideOut", "duration": 0.4, "side": "left"}, {"name": "Freeze", "t": "end", "freeze_duration": 1},
           {"name": "Look", "look": "teal_orange", "strength": 0.5}, {"name": "Rotate", "angle": 12}]
    shot = Shot(media="a.png", effects=raw)
    assert json.loads(shot.model_dump_json())["effects"] == raw
    assert Shot.model_validate_json(shot.model_dump_json()) == shot
    assert effects_from_text(effects_text(shot.effects)) == shot.effects
    typed = effects_from_text("GammaCorrection(0.8); SlideIn(0.5, 'left')\nvfx.InvertColors\nBlink(0.2, 0.1)")
    assert [effect_dict(e) for e in typed] == [
        {"name": "GammaCorrection", "gamma": 0.8}, {"name": "SlideIn", "duration": 0.5, "side": "left"},
        {"name": "InvertColors"}, {"name": "Blink", "duration_on": 0.2, "duration_off": 0.1}]
    with pytest.raises(ValueError, match="parameters must be plain values"):
        effects_from_text("GammaCorrection(__import__('os'))")
    with pytest.raises(ValueError, match="is not an effect"):
        effects_from_text("GammaCorrection(0.8")


def test_effect_values_are_frozen_and_named_like_moviepy():
    import dataclasses
    import inspect

    import moviepy.video.fx as vfx

    effect = BlackAndWhite()
    with pytest.raises(dataclasses.FrozenInstanceError):
        effect.RGB = "x"
    required = {"FadeIn", "FadeOut", "CrossFadeIn", "SlideIn", "SlideOut", "BlackAndWhite", "GammaCorrection",
                "LumContrast", "MultiplyColor", "MirrorX", "MirrorY", "Painting", "MultiplySpeed", "TimeMirror",
                "Freeze"}
    assert required <= set(OURS)
    for name, cls in OURS.items():
        if name == "Look":
            assert cls.KIND is Kind.PICTURE
            continue
        theirs = [p for p in inspect.signature(getattr(vfx, name)).parameters if p != "self"]
        assert [f.name for f in dataclasses.fields(cls)] == theirs, name


def test_the_published_schema_takes_saved_effects_and_refuses_bad_ones():
    import jsonschema

    from studio.project.files import project_schema

    schema = project_schema()
    good = json.loads(Project(effects=[{"name": "Look", "look": "warm_film"}]).with_shots([
        Shot(media="a.png", effects=[{"name": "FadeIn", "duration": 0.5}, {"name": "Rotate", "angle": 5}])
    ]).model_dump_json())
    jsonschema.validate(good, schema)
    bad = json.loads(json.dumps(good))
    bad["storyboard"]["shots"][0]["effects"][0]["duration"] = "long"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    assert effects_schema(clip_wide=True)["items"]["anyOf"][0]["title"] != "FadeIn"
