"""Keyframes first: image backends on tiny random SD, SDXL, FLUX and FLUX.2-klein pipelines loaded through the
product's loader, the character sheet, keyframes that reach the video model's denoiser, the two-level cache, and
bad input. Random weights make noise pictures: these tests check wiring, seeds and caching, never quality."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from PIL import Image  # noqa: E402

from pipelines.image.backends import ImageBackends, family_of  # noqa: E402
from pipelines.image.contract import ImageOptions, ImageRequest, ReferenceMode, keyframe_size  # noqa: E402
from pipelines.image.klein import Flux2KleinBackend  # noqa: E402
from pipelines.image.sd import SDTurboBackend  # noqa: E402
from pipelines.keyframes import (  # noqa: E402
    check_reference,
    make_character_sheet,
    make_keyframes,
    pixel_digest,
    set_reference,
)
from pipelines.services import Services  # noqa: E402
from pipelines.shots import render_shots  # noqa: E402
from pipelines.video.contract import VideoOptions, VideoTask  # noqa: E402
from studio.backends import ImageBackendName  # noqa: E402
from studio.errors import (  # noqa: E402
    KeyframeError,
    LimitError,
    NonCommercialModel,
    ProjectValidationError,
    ReferenceImageError,
)
from studio.project.files import load_project, save_project  # noqa: E402
from studio.project.model import Bible, BibleEntry, Project, Shot, ShotSource, Storyboard  # noqa: E402
from studio.settings import Settings  # noqa: E402
from tests.helpers.tiny_image import (  # noqa: E402
    disc,
    save_tiny_flux_ip_adapter,
    save_tiny_image_models,
    save_tiny_sd_ip_adapter,
    save_tiny_taesd,
)
from tests.helpers.tiny_video import save_tiny_models  # noqa: E402

RED, BLUE = (220, 30, 30), (30, 60, 220)
SMALL = dict(width=64, height=112, steps=2)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny-image")
    models = save_tiny_image_models(root)
    models["taesd"] = save_tiny_taesd(root / "taesd")
    return models


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture
def services(settings) -> Services:
    return Services(settings)


def _capture(model) -> tuple[dict, object]:
    """Record the tensors the denoiser (UNet or transformer) receives on its first call."""
    seen: dict = {}

    def hook(_module, args, kwargs):
        if seen:
            return
        for name, value in list(kwargs.items()) + [(f"arg{i}", a) for i, a in enumerate(args)]:
            if isinstance(value, torch.Tensor):
                seen[name] = value.detach().clone()
            elif isinstance(value, dict):  # added_cond_kwargs: the IP-Adapter's image embeddings ride here
                for k, v in value.items():
                    if isinstance(v, torch.Tensor):
                        seen[f"{name}.{k}"] = v.detach().clone()
                    elif isinstance(v, list):
                        for j, t in enumerate(v):
                            seen[f"{name}.{k}.{j}"] = t.detach().clone()

    return seen, model.register_forward_pre_hook(hook, with_kwargs=True)


def _project(tmp_path: Path, *, characters=("Mia",), shots=None) -> tuple[Project, Path]:
    root = tmp_path / "project"
    root.mkdir(exist_ok=True)
    bible = Bible(characters=tuple(BibleEntry(name=n, description=f"{n}, a girl in a red coat") for n in characters),
                  look="warm film")
    shots = shots or (Shot(id="s1", visual_prompt="Mia walks in the city at night", duration_ms=1000, seed=3),
                      Shot(id="s2", visual_prompt="wide shot of the sea", duration_ms=1000, seed=4))
    return Project(storyboard=Storyboard(bible=bible, shots=shots)), root


# -- 1. backends through the product's loader --------------------------------------------------------------------

@pytest.mark.parametrize("name, family", [("sd", SDTurboBackend), ("sdxl", SDTurboBackend),
                                          ("flux", None), ("flux2_klein", Flux2KleinBackend)])
def test_each_family_loads_its_saved_folder_once_and_draws_the_same_picture_for_the_same_seed(tiny, services, name,
                                                                                                family):
    backend = services.image.backend(ImageOptions(model=str(tiny[name])))
    if family is not None:
        assert isinstance(backend, family)
    request = ImageRequest(prompt="a red fox in the city at night", width=64, height=112, num_inference_steps=2,
                           seed=7)
    first = backend(request)
    again = backend(request)
    other = backend(request.with_(seed=8))
    assert first.image.size == (64, 112) and first.image.mode == "RGB"
    assert np.array_equal(np.asarray(first.image), np.asarray(again.image))
    assert not np.array_equal(np.asarray(first.image), np.asarray(other.image))
    assert services.video.pipelines.loads == 1  # loaded once, through the video runtime's one registry


def test_a_named_model_picks_its_family_from_the_class_it_was_saved_as(tiny):
    assert family_of(str(tiny["flux2_klein"])) is ImageBackendName.FLUX2
    assert family_of(str(tiny["sdxl"])) is ImageBackendName.SD_TURBO
    assert family_of(str(tiny["flux"])) is ImageBackendName.FLUX
    assert family_of("black-forest-labs/FLUX.2-klein-4B") is ImageBackendName.FLUX2
    assert family_of("someone/z-image-like") is ImageBackendName.DIFFUSERS  # qwen-image names are the qwen family


def test_keyframes_take_the_presets_9_16_aspect_at_the_models_own_scale():
    assert keyframe_size((1080, 1920), SDTurboBackend.limits) == (504, 896)
    assert keyframe_size((1080, 1920), Flux2KleinBackend.limits) == (752, 1344)
    w, h = keyframe_size((1080, 1920), Flux2KleinBackend.limits)
    assert w % 16 == 0 and h % 16 == 0


def test_sd_turbo_on_a_cpu_decodes_with_the_tiny_decoder(tiny, services):
    backend = services.image.backend(ImageOptions(model=str(tiny["sd"]), tiny_decoder=str(tiny["taesd"])))
    backend(ImageRequest(prompt="a cat", width=64, height=112, num_inference_steps=1, seed=1))
    pipe = backend.pipeline()
    assert type(pipe.vae).__name__ == "AutoencoderTiny"
    assert backend.cache_identity()["decoder"] != "vae"
    plain = services.image.backend(ImageOptions(model=str(tiny["sd"]), tiny_decoder=str(tiny["sd"] / "missing")))
    plain(ImageRequest(prompt="a cat", width=64, height=112, num_inference_steps=1, seed=1))
    assert type(plain.pipeline().vae).__name__ == "AutoencoderKL"  # no decoder here: the model's own VAE


# -- 2. references reach the denoiser --------------------------------------------------------------------------

def test_flux2_klein_feeds_the_character_references_to_its_transformer(tiny, services):
    backend = services.image.backend(ImageOptions(model=str(tiny["flux2_klein"])))
    assert backend.references is ReferenceMode.EDITING
    pipe = backend.pipeline()
    request = ImageRequest(prompt="Mia walks in the city", width=64, height=112, num_inference_steps=1, seed=0)
    inputs = {}
    for label, refs in (("none", ()), ("red", (disc(RED),)), ("blue", (disc(BLUE),))):
        seen, handle = _capture(pipe.transformer)
        try:
            backend(request.with_(references=refs))
        finally:
            handle.remove()
        inputs[label] = seen
    assert inputs["red"]["hidden_states"].shape[1] > inputs["none"]["hidden_states"].shape[1]  # reference tokens
    assert torch.equal(inputs["red"]["encoder_hidden_states"], inputs["blue"]["encoder_hidden_states"])
    assert (inputs["red"]["hidden_states"] - inputs["blue"]["hidden_states"]).abs().max() > 1e-3


def test_sd_ip_adapter_feeds_the_reference_to_the_unet_and_strength_zero_is_no_adapter(tiny, services, tmp_path):
    base = services.image.backend(ImageOptions(model=str(tiny["sd"]), tiny_decoder=str(tmp_path / "none")))
    request = ImageRequest(prompt="Mia walks in the city", width=64, height=112, num_inference_steps=2, seed=0)
    without = np.asarray(base(request).image)
    adapter = save_tiny_sd_ip_adapter(base.pipeline().unet, tmp_path / "ip-adapter")
    backend = services.image.backend(ImageOptions(model=str(tiny["sd"]), ip_adapter=str(adapter),
                                                  tiny_decoder=str(tmp_path / "none")))
    assert backend.references is ReferenceMode.IP_ADAPTER
    assert np.array_equal(np.asarray(backend(request).image), without)  # no reference: the adapter at strength 0
    pipe = backend.pipeline()
    embeds = {}
    for label, color in (("red", RED), ("blue", BLUE)):
        seen, handle = _capture(pipe.unet)
        try:
            backend(request.with_(references=(disc(color),), reference_scale=1.0))
        finally:
            handle.remove()
        embeds[label] = seen["added_cond_kwargs.image_embeds.0"]
    assert (embeds["red"] - embeds["blue"]).abs().max() > 1e-4
    assert np.array_equal(np.asarray(base(request).image), without)  # a backend without it unloads the adapter


def test_flux_ip_adapter_in_the_xlabs_layout_feeds_the_reference_to_the_transformer(tiny, services, tmp_path):
    base = services.image.backend(ImageOptions(model=str(tiny["flux"])))
    adapter = save_tiny_flux_ip_adapter(base.pipeline().transformer, tmp_path / "flux-ip")
    backend = services.image.backend(ImageOptions(model=str(tiny["flux"]), ip_adapter=str(adapter)))
    assert backend.references is ReferenceMode.IP_ADAPTER
    request = ImageRequest(prompt="Mia in the city", width=64, height=112, num_inference_steps=1, seed=0,
                           reference_scale=1.0)
    pipe = backend.pipeline()
    embeds = {}
    for label, color in (("red", RED), ("blue", BLUE)):
        seen, handle = _capture(pipe.transformer)
        try:
            backend(request.with_(references=(disc(color),)))
        finally:
            handle.remove()
        embeds[label] = seen["joint_attention_kwargs.ip_adapter_image_embeds.0"]
    assert (embeds["red"] - embeds["blue"]).abs().max() > 1e-4


# -- 3. sheet, keyframes, motion, the two-level cache ----------------------------------------------------------

def test_keyframes_become_the_shots_source_and_the_cpu_draft_shows_them(tiny, services, tmp_path):
    project, root = _project(tmp_path)
    options = ImageOptions(model=str(tiny["sd"]), **SMALL)
    sheet = make_character_sheet(project, root, options, services)
    mia = sheet.project.storyboard.bible.characters[0]
    assert mia.reference_image.startswith("characters/") and (root / mia.reference_image).is_file()
    made = make_keyframes(sheet.project, root, options, services)
    shots = made.project.shots
    assert [o.status for o in made.outcomes] == ["generated", "generated"]
    assert all(s.source is ShotSource.IMAGE and s.source_media.startswith("keyframes/") for s in shots)
    drafts = render_shots(made.project, root, VideoOptions(backend="still"), services)
    for shot in drafts.project.shots:  # a draft shows the drawn picture, not a title card
        keyframe = Image.open(root / shot.source_media).convert("RGB")
        shown = Image.open(root / shot.media).convert("RGB")
        assert pixel_digest(shown) == pixel_digest(keyframe)
    save_project(drafts.project, root / "project.json", source_root=root)
    loaded, _ = load_project(root / "project.json")
    assert loaded.storyboard.bible.characters[0].reference_image == mia.reference_image
    elsewhere = save_project(drafts.project, tmp_path / "elsewhere" / "copy.json", source_root=root)
    moved = elsewhere.storyboard.bible.characters[0].reference_image
    assert moved != mia.reference_image and (tmp_path / "elsewhere" / moved).is_file()  # the sheet travels along


def test_a_keyframe_is_cached_by_its_references_pixels_not_their_files(tiny, services, tmp_path):
    project, root = _project(tmp_path)
    options = ImageOptions(model=str(tiny["sd"]), **SMALL)
    disc(RED).save(tmp_path / "mia.png")
    project = set_reference(project, root, "mia", tmp_path / "mia.png", services.settings)
    first = make_keyframes(project, root, options, services, shot_ids=["s1"])
    assert first.outcomes[0].status == "generated"
    disc(RED).save(tmp_path / "mia-again.png", compress_level=1)  # the same pixels, other bytes
    again = set_reference(project, root, "Mia", tmp_path / "mia-again.png", services.settings)
    assert make_keyframes(again, root, options, services, shot_ids=["s1"]).outcomes[0].status == "cached"
    disc(BLUE).save(tmp_path / "mia-blue.png")
    other = set_reference(project, root, "Mia", tmp_path / "mia-blue.png", services.settings)
    assert make_keyframes(other, root, options, services, shot_ids=["s1"]).outcomes[0].status == "generated"
    unrelated = make_keyframes(other, root, options, services, shot_ids=["s2"])  # s2 shows no one: no reference
    assert unrelated.outcomes[0].status == "generated"


def test_a_clip_is_cached_by_its_keyframes_pixels_and_ltx_animates_the_keyframe(tiny, services, tmp_path):
    ltx = save_tiny_models(tmp_path / "video", names=("ltx",))["ltx"]
    project, root = _project(tmp_path)
    made = make_keyframes(project, root, ImageOptions(model=str(tiny["sd"]), **SMALL), services, shot_ids=["s1"])
    video = VideoOptions(backend="ltx", model=str(ltx), width=32, height=64, frames=9, steps=1)
    one = made.project.with_shots(made.project.shots[:1])
    pipe = services.video.backend(video).pipeline(VideoTask.IMAGE)
    seen, handle = _capture(pipe.transformer)
    try:
        first = render_shots(one, root, video, services)
    finally:
        handle.remove()
    assert first.outcomes[0].status == "generated"
    keyframe_path = root / one.shots[0].source_media
    Image.open(keyframe_path).convert("RGB").save(keyframe_path, compress_level=0)  # saved again: same pixels
    assert render_shots(one, root, video, services).outcomes[0].status == "cached"
    inverted = Image.eval(Image.open(keyframe_path).convert("RGB"), lambda v: 255 - v)
    inverted.save(keyframe_path)  # replaced by another picture
    seen2, handle = _capture(pipe.transformer)
    try:
        replaced = render_shots(one, root, video, services)
    finally:
        handle.remove()
    assert replaced.outcomes[0].status == "generated"
    # the keyframe reaches the denoiser: the conditioned first-frame latents differ, the text does not
    assert torch.equal(seen["encoder_hidden_states"], seen2["encoder_hidden_states"])
    assert (seen["hidden_states"] - seen2["hidden_states"]).abs().max() > 1e-3


def test_wan_image_to_video_receives_the_keyframe_through_its_image_encoder(tiny, services, tmp_path):
    wan = save_tiny_models(tmp_path / "video", names=("wan_t2v", "wan_i2v"))
    project, root = _project(tmp_path)
    made = make_keyframes(project, root, ImageOptions(model=str(tiny["sd"]), **SMALL), services, shot_ids=["s1"])
    one = made.project.with_shots(made.project.shots[:1])
    video = VideoOptions(backend="wan", model=str(wan["wan_t2v"]), image_model=str(wan["wan_i2v"]), width=16,
                         height=16, frames=9, steps=1)
    pipe = services.video.backend(video).pipeline(VideoTask.IMAGE)
    inputs = []
    for invert in (False, True):
        if invert:  # the keyframe replaced by another picture
            path = root / one.shots[0].source_media
            Image.eval(Image.open(path).convert("RGB"), lambda v: 255 - v).save(path)
        seen, handle = _capture(pipe.transformer)
        try:
            assert render_shots(one, root, video, services).outcomes[0].status == "generated"
        finally:
            handle.remove()
        inputs.append(seen)
    assert (inputs[0]["encoder_hidden_states_image"] - inputs[1]["encoder_hidden_states_image"]).abs().max() > 1e-4
    assert torch.equal(inputs[0]["encoder_hidden_states"], inputs[1]["encoder_hidden_states"])


# -- bad input: one sentence, nothing changed -----------------------------------------------------------------

def _bad_pictures(tmp_path: Path) -> dict[str, Path]:
    files = {}
    files["tiny"] = tmp_path / "tiny.png"
    Image.new("RGB", (40, 40), RED).save(files["tiny"])
    files["huge"] = tmp_path / "huge.png"
    Image.new("RGB", (300, 300), RED).save(files["huge"])
    files["corrupt"] = tmp_path / "corrupt.png"
    disc(RED).save(files["corrupt"])
    files["corrupt"].write_bytes(files["corrupt"].read_bytes()[:60])
    files["animated"] = tmp_path / "animated.gif"
    disc(RED).save(files["animated"], save_all=True, append_images=[disc(BLUE)], duration=100)
    files["text"] = tmp_path / "notes.png"
    files["text"].write_text("not a picture at all", encoding="utf-8")
    return files


@pytest.mark.parametrize("kind, words", [("tiny", "at least 64 px"), ("huge", "megapixels"),
                                         ("corrupt", "cannot be used"), ("animated", "animated"),
                                         ("text", "cannot be used")])
def test_a_bad_reference_picture_is_one_sentence_and_changes_nothing(tmp_path, kind, words):
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data"), "STUDIO_MAX_IMAGE_PIXELS": "50000"})
    project, root = _project(tmp_path)
    path = _bad_pictures(tmp_path)[kind]
    with pytest.raises(ReferenceImageError) as err:
        set_reference(project, root, "Mia", path, settings)
    message = str(err.value)
    assert words in message and "\n" not in message and str(tmp_path) not in message
    assert not (root / "characters").exists()


def test_a_character_absent_from_the_bible_is_refused_before_anything_is_drawn(tiny, services, tmp_path):
    shots = (Shot(id="s1", visual_prompt="two friends walk", characters=("Mia", "Leo"), duration_ms=1000),)
    project, root = _project(tmp_path, shots=shots)
    with pytest.raises(KeyframeError, match=r"shot 1 shows Leo, who is not in the storyboard's bible"):
        make_keyframes(project, root, ImageOptions(model=str(tiny["sd"]), **SMALL), services)
    assert services.video.pipelines.loads == 0 and not (root / "keyframes").exists()
    with pytest.raises(KeyframeError, match="'Leo' is not in the storyboard's bible"):
        set_reference(project, root, "Leo", tmp_path / "x.png", services.settings)


def test_a_shot_from_the_users_own_picture_is_never_redrawn(tiny, services, tmp_path):
    project, root = _project(tmp_path)
    disc(RED).save(root / "me.png")
    mine = project.shots[0].model_copy(update={"source": ShotSource.IMAGE, "source_media": "me.png"})
    project = project.with_shots([mine, project.shots[1]])
    with pytest.raises(ProjectValidationError, match="shot 1 starts from your own media or another shot"):
        make_keyframes(project, root, ImageOptions(model=str(tiny["sd"]), **SMALL), services, shot_ids=["s1"])
    drawn = make_keyframes(project, root, ImageOptions(model=str(tiny["sd"]), **SMALL), services)
    assert [o.shot_id for o in drawn.outcomes] == ["s2"] and drawn.project.shots[0] == mine


def test_too_many_candidates_are_refused_with_the_limit(tiny, services, tmp_path):
    project, root = _project(tmp_path)
    with pytest.raises(LimitError, match="ask for 1 to 8 keyframe candidates of a shot, not 9"):
        make_keyframes(project, root, ImageOptions(model=str(tiny["sd"])), services, candidates=9)


def test_a_model_folder_that_is_not_an_image_pipeline_is_refused_before_loading(tiny, services, tmp_path):
    ltx = save_tiny_models(tmp_path / "video", names=("ltx",))["ltx"]
    with pytest.raises(KeyframeError, match="is a LTXPipeline, not a text-to-image pipeline"):
        services.image.backend(ImageOptions(model=str(ltx)))
    with pytest.raises(KeyframeError, match="this image backend loads Flux2KleinPipeline"):
        services.image.backend(ImageOptions(backend="flux2", model=str(tiny["sd"])))
    assert services.video.pipelines.loads == 0


def test_non_commercial_weights_are_refused_when_the_settings_say_commercial_use(tmp_path):
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_COMMERCIAL_USE": "on"})
    with pytest.raises(NonCommercialModel, match="stabilityai/sd-turbo has non-commercial weights"):
        ImageBackends(settings).backend(ImageOptions(backend="sd-turbo"))


def test_without_a_gpu_there_is_no_keyframe_model_unless_one_is_chosen(tmp_path):
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path)})
    service = ImageBackends(settings)
    assert not service.available(ImageOptions())
    with pytest.raises(KeyframeError, match="no keyframe model on this machine"):
        service.backend(ImageOptions())
    assert service.available(ImageOptions(backend="sd-turbo"))


def test_a_reference_is_stored_at_most_1024_px_as_a_still_rgb_picture(tmp_path, settings):
    path = tmp_path / "big.png"
    Image.new("RGBA", (2048, 1024), (10, 20, 30, 255)).save(path)
    image = check_reference(path, settings)
    assert image.size == (1024, 512) and image.mode == "RGB"


def test_projects_without_the_new_fields_still_load():
    old = {"schema_version": 2, "storyboard": {"bible": {"characters": [{"name": "Mia", "description": "a girl"}]},
                                               "shots": [{"id": "a", "visual_prompt": "x",
                                                          "candidates": [{"media": "a.mp4", "seed": 1,
                                                                          "render": {"backend": "ltx",
                                                                                     "cache_key": "0" * 32,
                                                                                     "width": 8, "height": 8}}]}]}}
    project = Project.model_validate(old)
    assert project.storyboard.bible.characters[0].reference_image is None
    assert project.shots[0].characters == () and project.shots[0].candidates[0].score is None
