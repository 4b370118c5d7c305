"""The ``qwen`` image backend on tiny random Qwen-Image and Qwen-Image-Edit-Plus pipelines (real diffusers and
transformers classes: MMDiT, Qwen VAE, Qwen2.5-VL text encoder with its vision tower), saved with
``save_pretrained`` and loaded through the product's loader: seeds, one load, the card's sizes and true CFG, the
character references that reach the edit model's transformer, and the refusals made before anything loads.

Where torchvision does not import (this project's CPU machines), transformers cannot load ``Qwen2VLProcessor``; the
``edit_ready`` fixture then hands diffusers the real processor class built from the saved folder
(``tests.helpers.tiny_image.qwen_vl_processor`` says why) and lets the backend past its torchvision check. The
check itself is tested on its own."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from pipelines.image import qwen  # noqa: E402
from pipelines.image.backends import family_of  # noqa: E402
from pipelines.image.contract import ImageOptions, ImageRequest, ReferenceMode  # noqa: E402
from pipelines.image.qwen import QwenImageBackend  # noqa: E402
from pipelines.services import Services  # noqa: E402
from studio.backends import ImageBackendName  # noqa: E402
from studio.errors import KeyframeError  # noqa: E402
from studio.settings import Settings  # noqa: E402
from tests.helpers.tiny_image import (  # noqa: E402
    disc,
    load_qwen_vl_processor,
    save_tiny_image_models,
    save_tiny_qwen_edit_plus,
    torchvision_usable,
)

RED, BLUE, GREEN, WHITE = (220, 30, 30), (30, 60, 220), (30, 200, 60), (240, 240, 240)
REQUEST = ImageRequest(prompt="Mia walks in the city at night", width=64, height=112, num_inference_steps=1, seed=5)


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("tiny-qwen")
    models = save_tiny_image_models(root, names=("qwen_image",))
    models["edit"] = save_tiny_qwen_edit_plus(root / "qwen_edit_plus")
    return models


def _services(tmp_path: Path, edit_model: str) -> Services:
    return Services(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data"),
                                       "STUDIO_QWEN_EDIT_MODEL": edit_model}))


@pytest.fixture
def services(tmp_path, tiny) -> Services:
    return _services(tmp_path, str(tiny["edit"]))


@pytest.fixture
def edit_ready(monkeypatch):
    if torchvision_usable():
        return
    from transformers import Qwen2VLProcessor

    monkeypatch.setattr(qwen, "torchvision_ready", lambda: True)
    monkeypatch.setattr(Qwen2VLProcessor, "from_pretrained",
                        classmethod(lambda cls, folder, *args, **kwargs: load_qwen_vl_processor(folder)))


def _calls(model) -> tuple[list[dict], object]:
    """Every call the transformer receives: its tensors (copied) and ``img_shapes``."""
    calls: list[dict] = []

    def hook(_module, _args, kwargs):
        calls.append({k: (v.detach().clone() if isinstance(v, torch.Tensor) else v) for k, v in kwargs.items()})

    return calls, model.register_forward_pre_hook(hook, with_kwargs=True)


def _draw(backend, pipe, request):
    calls, handle = _calls(pipe.transformer)
    try:
        result = backend(request)
    finally:
        handle.remove()
    return result, calls


# -- 1. text to image through the product's loader ---------------------------------------------------------------

def test_a_qwen_image_folder_loads_once_and_draws_the_same_picture_for_the_same_seed(tiny, services):
    backend = services.image.backend(ImageOptions(model=str(tiny["qwen_image"])))  # auto: from model_index.json
    assert isinstance(backend, QwenImageBackend) and backend.references is ReferenceMode.EDITING
    request = REQUEST.with_(num_inference_steps=2)
    first, again, other = backend(request), backend(request), backend(request.with_(seed=6))
    assert first.image.size == (64, 112) and first.image.mode == "RGB" and first.backend == "qwen"
    assert np.array_equal(np.asarray(first.image), np.asarray(again.image))
    assert not np.array_equal(np.asarray(first.image), np.asarray(other.image))
    assert services.video.pipelines.loads == 1  # the edit model is not loaded for shots without references


def test_guidance_is_true_cfg_with_a_negative_prompt_as_the_card_runs_it(tiny, services):
    backend = services.image.backend(ImageOptions(model=str(tiny["qwen_image"])))
    pipe = backend.pipeline()
    _, guided = _draw(backend, pipe, REQUEST)  # default 4.0: a conditional and an unconditional pass per step
    assert len(guided) == 2
    assert guided[0]["encoder_hidden_states"].shape != guided[1]["encoder_hidden_states"].shape  # prompt vs " "
    _, negative = _draw(backend, pipe, REQUEST.with_(negative_prompt="blurry dark city"))
    assert len(negative) == 2
    assert negative[1]["encoder_hidden_states"].shape[1] > guided[1]["encoder_hidden_states"].shape[1]
    _, plain = _draw(backend, pipe, REQUEST.with_(guidance_scale=1.0))  # true CFG off: one pass
    assert len(plain) == 1


def test_keyframes_are_the_cards_928x1664_at_9_16_and_other_sizes_round_to_16(tiny, services):
    backend = services.image.backend(ImageOptions(model=str(tiny["qwen_image"])))
    defaults = backend.defaults((1080, 1920))
    assert (defaults.width, defaults.height, defaults.steps, defaults.guidance_scale) == (928, 1664, 50, 4.0)
    rounded, notes = backend.check_inputs(REQUEST.with_(width=930, height=1660))
    assert (rounded.width, rounded.height) == (928, 1664)
    assert notes == ("Qwen-Image: size 930x1660 -> 928x1664 (multiples of 16)",)


def test_a_qwen_image_folder_or_hub_id_picks_the_qwen_family(tiny):
    assert family_of(str(tiny["qwen_image"])) is ImageBackendName.QWEN
    assert family_of("Qwen/Qwen-Image") is ImageBackendName.QWEN


# -- 2. references through Qwen-Image-Edit-Plus ------------------------------------------------------------------

def test_character_references_reach_the_edit_models_transformer(tiny, services, edit_ready):
    backend = services.image.backend(ImageOptions(backend="qwen", model=str(tiny["qwen_image"])))
    _, text_only = _draw(backend, backend.pipeline(), REQUEST)
    edit = backend.edit_pipeline()
    assert type(edit).__name__ == "QwenImageEditPlusPipeline" and edit is not backend.pipeline()
    seen = {}
    for label, refs, guidance in (("red", (disc(RED),), None), ("blue", (disc(BLUE),), None),
                                  ("two", (disc(RED), disc(BLUE)), 1.0)):  # 1.0: one pass, the cheaper call
        result, calls = _draw(backend, edit, REQUEST.with_(references=refs, guidance_scale=guidance))
        assert result.image.size == (64, 112) and result.notes == ()  # the keyframe's size, not the reference's
        seen[label] = calls[0]
    assert services.video.pipelines.loads == 2  # the keyframe model and the edit model, each once
    # each reference adds its latent tokens and its shape: (1, 7, 4) is the 64x112 keyframe, the rest references
    assert text_only[0]["img_shapes"] == [[(1, 7, 4)]]
    assert len(seen["red"]["img_shapes"][0]) == 2 and len(seen["two"]["img_shapes"][0]) == 3
    keyframe_tokens = text_only[0]["hidden_states"].shape[1]
    assert seen["red"]["hidden_states"].shape[1] > keyframe_tokens
    assert seen["two"]["hidden_states"].shape[1] > seen["red"]["hidden_states"].shape[1]
    # a different picture changes what the transformer reads: its latent tokens and the text encoder's view of it
    assert seen["red"]["hidden_states"].shape == seen["blue"]["hidden_states"].shape
    ref_tokens = slice(keyframe_tokens, None)
    assert (seen["red"]["hidden_states"][:, ref_tokens] - seen["blue"]["hidden_states"][:, ref_tokens]).abs().max() \
        > 1e-3
    noise = slice(0, keyframe_tokens)  # the keyframe's own noise is the seed's, whatever the reference
    assert torch.equal(seen["red"]["hidden_states"][:, noise], seen["blue"]["hidden_states"][:, noise])
    assert (seen["red"]["encoder_hidden_states"] - seen["blue"]["encoder_hidden_states"]).abs().max() > 1e-4


def test_more_than_three_references_uses_the_first_three_with_a_note(tiny, services, edit_ready):
    backend = services.image.backend(ImageOptions(backend="qwen", model=str(tiny["qwen_image"])))
    refs = tuple(disc(c) for c in (RED, BLUE, GREEN, WHITE))
    result, calls = _draw(backend, backend.edit_pipeline(), REQUEST.with_(references=refs, guidance_scale=1.0))
    assert result.notes == ("Qwen-Image: the shot shows 4 characters; the first 3 references are used",)
    assert len(calls[0]["img_shapes"][0]) == 1 + 3


def test_the_edit_model_is_part_of_the_keyframes_identity(tiny, services, tmp_path):
    copy = shutil.copytree(tiny["edit"], tmp_path / "another-edit")
    one = services.image.backend(ImageOptions(model=str(tiny["qwen_image"]))).cache_identity()
    other = _services(tmp_path, str(copy)).image.backend(ImageOptions(model=str(tiny["qwen_image"]))).cache_identity()
    assert one["model"] == other["model"] and one["edit_model"] != other["edit_model"]


# -- 3. refusals, before anything loads -------------------------------------------------------------------------

def test_an_edit_model_named_as_the_keyframe_model_is_refused_in_one_sentence(tiny, services):
    for options in (ImageOptions(model=str(tiny["edit"])), ImageOptions(backend="qwen", model=str(tiny["edit"]))):
        with pytest.raises(KeyframeError) as err:
            services.image.backend(options)
        message = str(err.value)
        assert "Qwen-Image-Edit" in message and "STUDIO_QWEN_EDIT_MODEL" in message
        assert message.startswith("the keyframe model is a Qwen-Image-Edit model") and ". " not in message
        assert str(tiny["edit"]) not in message
    assert services.video.pipelines.loads == 0


def test_an_edit_setting_that_names_a_text_to_image_model_is_refused(tiny, tmp_path):
    services = _services(tmp_path, str(tiny["qwen_image"]))
    with pytest.raises(KeyframeError, match="STUDIO_QWEN_EDIT_MODEL names a QwenImagePipeline"):
        services.image.backend(ImageOptions(model=str(tiny["qwen_image"])))


@pytest.mark.skipif(torch.cuda.is_available(), reason="the CPU size refusal")
def test_on_a_cpu_an_edit_model_that_is_not_here_is_refused_before_loading(tiny, tmp_path):
    services = _services(tmp_path, "Qwen/Qwen-Image-Edit-2509")
    with pytest.raises(KeyframeError, match="needs a CUDA GPU for Qwen/Qwen-Image-Edit-2509"):
        services.image.backend(ImageOptions(model=str(tiny["qwen_image"])))
    assert services.video.pipelines.loads == 0


def test_without_torchvision_a_shot_with_references_is_refused_before_the_edit_model_loads(tiny, services,
                                                                                            monkeypatch):
    backend = services.image.backend(ImageOptions(model=str(tiny["qwen_image"])))
    monkeypatch.setitem(sys.modules, "torchvision", None)  # import fails, as where it is absent
    with pytest.raises(KeyframeError, match="needs the torchvision package"):
        backend(REQUEST.with_(references=(disc(RED),)))
    assert services.video.pipelines.loads == 0
