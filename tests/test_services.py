"""Services are held once per process: however many storyboards, prompts and batch items use the local script
model, its weights load once; the video backends of one process share one set of loaded pipelines."""

from __future__ import annotations

import json

import actions
from pipelines.batch import BatchDefaults
from pipelines.make import MakeOptions
from pipelines.script.contract import ScriptRequest
from pipelines.services import Services
from pipelines.video.contract import VideoOptions, VideoTask
from studio.backends import ScriptBackendName, VideoBackendName
from studio.project.presets import PresetName
from studio.settings import Settings


def test_two_storyboards_an_enhance_and_a_three_item_batch_load_the_script_model_once(tiny_chat_model, tmp_path,
                                                                                       monkeypatch):
    import transformers

    loads = []
    real = transformers.AutoModelForCausalLM.from_pretrained.__func__

    def counting(cls, *args, **kwargs):
        loads.append(args[0] if args else kwargs.get("pretrained_model_name_or_path"))
        return real(cls, *args, **kwargs)

    monkeypatch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", classmethod(counting))
    services = Services(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data"),
                                           "STUDIO_SCRIPT_MODEL": str(tiny_chat_model),
                                           "STUDIO_SCRIPT_BACKEND": "local", "STUDIO_VIDEO_BACKEND": "still"}))
    request = ScriptRequest(idea="A paper boat sails down a rainy street", seconds=15, shots=3, seed=5)

    first = actions.write_storyboard(services, request)
    second = actions.write_storyboard(services, ScriptRequest(idea="一只猫在海边", seconds=15, shots=3))
    enhanced = actions.enhance_prompt(services, "a cat surfs a wave", second.project.storyboard.bible)
    batch = actions.batch(services, "A kite over the dunes\nA lantern festival\nA fox in the snow", tmp_path / "out",
                          defaults=BatchDefaults(request=ScriptRequest(idea="", seconds=15, preset=PresetName.DRAFT),
                                                 options=MakeOptions(script_backend=ScriptBackendName.LOCAL)),
                          video=VideoOptions(backend=VideoBackendName.STILL))

    assert first.script.backend_used is second.script.backend_used is enhanced.backend_used is ScriptBackendName.LOCAL
    assert len(first.project.shots) == 3 and len(second.project.shots) == 3
    assert [item.status.value for item in batch.items] == ["ok", "ok", "ok"]
    notes = [json.loads((batch.out_dir / item.item.slug / "batch-item.json").read_text())
             for item in batch.items]
    assert all(n["made_with"]["options"]["script_backend"] == "local" for n in notes), "the batch used the model"
    assert loads == [str(tiny_chat_model)], f"the script model loaded {len(loads)} times"
    assert services.scripts.writer(ScriptBackendName.LOCAL).loads == 1


def test_backends_built_by_one_service_share_its_loaded_pipelines(tiny_ltx, tmp_path):
    services = Services(Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_VISITOR_MODELS": "hub"}))
    options = VideoOptions(backend=VideoBackendName.LTX, model=str(tiny_ltx))
    one, two = services.video.backend(options), services.video.backend(options)
    assert one.registry is two.registry is services.video.pipelines
    assert one.pipeline(VideoTask.TEXT) is two.pipeline(VideoTask.TEXT)
    assert one.pipeline(VideoTask.IMAGE) is two.pipeline(VideoTask.IMAGE)
    assert services.video.pipelines.loads == 1  # text and image pipelines share one set of weights
