"""What this machine can do: the doctor's report on this machine (no GPU), with a faked GPU probe, with a model folder
that is not what its setting says, and as the command prints it, without importing torch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from actions.machine import doctor as doctor_action
from pipelines.machine import doctor, parse_nvidia_smi, probe_gpus
from pipelines.services import Services
from studio.machine import Gpu, GpuProbe
from studio.models import Stage, Tier
from studio.settings import HubEnvironment, Settings

ROOT = Path(__file__).resolve().parent.parent
NO_GPU = GpuProbe((), "test")
H100 = GpuProbe((Gpu("NVIDIA H100 80GB HBM3", 81559),), "test")
RTX = GpuProbe((Gpu("NVIDIA GeForce RTX 4090", 24564),), "test")


@pytest.fixture
def hub(tmp_path: Path) -> HubEnvironment:
    return HubEnvironment(endpoint="http://127.0.0.1:9", cache_dir=tmp_path / "hf" / "hub", offline=True)


def settings_for(tmp_path: Path, **values: str) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data"), **values})


def test_without_a_gpu_it_drafts_and_says_what_would_change_that(tmp_path, hub):
    report = doctor(settings_for(tmp_path), hub, gpu_probe=lambda: NO_GPU)
    assert report.hardware.tier is Tier.CPU and report.hardware.gpu_line() == "no NVIDIA GPU"
    assert report.hardware.cpu_cores == os.cpu_count() and report.hardware.models_disk.path == hub.cache_dir
    assert report.hardware.models_disk.free_bytes, "free disk of the nearest folder that exists"
    assert [s.stage for s in report.stages] == list(Stage)
    script, video = report.stage(Stage.SCRIPT), report.stage(Stage.VIDEO)
    assert script.backend == "template" and "chat model" in script.missing
    assert script.action.startswith("python -m studio models download Qwen/Qwen2.5-1.5B-Instruct (3.1 GB)") or \
        "pip install" in script.action
    assert video.backend == "still (draft)" and "no NVIDIA GPU" in video.why
    assert video.action.startswith("run the studio on a machine with an NVIDIA GPU")
    transcription = report.stage(Stage.TRANSCRIPTION)  # faster-whisper is installed; the model is not here
    assert transcription.in_this_version and transcription.backend == "faster-whisper"
    assert transcription.action == "python -m studio models download Systran/faster-whisper-base"
    keyframes = report.stage(Stage.KEYFRAMES)  # on a CPU, keyframes are an opt-in (non-commercial SD-Turbo)
    assert keyframes.in_this_version and keyframes.backend == "none (text cards)"
    assert "`STUDIO_IMAGE_BACKEND=sd-turbo` (non-commercial weights" in keyframes.action
    voice = report.stage(Stage.VOICE)
    assert voice.in_this_version and "(zh)" in voice.backend and "(en)" in voice.backend
    assert report.stage(Stage.SCALE_OUT).backend == "this machine" and "STUDIO_RAY_ADDRESS" in \
        report.stage(Stage.SCALE_OUT).action
    assert report.stage(Stage.MUSIC).in_this_version and "CC0" in report.stage(Stage.MUSIC).why
    assert report.summary() == f"CPU drafts: still images; script: template; voice: {voice.backend}"
    text = "\n".join(report.lines())
    assert "no NVIDIA GPU" in text and "to get it: python -m studio models download" in text


def test_with_a_faked_gpu_and_cuda_torch_video_is_generated(tmp_path, hub):
    report = doctor(settings_for(tmp_path), hub, gpu_probe=lambda: H100, torch_probe=lambda: "2.13.0")
    assert report.hardware.tier is Tier.GPU_80GB
    assert report.hardware.gpu_line() == "NVIDIA H100 80GB HBM3 (80 GB) (from test)"
    video = report.stage(Stage.VIDEO)
    assert video.backend == "ltx" and "an NVIDIA GPU and torch 2.13.0" in video.why
    assert video.action == "python -m studio models download Lightricks/LTX-Video-0.9.7-distilled"
    assert "first shot downloads it" in video.missing
    assert report.summary().startswith("80 GB GPU: ltx video; script: ")


def test_a_gpu_that_torch_cannot_use_is_named_with_the_fix(tmp_path, hub):
    report = doctor(settings_for(tmp_path), hub, gpu_probe=lambda: RTX, torch_probe=lambda: "2.13.0+cpu")
    assert report.hardware.tier is Tier.GPU_24GB
    video = report.stage(Stage.VIDEO)
    assert video.backend == "still (draft)" and "torch 2.13.0+cpu cannot use it" in video.why
    assert video.action.startswith("install torch's CUDA build")
    none = doctor(settings_for(tmp_path), hub, gpu_probe=lambda: RTX, torch_probe=lambda: None)
    assert none.stage(Stage.VIDEO).action.startswith('install the model tier: pip install ".[gpu]"')


def test_a_model_folder_that_is_not_what_its_setting_says_is_named(tmp_path, hub):
    not_a_pipeline = tmp_path / "my-ltx"
    not_a_pipeline.mkdir()
    (not_a_pipeline / "config.json").write_text("{}")  # a transformers folder, not a diffusers pipeline
    settings = settings_for(tmp_path, STUDIO_LTX_MODEL=str(not_a_pipeline), STUDIO_VIDEO_BACKEND="ltx")
    video = doctor(settings, hub, gpu_probe=lambda: H100, torch_probe=lambda: "2.13.0").stage(Stage.VIDEO)
    assert video.why == "chosen (STUDIO_VIDEO_BACKEND)"
    assert f"{not_a_pipeline}: a folder without model_index.json" in video.found[0]
    assert video.action.startswith("point STUDIO_LTX_MODEL at a folder saved with save_pretrained")


def test_the_action_takes_an_injected_probe(tmp_path):
    services = Services(settings_for(tmp_path))
    assert doctor_action(services, gpu_probe=lambda: H100).hardware.tier is Tier.GPU_80GB


def test_nvidia_smi_lines_are_read_and_a_missing_driver_means_no_gpu(tmp_path):
    assert parse_nvidia_smi("NVIDIA H200, 143771\nNVIDIA A10G, [N/A]\n\n") == (
        Gpu("NVIDIA H200", 143771), Gpu("NVIDIA A10G", None))
    probe = probe_gpus(nvidia_smi=str(tmp_path / "no-nvidia-smi"), proc=tmp_path / "no-proc")
    assert probe.gpus == () and probe.tier is Tier.CPU
    proc = tmp_path / "proc" / "0000:01:00.0"
    proc.mkdir(parents=True)
    (proc / "information").write_text("Model: \t\t NVIDIA L4\nIRQ: 42\n")
    found = probe_gpus(nvidia_smi=str(tmp_path / "no-nvidia-smi"), proc=tmp_path / "proc")
    assert found.gpus == (Gpu("NVIDIA L4", None),) and found.tier is Tier.GPU_24GB


def test_the_command_prints_the_report_without_importing_torch(tmp_path):
    """``python -m studio doctor`` in a fresh process: the text, the JSON, and torch never imported."""
    env = {**os.environ, "STUDIO_DATA_DIR": str(tmp_path / "data"), "HF_HOME": str(tmp_path / "hf"),
           "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    code = ("import sys; from cli.main import main; rc = main(['doctor']); "
            "assert 'torch' not in sys.modules, 'torch was imported'; sys.exit(rc)")
    text = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert text.returncode == 0, text.stderr
    assert text.stdout.startswith("This machine\n  GPU:") and "\nStages\n" in text.stdout
    assert "Summary: " in text.stdout
    raw = subprocess.run([sys.executable, "-m", "studio", "doctor", "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    report = json.loads(raw.stdout)
    assert [s["stage"] for s in report["stages"]] == [s.value for s in Stage]
    assert report["hardware"]["models_disk"]["path"] == str(tmp_path / "hf" / "hub")
