"""Benchmark: one CPU draft keyframe and the scoring of 4 takes, on the real architectures with random weights.

Run ``.venv/bin/python bench/keyframes.py [--threads 2] [--write]``. A benchmark, not a test: it prints, never
raises on a slow number. ``--write`` puts the table into bench/RESULTS.md between the keyframes markers.

1. **K** one SD-Turbo keyframe at 512x896, 1 step, guidance 0, decoded by TAESD, through the product's own
   ``SDTurboBackend`` (``pipelines.image.sd``): the SD 2.1 UNet (865 M parameters), the OpenCLIP-H text tower
   and ``AutoencoderTiny`` built from their published configs with random weights (the compute is the same as
   with trained weights; the picture is noise). The pipeline is handed to the process's ``PipelineRegistry``
   in memory instead of being saved and loaded (5 GB through ``save_pretrained`` would time the disk, not the
   model). Published reference: 7.8 s on a 12-core desktop (fastsdcpu README, PyTorch, 512x512).
2. **S** scoring 4 takes of a 5 s shot: 4 MP4s (576x1024, 24 fps) -> 4 frames each decoded by
   ``pipelines.scoring.take_frames`` -> ``score_take`` against a reference picture and the prompt with the
   ``openai/clip-vit-base-patch32`` architecture (151 M, random weights, saved and loaded through ``Embedder``)
   -> ``rank_takes``. Timed warm (the model loaded once per process, as ``Services.scorers`` holds it).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

MODEL_ID = "bench/sd-turbo-random"  # a hub-shaped name that is never fetched: the pipeline is put in the registry


def _random(module, std: float = 0.02):
    """Materialise a meta-device module with N(0, std) weights: fast, and free of the NaNs or denormals that would
    distort CPU timings."""
    import torch

    module.to_empty(device="cpu")
    with torch.no_grad():
        for p in module.parameters():
            p.normal_(0.0, std)
        for b in module.buffers():
            if b.is_floating_point():
                b.zero_()
    return module.eval()


def sd_turbo_pipeline():
    """StableDiffusionPipeline with stabilityai/sd-turbo's component configs, random weights."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from tests.helpers.tiny_image import clip_tokenizer

    with torch.device("meta"):
        unet = UNet2DConditionModel(
            sample_size=64, in_channels=4, out_channels=4, layers_per_block=2,
            block_out_channels=(320, 640, 1280, 1280), attention_head_dim=(5, 10, 20, 20), cross_attention_dim=1024,
            use_linear_projection=True, down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
            up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3)
        text = CLIPTextModel(CLIPTextConfig(vocab_size=49408, hidden_size=1024, intermediate_size=4096,
                                            num_hidden_layers=23, num_attention_heads=16, hidden_act="gelu",
                                            projection_dim=1024, bos_token_id=0, eos_token_id=1, pad_token_id=1))
        vae = AutoencoderKL(in_channels=3, out_channels=3, latent_channels=4, layers_per_block=2,
                            block_out_channels=(128, 256, 512, 512), down_block_types=("DownEncoderBlock2D",) * 4,
                            up_block_types=("UpDecoderBlock2D",) * 4)
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       timestep_spacing="trailing", steps_offset=1)
    pipe = StableDiffusionPipeline(unet=_random(unet), vae=_random(vae), text_encoder=_random(text),
                                   tokenizer=clip_tokenizer(), scheduler=scheduler, safety_checker=None,
                                   feature_extractor=None, image_encoder=None, requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def bench_keyframe(tmp: Path) -> tuple[float, float, dict]:
    from diffusers import AutoencoderTiny

    from pipelines.image.contract import ImageOptions, ImageRequest
    from pipelines.image.sd import SDTurboBackend
    from pipelines.video.runtime import PipelineRegistry, device_policy
    from studio.settings import Settings

    t0 = time.perf_counter()
    pipe = sd_turbo_pipeline()
    taesd = tmp / "taesd"
    AutoencoderTiny().save_pretrained(taesd)  # the default config is madebyollin/taesd's
    built = time.perf_counter() - t0
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp / "data")})
    registry = PipelineRegistry()
    policy = device_policy(settings)
    registry._pipes[(MODEL_ID, "StableDiffusionPipeline", policy.dtype_name)] = pipe
    backend = SDTurboBackend(MODEL_ID, policy, registry, ImageOptions(tiny_decoder=str(taesd)),
                             "StableDiffusionPipeline")
    request = ImageRequest(prompt="a girl in a red coat walks through the night city, cinematic", width=512,
                           height=896, num_inference_steps=1, seed=0)
    t0 = time.perf_counter()
    result = backend(request)
    took = time.perf_counter() - t0
    params = {"unet": sum(p.numel() for p in pipe.unet.parameters()),
              "text": sum(p.numel() for p in pipe.text_encoder.parameters()),
              "decoder": sum(p.numel() for p in backend.pipeline().vae.parameters()),
              "decoder_class": type(backend.pipeline().vae).__name__, "size": result.image.size}
    return built, took, params


