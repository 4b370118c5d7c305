"""Keyframes first, the video side: a keyframe that ends on the next shot's picture (LTX conditions, Wan's
first-last-frame model, the still draft's note) and Wan VACE reference-to-video, on tiny random pipelines saved with
save_pretrained and loaded through the product's loader.

Random tiny weights barely react in their output, so these tests compare what is fed in: the pipeline call's
arguments and the transformer's first inputs."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from PIL import Image, PngImagePlugin  # noqa: E402

from pipelines.services import Services  # noqa: E402
from pipelines.shots import VideoOptions, render_shot, render_shots  # noqa: E402
from studio.errors import GenerationError, ProjectValidationError  # noqa: E402
from studio.project.model import Bible, BibleEntry, Project, Shot, ShotSource, Storyboard  # noqa: E402
from studio.settings import Settings  # noqa: E402
from tests.helpers.media import make_image  # noqa: E402
from tests.helpers.tiny_video import save_tiny_models  # noqa: E402

RED, BLUE, GREEN = (220, 30, 30), (30, 30, 220), (30, 200, 60)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict[str, Path]:
    return save_tiny_models(tmp_path_factory.mktemp("tiny-video"),
                            names=("ltx", "wan_t2v", "wan_i2v", "wan_flf2v", "wan_vace"))


def _services(tmp_path: Path, **env: str) -> Services:
    return Services(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data"), **env}))


def _ltx(tiny) -> VideoOptions:
    return VideoOptions(backend="ltx", model=str(tiny["ltx"]), width=32, height=32, frames=9, steps=2)


def _wan(tiny) -> VideoOptions:
    return VideoOptions(backend="wan", model=str(tiny["wan_t2v"]), image_model=str(tiny["wan_i2v"]),
                        bridge_model=str(tiny["wan_flf2v"]), width=16, height=16, frames=9, steps=2)


def _keyframe(root: Path, name: str, color, size=(64, 64)) -> str:
    make_image(root / "keyframes" / name, size, color)
    return f"keyframes/{name}"


def _record(monkeypatch, cls) -> list[tuple[dict, dict]]:
    """Every call of pipeline class ``cls``: its keyword arguments and the tensors of its transformer's first call."""
    calls: list[tuple[dict, dict]] = []
    original = cls.__call__

    def record(pipe, *args, **kwargs):
        seen: dict = {}

        def hook(_module, _args, inputs):
            if not seen:
                seen.update({k: v.detach().clone() for k, v in inputs.items() if isinstance(v, torch.Tensor)})

        handle = pipe.transformer.register_forward_pre_hook(hook, with_kwargs=True)
        try:
            return original(pipe, *args, **kwargs)
        finally:
            handle.remove()
            calls.append((kwargs, seen))

    monkeypatch.setattr(cls, "__call__", record)
    return calls


def _notes(result) -> tuple[str, ...]:
    """The result's notes but the tiny clips' usual one (9 frames are shorter than the shot)."""
    return tuple(n for n in result.notes if "the model made" not in n)


def _pixels(image) -> np.ndarray:
    return np.asarray(image.convert("RGB"))


def _loaded(root: Path, relative: str) -> np.ndarray:
    with Image.open(root / relative) as image:
        return _pixels(image)


# -- ends on the next shot's picture -------------------------------------------------------------------------------

def test_ltx_pins_the_keyframe_first_and_the_next_keyframe_last_and_keys_on_the_next_pixels(tiny, tmp_path,
                                                                                           monkeypatch):
    from diffusers import LTXConditionPipeline

    calls = _record(monkeypatch, LTXConditionPipeline)
    services = _services(tmp_path)
    shots = [Shot(id="a", source=ShotSource.IMAGE, source_media=_keyframe(tmp_path, "a.png", RED),
                  visual_prompt="a red fox", ends_on_next=True, seed=1),
             Shot(id="b", source=ShotSource.IMAGE, source_media=_keyframe(tmp_path, "b.png", BLUE),
                  visual_prompt="a blue sea", seed=2)]
    first = render_shots(Project().with_shots(shots), tmp_path, _ltx(tiny), services)
    assert sorted(first.generated) == ["a", "b"] and not _notes(first)
    assert len(calls) == 1  # only shot a is a first-and-last-frame generation; b is plain image-to-video
    kwargs, inputs = calls[0]
    start, end = kwargs["conditions"]
    assert start.frame_index == 0 and np.array_equal(_pixels(start.image), _loaded(tmp_path, "keyframes/a.png"))
    assert end.frame_index == kwargs["num_frames"] - 1 == 8
    assert np.array_equal(_pixels(end.video[0]), _loaded(tmp_path, "keyframes/b.png"))
    key = first.project.shots[0].render.cache_key

    # the same pixels saved again (other bytes): nothing renders again
    path = tmp_path / "keyframes" / "b.png"
    before = path.read_bytes()
    with Image.open(path) as image:
        image.load()
    info = PngImagePlugin.PngInfo()
    info.add_text("comment", "saved again")
    image.save(path, pnginfo=info, compress_level=1)
    assert path.read_bytes() != before
    again = render_shots(first.project, tmp_path, _ltx(tiny), services)
    assert again.generated == [] and again.project.shots[0].render.cache_key == key and len(calls) == 1

    # a new next keyframe: shot a renders again, and the new picture reaches the denoiser
    make_image(path, (64, 64), GREEN)
    replaced = render_shots(again.project, tmp_path, _ltx(tiny), services)
    assert sorted(replaced.generated) == ["a", "b"] and replaced.project.shots[0].render.cache_key != key
    kwargs2, inputs2 = calls[1]
    assert np.array_equal(_pixels(kwargs2["conditions"][1].video[0]), _loaded(tmp_path, "keyframes/b.png"))
    assert np.array_equal(_pixels(kwargs2["conditions"][0].image), _pixels(start.image))
    assert inputs["hidden_states"].shape == inputs2["hidden_states"].shape
    assert not torch.equal(inputs["hidden_states"], inputs2["hidden_states"])


