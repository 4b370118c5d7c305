"""The whole keyframes-first path on tiny random models, the way a creator walks it: one idea with a named character
-> the character sheet -> a keyframe per shot drawn with that character as reference -> takes animated by LTX from
the keyframe -> the takes scored by a CLIP model and the best kept -> the composed MP4.

Random weights draw noise: each step's product is checked by what it is made of and what it is fed (files, sizes,
the reference tokens at the image model's denoiser, the keyframe's pixels at the video model's encoder, scores
and the choice they make), never by how it looks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from PIL import Image  # noqa: E402

import actions  # noqa: E402
from pipelines.image.contract import ImageOptions, ReferenceMode  # noqa: E402
from pipelines.keyframes import make_character_sheet, make_keyframes, pixel_digest, render_takes  # noqa: E402
from pipelines.make import MakeOptions  # noqa: E402
from pipelines.script.contract import ScriptRequest  # noqa: E402
from pipelines.services import Services  # noqa: E402
from pipelines.video.contract import VideoOptions  # noqa: E402
from studio.backends import ScriptBackendName  # noqa: E402
from studio.project.files import resolve_media  # noqa: E402
from studio.project.model import Bible, BibleEntry, ShotSource  # noqa: E402
from studio.project.presets import PresetName, get_preset  # noqa: E402
from studio.settings import Settings  # noqa: E402
from tests.helpers.tiny_image import save_tiny_clip, save_tiny_image_models  # noqa: E402
from tests.helpers.tiny_video import save_tiny_models  # noqa: E402
from ui.cards import shot_cards  # noqa: E402
from ui.i18n import EN, ZH  # noqa: E402
from ui.shots import take_caption  # noqa: E402

IDEA = "Mia, a girl in a red coat, finds a lost robot in the rain"
KEYFRAME = dict(width=64, height=112, steps=1)  # the smallest the tiny FLUX.2-klein draws at 9:16
VIDEO = dict(backend="ltx", width=32, height=64, frames=9, steps=1)  # LTX: sides of 32, 8k+1 frames
TAKES = 2


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("path-models")
    return {"klein": save_tiny_image_models(root / "image", names=("flux2_klein",))["flux2_klein"],
            "ltx": save_tiny_models(root / "video", names=("ltx",))["ltx"],
            "clip": save_tiny_clip(root / "clip")}


def _record_calls(monkeypatch, cls, method: str) -> list:
    """Record the input (first argument, or ``hidden_states``) of every call of ``cls.method``, whichever pipeline
    makes it."""
    seen: list = []
    original = getattr(cls, method)

    def recording(self, *args, **kwargs):
        seen.append((args[0] if args else kwargs["hidden_states"]).detach().clone())
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, method, recording)
    return seen


def _ffprobe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def test_idea_to_mp4_through_sheet_keyframes_takes_ranking_and_image_to_video(models, tmp_path, monkeypatch):
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data"),
                                  "STUDIO_SCORER_MODEL": str(models["clip"]), "STUDIO_LTX_MODEL": str(models["ltx"])})
    services = Services(settings)
    root = tmp_path / "project"
    root.mkdir()

    # 1. the idea becomes a storyboard (short shots, to compose fast); its named character gets a bible entry;
    #    the last shot shows no one
    request = ScriptRequest(idea=IDEA, seconds=15, shots=3, seed=7)
    written = actions.write_storyboard(services, request, MakeOptions(script_backend=ScriptBackendName.TEMPLATE,
                                                                      voice=None)).project
    shots = [s.model_copy(update={"characters": ("Mia",) if i < 2 else (), "duration_ms": 1000, "visual_prompt": (
        "Mia looks up at the robot" if i < 2 else "the empty street in the rain")})
        for i, s in enumerate(written.shots[:3])]
    assert len(shots) == 3, "the template writer gives the three shots asked for"
    bible = Bible(characters=(BibleEntry(name="Mia", description="a girl in a red coat"),), look="soft rain")
    project = written.with_shots(shots)
    project = project.model_copy(update={"storyboard": project.storyboard.model_copy(update={"bible": bible})})

    # 2. the character sheet: Mia's reference picture is drawn into the project folder
    image = ImageOptions(model=str(models["klein"]), **KEYFRAME)
    sheet = make_character_sheet(project, root, image, services)
    reference = sheet.project.storyboard.bible.characters[0].reference_image
    assert sheet.made == ("Mia",) and reference.startswith("characters/")
    assert Image.open(root / reference).size == (64, 112)

    # 3. a keyframe per shot, with Mia's picture as reference tokens at the denoiser of the shots she is in
    backend = services.image.backend(image)
    assert backend.references is ReferenceMode.EDITING
    with monkeypatch.context() as patch:
        fed = _record_calls(patch, type(backend.pipeline().transformer), "forward")
        made = make_keyframes(sheet.project, root, image, services)
    assert [o.status for o in made.outcomes] == ["generated"] * 3 and len(fed) == 3  # one step per keyframe
    tokens = [f.shape[1] for f in fed]
    assert tokens[0] == tokens[1] > tokens[2], f"Mia's reference should add tokens to shots 1-2 only: {tokens}"
    for shot, outcome in zip(made.project.shots, made.outcomes, strict=True):
        assert shot.source is ShotSource.IMAGE and shot.source_media == outcome.media
        assert shot.source_media.startswith("keyframes/") and (root / shot.source_media).is_file()

    # 4. takes: LTX animates each shot's keyframe (its pixels are what the video encoder gets), scored, best kept
    from diffusers import AutoencoderKLLTXVideo

    encoded = _record_calls(monkeypatch, AutoencoderKLLTXVideo, "encode")
    video = VideoOptions(model=str(models["ltx"]), **VIDEO)
    project = made.project
    for index, shot in enumerate(made.project.shots):
        before = len(encoded)
        result = render_takes(project, root, shot.id, TAKES, video, services)
        project = result.project
        kept = project.shots[index]
        assert result.backend == "ltx" and not result.draft
        assert len(kept.candidates) == TAKES and len({c.seed for c in kept.candidates}) == TAKES
        combined = [c.score.combined for c in kept.candidates]
        assert all(c.score.scorer == str(models["clip"]) for c in kept.candidates)
        assert (kept.candidates[0].score.consistency is None) == (index == 2)  # likeness only where Mia is
        assert result.chosen == combined.index(max(combined)) and kept.media == kept.candidates[result.chosen].media
        assert kept.source_media == shot.source_media  # the takes animate the keyframe; it stays the source
        first = encoded[before][0, :, 0].permute(1, 2, 0).float().numpy()  # (H, W, 3) in [-1, 1]
        keyframe = Image.open(root / shot.source_media).convert("RGB").resize((first.shape[1], first.shape[0]),
                                                                               Image.Resampling.BILINEAR)
        expected = np.asarray(keyframe, dtype=np.float32) / 127.5 - 1
        other = np.asarray(Image.open(root / made.project.shots[(index + 1) % 3].source_media).convert("RGB")
                           .resize(keyframe.size, Image.Resampling.BILINEAR), dtype=np.float32) / 127.5 - 1
        assert np.abs(first - expected).mean() < min(0.06, np.abs(first - other).mean() / 2)

    # 5. what the creator sees: a card per shot showing its keyframe, and each take's caption with its scores
    for words, rendered, takes in ((EN, "rendered", f"{TAKES} takes"), (ZH, "已生成", f"{TAKES} 个版本")):
        cards = shot_cards(project, root, settings, words)
        assert [picture for picture, _ in cards] == [str(resolve_media(s.source_media, root)) for s in project.shots]
        assert all(rendered in caption and takes in caption for _, caption in cards)
    clip_only = project.with_shots([s.model_copy(update={"source": None, "source_media": None})
                                    for s in project.shots[:1]])
    (first_frame, _), = shot_cards(clip_only, root, settings)  # no keyframe: the first frame of the kept clip
    assert isinstance(first_frame, Image.Image) and first_frame.size[1] == 2 * first_frame.size[0]  # LTX's 32x64
    kept = project.shots[0]
    best = next(c for c in kept.candidates if c.media == kept.media)
    assert take_caption(best, True).startswith("★ ") and f"score {best.score.combined:+.2f}" in take_caption(best)
    assert f"likeness {best.score.consistency:.2f}" in take_caption(best)
    assert "likeness —" in take_caption(project.shots[2].candidates[0])  # no one to be alike in the last shot

    # 6. compose: the kept takes become the draft MP4 at the draft preset's size
    out = tmp_path / "story.mp4"
    actions.compose_project(services, project, root, out, draft=True)
    streams = _ffprobe(out)["streams"]
    picture = next(s for s in streams if s["codec_type"] == "video")
    preset = get_preset(PresetName.DRAFT)
    assert out.is_file() and (picture["width"], picture["height"]) == (preset.width, preset.height)
    assert picture["codec_name"] == "h264"
    assert pixel_digest(Image.open(root / project.storyboard.bible.characters[0].reference_image)) == \
        pixel_digest(Image.open(root / reference))  # the sheet is unchanged by everything after it
