"""Benchmark: video backends, each against real time (the length of the shot) measured in the same run.

Run ``.venv/bin/python bench/video.py [--repeat 3] [--tiny] [--random-weights] [--write]``.
A benchmark, not a test: targets that miss print FAIL, never raise.

1. still (always, CPU): one 5 s 1080x1920 shot (preset douyin, 30 fps) from a text prompt.
   B  the backend alone: ``render_shots`` drawing the title card and storing it in the shot cache;
   F  B plus the shot's 150 frames as the compositor makes them (``FrameRenderer``, push-in);
   E  B plus a full ``compose()`` of the one-shot project to MP4 (frames, captions, x264, sidecars).
   Ratio = 5 s / median time: above 1 is faster than real time. Target: F faster than real time.
2. ``--tiny``: the LTX and Wan backends on tiny random pipelines (saved and loaded like the product does):
   proves the wiring and its overhead, not model speed.
3. ``--random-weights`` (CUDA only): the real-size architectures with random weights -- LTX's default
   transformer and VAE config (the 2B model), Wan 2.1 1.3B -- one 9:16 shot each (LTX 576x1024, 97 frames,
   8 steps, no CFG like the distilled model; Wan 480x832, 81 frames, 8 steps), wall time and peak GPU
   memory. The compute is the same as with trained weights. Target: a 5 s LTX shot in <= 5 s on one H100.
   The text encoder is a 1-layer T5 with the real width (4096), so encoding the prompt is not timed as T5-XXL.
``--write`` puts the table into bench/RESULTS.md between the video markers (the rest of the file is kept).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")



def _median(times: list[float]) -> float:
    return statistics.median(times)


def bench_still(repeat: int) -> list[tuple[str, list[float]]]:
    from pipelines.services import Services
    from pipelines.shots import VideoOptions, render_shots
    from studio.compose.compositor import FrameRenderer, compose, plan_render
    from studio.project.model import CameraMove, Project, Shot
    from studio.settings import Settings

    rows: dict[str, list[float]] = {"B": [], "F": [], "E": []}
    for n in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp / "data")})
            shot = Shot(visual_prompt=f"A lighthouse at dusk, waves below. Take {n}.", caption="灯塔 at dusk",
                        duration_ms=5000, camera_move=CameraMove.PUSH_IN, seed=n)
            project = Project().with_shots([shot])
            t0 = time.perf_counter()
            result = render_shots(project, tmp, VideoOptions(backend="still"), Services(settings))
            rows["B"].append(time.perf_counter() - t0)
            plan = plan_render(result.project, settings, tmp)
            renderer = FrameRenderer(plan, settings)
            t1 = time.perf_counter()
            for i in range(150):
                renderer.frame_at(i * 1000 / 30).tobytes()
            renderer.close()
            rows["F"].append(rows["B"][-1] + time.perf_counter() - t1)
            t2 = time.perf_counter()
            compose(result.project, tmp / "out.mp4", settings=settings, project_root=tmp)
            rows["E"].append(rows["B"][-1] + time.perf_counter() - t2)
    return [("still B: backend (title card + cache)", rows["B"]), ("still F: B + 150 compositor frames", rows["F"]),
            ("still E: B + compose() to MP4", rows["E"])]


def bench_tiny(repeat: int) -> list[tuple[str, list[float]]]:
    import torch

    from pipelines.services import Services
    from pipelines.shots import VideoOptions, render_shots
    from pipelines.video.backends import VideoBackends
    from pipelines.video.runtime import PipelineRegistry
    from studio.project.model import Project, Shot
    from studio.settings import Settings
    from tests.helpers.tiny_video import save_tiny_models

    torch.set_num_threads(1)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dirs = save_tiny_models(tmp / "models", ("ltx", "wan_t2v"))
        cases = (("tiny LTX T2V 32x32x9, 2 steps", VideoOptions(backend="ltx", model=str(dirs["ltx"]), width=32,
                                                                  height=32, frames=9, steps=2)),
                 ("tiny Wan T2V 16x16x9, 2 steps", VideoOptions(backend="wan", model=str(dirs["wan_t2v"]), width=16,
                                                                  height=16, frames=9, steps=2)))
        pipelines = PipelineRegistry()  # one per process, as the app's services hold it
        for name, options in cases:
            times = []
            for n in range(repeat + 1):  # the first call loads the pipeline: not counted
                settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp / f"data-{name[:8]}-{n}")})
                services = Services(settings, video=VideoBackends(settings, pipelines))
                t0 = time.perf_counter()
                render_shots(Project().with_shots([Shot(visual_prompt="a red fox", seed=n)]), tmp, options, services)
                if n:
                    times.append(time.perf_counter() - t0)
            out.append((name, times))
    return out


def bench_random_weights(repeat: int) -> list[tuple[str, list[float], float]]:
    import torch

    if not torch.cuda.is_available():
        print("--random-weights needs CUDA; skipped (no GPU numbers are reported)")
        return []
    from diffusers import (
        AutoencoderKLLTXVideo,
        AutoencoderKLWan,
        FlowMatchEulerDiscreteScheduler,
        LTXPipeline,
        WanPipeline,
        WanTransformer3DModel,
    )
    from diffusers import LTXVideoTransformer3DModel as LTXTransformer
    from transformers import T5Config, T5EncoderModel, UMT5Config, UMT5EncoderModel

    from tests.helpers.tiny_video import _text_stack

    tokenizer, _ = _text_stack(umt5=False)
    dtype = torch.bfloat16
    results = []

    def text_encoder(umt5: bool):
        kw = dict(d_model=4096, d_ff=10240, d_kv=64, num_heads=64, num_layers=1, vocab_size=len(tokenizer))
        return (UMT5EncoderModel(UMT5Config(**kw)) if umt5 else T5EncoderModel(T5Config(**kw))).eval()

    cases = [
        ("LTX 2B random, 576x1024x97, 8 steps, cfg 1", lambda: LTXPipeline(
            transformer=LTXTransformer(), vae=AutoencoderKLLTXVideo(), scheduler=FlowMatchEulerDiscreteScheduler(),
            text_encoder=text_encoder(False), tokenizer=tokenizer),
         dict(width=576, height=1024, num_frames=97, num_inference_steps=8, guidance_scale=1.0, decode_timestep=0.05)),
        ("Wan 1.3B random, 480x832x81, 8 steps, cfg 5", lambda: WanPipeline(
            transformer=WanTransformer3DModel(num_attention_heads=12, attention_head_dim=128, ffn_dim=8960,
                                              num_layers=30, in_channels=16, out_channels=16, text_dim=4096),
            vae=AutoencoderKLWan(), scheduler=FlowMatchEulerDiscreteScheduler(shift=3.0),
            text_encoder=text_encoder(True), tokenizer=tokenizer),
         dict(width=480, height=832, num_frames=81, num_inference_steps=8, guidance_scale=5.0)),
    ]
    for name, build, kwargs in cases:
        pipe = build().to("cuda", dtype)
        pipe.set_progress_bar_config(disable=True)
        pipe(prompt="a lighthouse at dusk", output_type="np", **{**kwargs, "num_inference_steps": 1})  # warm-up
        torch.cuda.reset_peak_memory_stats()
        times = []
        for n in range(repeat):
            torch.cuda.synchronize()
            t0 = time.perf_counter()
            pipe(prompt="a lighthouse at dusk", output_type="np", generator=torch.Generator("cpu").manual_seed(n),
                 **kwargs)
            torch.cuda.synchronize()
            times.append(time.perf_counter() - t0)
        results.append((name, times, torch.cuda.max_memory_allocated() / 2**30))
        del pipe
        torch.cuda.empty_cache()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--tiny", action="store_true")
    parser.add_argument("--random-weights", action="store_true")
    parser.add_argument("--write", action="store_true", help="write the table into bench/RESULTS.md")
    args = parser.parse_args()

    lines = [f"Generated by `.venv/bin/python bench/video.py {' '.join(sys.argv[1:])}` on "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs, "
             f"Python {platform.python_version()}, load average at start {os.getloadavg()[0]:.2f}.", "",
             "| case | runs (s) | median s | real time / median |", "|---|---|---|---|"]
    checks = []
    for name, times in bench_still(args.repeat):
        m = _median(times)
        lines.append(f"| {name} | {', '.join(f'{t:.2f}' for t in times)} | {m:.2f} | {5.0 / m:.2f}x |")
        if name.startswith("still F"):
            checks.append(f"- **{'PASS' if m < 5.0 else 'FAIL'}** still-motion 5 s 1080x1920 shot faster than real "
                          f"time: {m:.2f} s for 5 s ({5.0 / m:.2f}x)")
    if args.tiny:
        for name, times in bench_tiny(args.repeat):
            lines.append(f"| {name} | {', '.join(f'{t:.2f}' for t in times)} | {_median(times):.2f} | - |")
    if args.random_weights:
        gpu = bench_random_weights(args.repeat)
        if gpu:
            import torch

            lines += ["", f"GPU: {torch.cuda.get_device_name(0)}", "",
                      "| case | runs (s) | median s | 5 s of video / median | peak GPU GiB |", "|---|---|---|---|---|"]
            for name, times, peak in gpu:
                m = _median(times)
                lines.append(f"| {name} | {', '.join(f'{t:.2f}' for t in times)} | {m:.2f} | {5.0 / m:.2f}x | "
                             f"{peak:.1f} |")
                if name.startswith("LTX"):
                    checks.append(f"- **{'PASS' if m <= 5.0 else 'FAIL'}** 5 s 9:16 LTX shot <= 5 s on this GPU: "
                                  f"{m:.2f} s")
    table = "\n".join(lines + [""] + checks)
    print(table)
    if args.write:
        from bench.results import write_section

        write_section("video-bench", table, heading="## Video backends (bench/video.py)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