def test_wan_ends_on_the_next_text_shots_first_frame_rendering_that_shot_first(tiny, tmp_path, monkeypatch):
    from diffusers import WanImageToVideoPipeline, WanPipeline

    order: list[str] = []
    image_calls = _record(monkeypatch, WanImageToVideoPipeline)
    original = WanPipeline.__call__
    monkeypatch.setattr(WanPipeline, "__call__", lambda pipe, **kw: (order.append("text"), original(pipe, **kw))[1])
    services = _services(tmp_path)
    shots = [Shot(id="a", source=ShotSource.IMAGE, source_media=_keyframe(tmp_path, "a.png", RED),
                  visual_prompt="a red fox", ends_on_next=True, seed=1),
             Shot(id="b", visual_prompt="a blue sea", seed=2)]
    project = Project().with_shots(shots)

    # one shot alone cannot end on a picture that does not exist yet: it says which shot to render first
    with pytest.raises(ProjectValidationError, match="shot 2, which has no picture yet: render shot 2 first"):
        render_shot(project, tmp_path, "a", _wan(tiny), services)

    result = render_shots(project, tmp_path, _wan(tiny), services)
    assert sorted(result.generated) == ["a", "b"] and order == ["text"] and len(image_calls) == 1
    kwargs, _ = image_calls[0]
    key_b = result.project.shots[1].render.cache_key
    with Image.open(services.settings.shot_cache_dir / key_b[:2] / f"{key_b}.first.png") as first:
        assert np.array_equal(_pixels(kwargs["last_image"]), _pixels(first))
    assert np.array_equal(_pixels(kwargs["image"]), _loaded(tmp_path, "keyframes/a.png"))
    assert result.project.shots[0].render.model == str(tiny["wan_flf2v"])  # the first-last-frame model made it


def test_the_still_draft_shows_the_keyframe_as_before_and_says_why(tmp_path):
    services = _services(tmp_path)
    still = VideoOptions(backend="still", width=90, height=160)
    a = _keyframe(tmp_path, "a.png", RED)
    b = _keyframe(tmp_path, "b.png", BLUE)
    plain = [Shot(id="a", source=ShotSource.IMAGE, source_media=a, seed=1),
             Shot(id="b", source=ShotSource.IMAGE, source_media=b, seed=2)]
    before = render_shots(Project().with_shots(plain), tmp_path, still, services)
    flagged = [plain[0].model_copy(update={"ends_on_next": True}), plain[1]]
    after = render_shots(Project().with_shots(flagged), tmp_path, still, services)
    assert after.generated == [] and sorted(after.cached) == ["a", "b"]  # the same still, the same cache key
    assert after.project.shots[0].render.cache_key == before.project.shots[0].render.cache_key
    assert _notes(after) == ("shot 1: the still backend cannot end a shot on the next shot's picture, so it shows "
                           "its keyframe alone (LTX or Wan make the seamless cut)",)


@pytest.mark.parametrize("next_source, note", [
    (None, "shot 2 is the last shot, so there is no next picture to end on; it is made from its keyframe alone"),
    (ShotSource.PREVIOUS, "shot 3 starts from the last frame of shot 2 already, so shot 2 is made from its keyframe "
                          "alone"),
])
def test_a_flag_that_no_longer_fits_after_a_reorder_is_a_note_not_an_error(tiny, tmp_path, monkeypatch,
                                                                          next_source, note):
    from diffusers import LTXConditionPipeline

    calls = _record(monkeypatch, LTXConditionPipeline)
    shots = [Shot(id="t", visual_prompt="a red fox", seed=1),
             Shot(id="k", source=ShotSource.IMAGE, source_media=_keyframe(tmp_path, "k.png", RED),
                  visual_prompt="fox", ends_on_next=True, seed=2)]
    if next_source is not None:
        shots.append(Shot(id="p", source=next_source, visual_prompt="fox runs", seed=3))
    result = render_shots(Project().with_shots(shots), tmp_path, _ltx(tiny), _services(tmp_path))
    assert sorted(result.generated) == sorted(s.id for s in shots)
    assert _notes(result) == (note,) and calls == []  # made from its keyframe alone: image-to-video, no conditions