def _clip_folder(tmp: Path) -> Path:
    """The openai/clip-vit-base-patch32 architecture (CLIPConfig's defaults) with random weights, and a processor."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    from tests.helpers.tiny_image import clip_tokenizer

    folder = tmp / "clip-b32"
    config = CLIPConfig(text_config={"vocab_size": 49408, "bos_token_id": 0, "eos_token_id": 1, "pad_token_id": 1},
                        vision_config={})
    torch.manual_seed(0)
    CLIPModel(config).eval().save_pretrained(folder)
    CLIPProcessor(image_processor=CLIPImageProcessor(), tokenizer=clip_tokenizer()).save_pretrained(folder)
    return folder


def _takes(tmp: Path, settings) -> list[Path]:
    clips = []
    for i in range(4):
        path = tmp / f"take{i}.mp4"
        subprocess.run([settings.ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i",
                        f"testsrc2=size=576x1024:rate=24:duration=5,hue=h={i * 40}", "-pix_fmt", "yuv420p",
                        "-c:v", "libx264", "-preset", "veryfast", str(path)], check=True)
        clips.append(path)
    return clips


def bench_scoring(tmp: Path, repeat: int) -> tuple[list[float], int]:
    from pipelines.scoring import Embedder, rank_takes, score_take, take_frames
    from studio.settings import Settings
    from tests.helpers.tiny_image import disc

    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp / "data")})
    embedder = Embedder(str(_clip_folder(tmp)))
    params = sum(p.numel() for p in embedder.model.parameters())
    clips = _takes(tmp, settings)
    reference = disc((220, 30, 30), size=(512, 896))
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        ref = embedder.embed_images([reference])
        scores = [score_take(embedder, take_frames(c, settings), "a girl in a red coat in the city", ref)
                  for c in clips]
        rank_takes(scores)
        runs.append(time.perf_counter() - t0)
    return runs, params


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3, help="scoring runs (the keyframe runs once)")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        built, keyframe_s, params = bench_keyframe(tmp)
        print(f"K keyframe 512x896, 1 step, TAESD: {keyframe_s:.1f} s (built in {built:.1f} s) {params}", flush=True)
        import gc

        gc.collect()
        runs, clip_params = bench_scoring(tmp, args.repeat)
        print(f"S scoring 4 takes: {', '.join(f'{r:.2f}' for r in runs)} s (CLIP {clip_params / 1e6:.0f} M)")
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    text = "\n".join([
        f"Generated by `.venv/bin/python bench/keyframes.py --threads {args.threads} --write` on {stamp}; "
        f"{os.cpu_count()} CPUs, {args.threads} torch threads, Python {platform.python_version()}, load average "
        f"at start {load[0]:.2f}, at the end {os.getloadavg()[0]:.2f}. Real architectures, random weights.",
        "",
        "| case | runs (s) | median s | reference |",
        "|---|---|---|---|",
        f"| K: one SD-Turbo keyframe 512x896, 1 step, TAESD decode, `SDTurboBackend` (UNet "
        f"{params['unet'] / 1e6:.0f} M, text {params['text'] / 1e6:.0f} M, {params['decoder_class']} "
        f"{params['decoder'] / 1e6:.1f} M) | {keyframe_s:.1f} | {keyframe_s:.1f} | 7.8 s on a 12-core i7-12700 "
        f"(fastsdcpu, 512x512); {keyframe_s / 7.8:.1f}x that here |",
        f"| S: score 4 takes of a 5 s shot (4 frames each, CLIP ViT-B/32 {clip_params / 1e6:.0f} M) | "
        f"{', '.join(f'{r:.2f}' for r in runs)} | {statistics.median(runs):.2f} | target 2 s on a GPU machine |",
    ])
    print(text)
    if args.write:
        from bench.results import write_section

        write_section("keyframes-bench", text, heading="## Keyframes (bench/keyframes.py)")


if __name__ == "__main__":
    main()
