"""LTX and Wan backends on tiny random pipelines saved with save_pretrained and loaded by the product's loader."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from cli.main import main  # noqa: E402
from pipelines.services import Services  # noqa: E402
from pipelines.shots import (  # noqa: E402
    VideoOptions,
    bridge_shots,
    choose_variation,
    extend_shot,
    render_shots,
    render_variations,
)
from pipelines.video.contract import VideoRequest, VideoTask  # noqa: E402
from pipelines.video.ltx import LTXVideoBackend  # noqa: E402
from pipelines.video.runtime import DevicePolicy, check_device_allows  # noqa: E402
from studio.errors import GenerationError, RenderCancelled  # noqa: E402
from studio.project.files import load_project, save_project  # noqa: E402
from studio.project.model import Project, Shot, ShotSource  # noqa: E402
from studio.settings import Settings  # noqa: E402
from tests.helpers.media import make_clip, make_image  # noqa: E402
from tests.helpers.tiny_video import save_tiny_models  # noqa: E402

CPU = DevicePolicy("cpu", "float32", cpu_offload=False, vae_tiling=False)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory) -> dict[str, Path]:
    return save_tiny_models(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture()
def settings(tmp_path) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture
def services(settings) -> Services:
    return Services(settings)


def _ltx(tiny, **kw) -> VideoOptions:
    return VideoOptions(**{"backend": "ltx", "model": str(tiny["ltx"]), "width": 32, "height": 32, "frames": 9,
                           "steps": 2, **kw})


def _wan(tiny, **kw) -> VideoOptions:
    return VideoOptions(backend="wan", model=str(tiny["wan_t2v"]), image_model=str(tiny["wan_i2v"]),
                        bridge_model=str(tiny["wan_flf2v"]), width=16, height=16, frames=9, steps=2, **kw)


def _probe(path: Path) -> dict:
    out = subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
                          "stream=width,height,nb_read_frames", "-of", "json", str(path)],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)["streams"][0]


def test_ltx_same_seed_same_frames_other_seed_other_frames(tiny):
    backend = LTXVideoBackend(str(tiny["ltx"]), CPU)
    request = VideoRequest(task=VideoTask.TEXT, prompt="a red fox", width=32, height=32, num_frames=9,
                           num_inference_steps=2, seed=3)
    a, b = backend(request), backend(request)
    c = backend(request.with_(seed=4))
    assert len(a.frames) == 9 and a.frames[0].size == (32, 32)
    assert all(np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(a.frames, b.frames, strict=True))
    assert not np.array_equal(np.asarray(a.frames[4]), np.asarray(c.frames[4]))


def test_check_inputs_rounds_to_the_model_and_says_so(tiny, caplog):
    backend = LTXVideoBackend(str(tiny["ltx"]), CPU)
    request = VideoRequest(task=VideoTask.TEXT, prompt="fox", width=40, height=70, num_frames=12)
    with caplog.at_level("INFO", logger="pipelines.video"):
        rounded, notes = backend.check_inputs(request)
    assert (rounded.width, rounded.height, rounded.num_frames) == (32, 64, 9)
    assert "40x70 -> 32x64" in caplog.text and "frames 12 -> 9" in caplog.text and len(notes) == 2
    with pytest.raises(ValueError, match="num_frames must be a positive integer, got 0"):
        backend.check_inputs(request.with_(num_frames=0))


def test_ltx_text_image_previous_and_bridge_shots_with_cache_and_one_load(tiny, tmp_path, settings, services):
    photo = make_image(tmp_path / "me.png", (64, 64), (200, 40, 40))
    shots = [Shot(id="t", visual_prompt="a red fox", seed=1),
             Shot(id="i", source=ShotSource.IMAGE, source_media=str(photo), visual_prompt="fox runs", seed=2),
             Shot(id="p", source=ShotSource.PREVIOUS, visual_prompt="close up", seed=3),
             Shot(id="b", source=ShotSource.BRIDGE, visual_prompt="then", seed=4),
             Shot(id="e", visual_prompt="sea", seed=5)]
    loads = services.video.pipelines.loads
    first = render_shots(Project().with_shots(shots), tmp_path, _ltx(tiny), services)
    assert first.generated == ["t", "i", "p", "b", "e"]
    assert services.video.pipelines.loads - loads <= 1  # text, image and condition pipelines share one set of weights
    for shot in first.project.shots:
        assert shot.render.backend == "ltx" and not shot.render.draft
        assert _probe(tmp_path / shot.media) == {"width": 32, "height": 32, "nb_read_frames": "9"}
    again = render_shots(first.project, tmp_path, _ltx(tiny), services)
    assert again.generated == [] and sorted(again.cached) == sorted(s.id for s in shots)


def test_chaining_feeds_the_previous_shots_exact_last_frame(tiny, tmp_path, settings, services, monkeypatch):
    from PIL import Image

    seen = []
    original = LTXVideoBackend.__call__

    def spy(self, request, **kw):
        seen.append(request)
        return original(self, request, **kw)

    monkeypatch.setattr(LTXVideoBackend, "__call__", spy)
    shots = [Shot(id="a", visual_prompt="a red fox", seed=1),
             Shot(id="b", source=ShotSource.PREVIOUS, visual_prompt="fox runs", seed=2)]
    result = render_shots(Project().with_shots(shots), tmp_path, _ltx(tiny), services)
    key = result.project.shots[0].render.cache_key
    with Image.open(settings.shot_cache_dir / key[:2] / f"{key}.last.png") as last:
        expected = np.asarray(last.convert("RGB"))
    assert seen[1].task is VideoTask.IMAGE and np.array_equal(np.asarray(seen[1].image), expected)


def test_cancel_between_steps_writes_nothing(tiny, tmp_path, settings, services):
    steps = []
    with pytest.raises(RenderCancelled, match="after step 1 of 2"):
        render_shots(Project().with_shots([Shot(visual_prompt="fox", seed=1)]), tmp_path, _ltx(tiny), services,
                     progress=lambda e: steps.append(e.step), cancel=lambda: bool(steps))
    assert steps == [1]
    assert not list(settings.shot_cache_dir.rglob("*.mp4")) and not (tmp_path / "shots").exists()


def test_variations_extend_and_bridge(tiny, tmp_path, settings, services):
    project = Project().with_shots([Shot(id="a", visual_prompt="fox", seed=10), Shot(id="z", visual_prompt="sea")])
    varied = render_variations(project, tmp_path, "a", 2, _ltx(tiny), services)
    shot = varied.project.shots[0]
    assert [c.seed for c in shot.candidates] == [10, 11] and shot.candidates[0].media != shot.candidates[1].media
    chosen = choose_variation(varied.project, "a", 1)
    assert chosen.shots[0].seed == 11 and chosen.shots[0].media == shot.candidates[1].media

    longer = extend_shot(chosen, tmp_path, "a", seconds=0.5, options=_ltx(tiny, frames=None), services=services)
    extended = longer.project.shots[0]
    assert extended.render.num_frames > 9 and extended.source is None
    assert int(_probe(tmp_path / extended.media)["nb_read_frames"]) == extended.render.num_frames

    rendered = render_shots(longer.project, tmp_path, _ltx(tiny), services).project
    bridged = bridge_shots(rendered, tmp_path, "a", _ltx(tiny), services)
    assert [s.source for s in bridged.project.shots] == [None, ShotSource.BRIDGE, ShotSource.TEXT]
    assert bridged.generated == [bridged.project.shots[1].id]


def test_wan_text_image_bridge_and_restyle(tiny, tmp_path, settings, services):
    photo = make_image(tmp_path / "me.png", (48, 48), (20, 120, 200))
    clip = make_clip(tmp_path / "clip.mp4", seconds=1.0, size=(64, 64), fps=16, with_audio=False)
    shots = [Shot(id="t", visual_prompt="a red fox", seed=1),
             Shot(id="i", source=ShotSource.IMAGE, source_media=str(photo), visual_prompt="fox", seed=2),
             Shot(id="b", source=ShotSource.BRIDGE, visual_prompt="then", seed=3),
             Shot(id="c", source=ShotSource.CLIP, source_media=str(clip), visual_prompt="red style", seed=4)]
    result = render_shots(Project().with_shots(shots), tmp_path, _wan(tiny), services)
    assert sorted(result.generated) == ["b", "c", "i", "t"]
    for shot in result.project.shots:
        info = _probe(tmp_path / shot.media)
        assert (info["width"], info["height"]) == (16, 16) and int(info["nb_read_frames"]) == 9
    # the text model cannot do image shots: a clear refusal, not a shape error
    wrong = VideoOptions(backend="wan", model=str(tiny["wan_t2v"]), width=16, height=16, frames=9, steps=2)
    with pytest.raises(GenerationError, match="text-only Wan model"):
        render_shots(Project().with_shots([shots[1]]), tmp_path, wrong, services)


def test_cpu_refuses_real_size_models_and_points_at_the_draft(tmp_path, settings):
    big = tmp_path / "big-model"
    (big / "transformer").mkdir(parents=True)
    with open(big / "transformer" / "diffusion_pytorch_model.safetensors", "wb") as handle:
        handle.truncate(600 * 2**20)  # sparse: 600 MB on paper, nothing on disk
    for model in (str(big), "Lightricks/LTX-Video-not-cached-here"):
        with pytest.raises(GenerationError, match="--video-backend still"):
            check_device_allows(model, CPU, settings, "LTX")


def test_cli_render_generates_saves_and_then_reuses(tiny, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    project_file = tmp_path / "p.project.json"
    save_project(Project(preset="draft").with_shots([Shot(visual_prompt="a red fox", caption="hi", seed=7)]),
                 project_file)
    args = ["render", str(project_file), "--video-backend", "ltx", "--video-model", str(tiny["ltx"]),
            "--video-size", "32x32", "--frames", "9", "--steps", "2", "-o", str(tmp_path / "out.mp4")]
    assert main(args) == 0, capsys.readouterr().err
    assert "1 generated, 0 from the cache" in capsys.readouterr().out
    saved, _ = load_project(project_file)
    assert saved.shots[0].media.startswith("p.project.media/shots/") and saved.shots[0].render.backend == "ltx"
    assert _probe(tmp_path / "out.mp4")["width"] == 540
    assert main(args) == 0
    assert "generated" not in capsys.readouterr().out  # nothing changed: the project is not rewritten
    with pytest.raises(SystemExit) as exited:
        main([*args[:-2], "--video-size", "32by32", "-o", str(tmp_path / "x.mp4")])
    assert exited.value.code == 2 and "--video-size must look like 576x1024" in capsys.readouterr().err