# -- Wan VACE: the character sheet reaches the footage -------------------------------------------------------------

def _cast(root: Path, color) -> Bible:
    make_image(root / "characters" / "mia.png", (64, 96), color, pattern="solid")
    return Bible(characters=(BibleEntry(name="Mia", description="a girl in a coat",
                                        reference_image="characters/mia.png"),))


def test_wan_vace_carries_the_references_into_text_and_keyframe_shots(tiny, tmp_path, monkeypatch):
    from diffusers import WanImageToVideoPipeline, WanPipeline, WanVACEPipeline

    vace = _record(monkeypatch, WanVACEPipeline)
    plain = _record(monkeypatch, WanPipeline)
    image_calls = _record(monkeypatch, WanImageToVideoPipeline)
    services = _services(tmp_path, STUDIO_WAN_VACE_MODEL=str(tiny["wan_vace"]))
    wide = Image.new("RGB", (64, 32), RED)  # a wide keyframe: green in (a bit more than) its middle square, red
    wide.paste(GREEN, (10, 0, 54, 32))  # at both ends: a stretch would show the red, a centre crop does not
    (tmp_path / "keyframes").mkdir()
    wide.save(tmp_path / "keyframes" / "k.png")
    shots = (Shot(id="t", visual_prompt="Mia walks in the snow", seed=1),
             Shot(id="k", source=ShotSource.IMAGE, source_media="keyframes/k.png", visual_prompt="close up",
                  characters=("Mia",), seed=2),
             Shot(id="s", visual_prompt="the sea at night", seed=3))
    project = Project(storyboard=Storyboard(bible=_cast(tmp_path, RED), shots=shots))
    first = render_shots(project, tmp_path, _wan(tiny), services)
    assert sorted(first.generated) == ["k", "s", "t"]
    assert len(vace) == 2 and len(plain) == 1 and image_calls == []  # the sea shows no one: plain text-to-video
    (text_kw, text_in), (key_kw, key_in) = vace
    red = _loaded(tmp_path, "characters/mia.png")
    for kwargs in (text_kw, key_kw):
        assert len(kwargs["reference_images"]) == 1 and np.array_equal(_pixels(kwargs["reference_images"][0]), red)
    assert "video" not in text_kw and "mask" not in text_kw  # a text shot: every frame is generated
    video, mask = key_kw["video"], key_kw["mask"]
    assert len(video) == len(mask) == key_kw["num_frames"] == 9
    assert all(frame.size == (16, 16) for frame in video + mask)
    assert np.all(np.asarray(mask[0]) == 0) and all(np.all(np.asarray(m) == 255) for m in mask[1:])
    assert all(np.all(_pixels(frame) == 128) for frame in video[1:])
    assert np.array_equal(_pixels(video[0]), np.full((16, 16, 3), GREEN, np.uint8))  # cropped, not stretched
    # the reference is an extra latent frame in front of the video's three
    assert key_in["control_hidden_states"].shape[2] == 1 + 3
    assert first.project.shots[0].render.model == str(tiny["wan_vace"])

    # another picture of Mia: the shots that show her render again, with it in the control input; the sea does not
    _cast(tmp_path, BLUE)
    second = render_shots(first.project, tmp_path, _wan(tiny), services)
    assert sorted(second.generated) == ["k", "t"] and second.cached == ["s"]
    assert second.project.shots[0].render.cache_key != first.project.shots[0].render.cache_key
    assert not torch.equal(vace[2][1]["control_hidden_states"], text_in["control_hidden_states"])
    assert not torch.equal(vace[3][1]["control_hidden_states"], key_in["control_hidden_states"])


def test_without_a_vace_model_the_references_stay_out_of_the_request_and_its_key(tiny, tmp_path, monkeypatch):
    from diffusers import WanPipeline

    plain = _record(monkeypatch, WanPipeline)
    services = _services(tmp_path)
    shots = (Shot(id="t", visual_prompt="Mia walks in the snow", seed=1),)
    project = Project(storyboard=Storyboard(bible=_cast(tmp_path, RED), shots=shots))
    first = render_shots(project, tmp_path, _wan(tiny), services)
    _cast(tmp_path, BLUE)
    again = render_shots(first.project, tmp_path, _wan(tiny), services)
    assert first.generated == ["t"] and again.cached == ["t"] and len(plain) == 1
    assert "reference_images" not in plain[0][0]


def test_a_vace_setting_that_names_another_kind_of_wan_model_is_refused_clearly(tiny, tmp_path):
    services = _services(tmp_path, STUDIO_WAN_VACE_MODEL=str(tiny["wan_t2v"]))
    project = Project(storyboard=Storyboard(bible=_cast(tmp_path, RED),
                                            shots=(Shot(visual_prompt="Mia walks", seed=1),)))
    with pytest.raises(GenerationError, match="is not a Wan VACE model; set STUDIO_WAN_VACE_MODEL"):
        render_shots(project, tmp_path, _wan(tiny), services)
