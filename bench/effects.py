"""Benchmark: every effect and transition on a 1080x1920 frame, the studio's kernel against MoviePy's own.

Run ``.venv/bin/python bench/effects.py [--repeat 7] [--no-write]``. A benchmark, not a test: it prints a table and
writes the ``effects-bench`` section of ``bench/RESULTS.md`` (between its markers; other sections are never
touched). Targets that miss are reported as FAIL, never raised.

Method
------
1. Inputs, made here, deterministic: two 1080x1920 pictures (gradients, shapes, fine stripes and a little noise,
   seeded), the "shot" and the one "under" it (the outgoing shot of a transition); and for the clip rows a 3 s
   1080x1920 30 fps H.264 clip of ffmpeg's ``testsrc2`` (in ``bench/out/inputs``, made once).
2. Each row, one after the other so machine load hits both alike:
   - **ours**: the work the compositor does per frame for that effect: the kernel (``studio.compose.effects``),
     the fade, the placement over what is under it, the transition (``studio.compose.transitions``) at its middle;
     for time effects the stage-time lookups plus handing the picture on; the median of ``--repeat`` calls after
     a warm-up; both sides are timed to the frame's bytes as the encoder takes them (``tobytes``);
   - **MoviePy**: the same effect through ``moviepy.video.fx`` with ``clip.with_effects([...]).get_frame(t)`` on a
     ``VideoClip`` whose frame function returns the same picture (so only the effect is timed); layer effects and
     transitions as MoviePy composes them (``CompositeVideoClip``, its ``SlideIn``/``CrossFadeIn``); the median of
     ``max(3, repeat // 2)`` calls. Transitions MoviePy has no effect for (zoom, whip, flash) and looks (MoviePy
     has no LUT) have no MoviePy column;
   - **parity**: the largest and the mean absolute difference of the two pictures, 8-bit levels.
3. Clip rows: ``MultiplySpeed(2)`` and ``TimeMirror`` on the 1080x1920 clip: the studio's ``ClipReader`` (ffmpeg at
   the shot's speed; reverse in chunks) against MoviePy's ``VideoFileClip(...).with_effects([...])``, per output
   frame over one second of output frames in order.
4. Target: each effect and transition <= 10 ms per 1080x1920 frame on this machine (shared, 2 cores: compare the
   ratio column too). On a still picture, colour effects and Painting run once per shot, not per frame (row
   notes); a clip pays them per frame.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

W, H, FPS = 1080, 1920, 30
TARGET_MS = 10.0
SEED = 20_240_615


def picture(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:H, 0:W].astype(np.float32)
    base = np.stack([x / W * 255, y / H * 255, (x + y) / (W + H) * 255], -1)
    image = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x0, y0 = int(rng.integers(0, W)), int(rng.integers(0, H))
        draw.ellipse((x0, y0, x0 + int(rng.integers(40, 300)), y0 + int(rng.integers(40, 300))),
                     fill=tuple(int(v) for v in rng.integers(0, 256, 3)))
    for i in range(0, W, 7):
        draw.line((i, H // 2, i, H // 2 + 200), fill=(250, 250, 250) if i % 14 else (5, 5, 5))
    image = image.filter(ImageFilter.GaussianBlur(0.6))
    noisy = np.asarray(image, dtype=np.int16) + rng.integers(-6, 7, (H, W, 3))
    return np.clip(noisy, 0, 255).astype(np.uint8)


def as_bytes(frame) -> bytes:
    """A frame as the encoder takes it: what the compositor streams (``Image.tobytes``) and what MoviePy's writer
    streams (``iter_frames(dtype="uint8")`` then ``tobytes``)."""
    if isinstance(frame, Image.Image):
        return frame.tobytes()
    frame = np.asarray(frame)
    return (frame if frame.dtype == np.uint8 else frame.astype("uint8")).tobytes()


def median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    """Median ms of ``fn()`` with its frame made ready for the encoder, after a warm-up; and the frame."""
    result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        as_bytes(fn())
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), result


@dataclass
class Row:
    name: str
    ours_ms: float
    theirs_ms: float | None
    max_diff: int | None
    mean_diff: float | None
    note: str = ""


def diff(a, b) -> tuple[int, float]:
    d = np.abs(np.asarray(a, dtype=np.int16) - np.asarray(b, dtype=np.uint8).astype(np.int16))
    return int(d.max()), float(d.mean())


def bench_effects(repeat: int) -> list[Row]:
    import moviepy.video.fx as vfx
    from moviepy import CompositeVideoClip, VideoClip

    from studio.compose.effects import EffectFrames, picture_kernel, shot_effects
    from studio.compose.transitions import compose as transition
    from studio.project.effects import parse_effects
    from studio.project.model import Transition

    shot, under = picture(SEED), picture(SEED + 1)
    shot_image, under_image = Image.fromarray(shot), Image.fromarray(under)
    theirs_repeat = max(3, repeat // 2)

    def clip(array: np.ndarray, duration: float = 2.0):
        return VideoClip(frame_function=lambda t: array, duration=duration).with_fps(FPS)

    class Still:
        def frame(self, t_ms: float) -> Image.Image:
            return shot_image

    rows: list[Row] = []

    def chain(effects: list[dict]):
        parsed = parse_effects(effects)
        return EffectFrames(Still(), shot_effects((), parsed, span_ms=2000, fps=FPS, clip_ms=10_000, clip_start_ms=0,
                                                  root=None, where="bench"), (W, H), FPS)

    # picture and shape effects: the kernel on one frame
    picture_effects = [
        ({"name": "BlackAndWhite"}, vfx.BlackAndWhite(), "once per shot on a still"),
        ({"name": "GammaCorrection", "gamma": 0.8}, vfx.GammaCorrection(0.8), "once per shot on a still"),
        ({"name": "LumContrast", "lum": 10, "contrast": 0.3}, vfx.LumContrast(10, 0.3), "once per shot on a still"),
        ({"name": "MultiplyColor", "factor": 1.2}, vfx.MultiplyColor(1.2), "once per shot on a still"),
        ({"name": "InvertColors"}, vfx.InvertColors(), "once per shot on a still"),
        ({"name": "MirrorX"}, vfx.MirrorX(), ""),
        ({"name": "MirrorY"}, vfx.MirrorY(), ""),
        ({"name": "Painting"}, vfx.Painting(), "once per shot on a still; MoviePy's dark lines wrap (uint8): "
                                                "parity is against its steps with float edges"),
    ]
    for raw, fx, note in picture_effects:
        kernel = picture_kernel(parse_effects([raw])[0], None)
        ours_ms, mine = median_ms(lambda k=kernel: k(shot_image), repeat)
        reference = clip(shot).with_effects([fx])
        theirs_ms, theirs = median_ms(lambda r=reference: r.get_frame(0.5), theirs_repeat)
        if raw["name"] == "Painting":
            enhanced = shot_image.filter(ImageFilter.EDGE_ENHANCE_MORE)
            edges = np.asarray(enhanced.convert("L").filter(ImageFilter.FIND_EDGES)).astype(np.float64)
            theirs = np.clip(1.4 * np.asarray(enhanced) - 0.006 * 255 * edges[..., None], 0, 255)
        rows.append(Row(raw["name"], ours_ms, theirs_ms, *diff(mine, np.asarray(theirs).astype(np.uint8)), note))

    # looks: MoviePy has no LUT; the reference column is the exact per-pixel tetrahedral interpolation in numpy
    from studio.compose.looks import apply_lut_exact, look_filter, read_cube
    from studio.project.effects import Look, bundled_looks

    look = look_filter(Look(look="teal_orange"), None)
    ours_ms, mine = median_ms(lambda: look(shot_image), repeat)
    lut = read_cube(ROOT / "assets" / "looks" / bundled_looks()["teal_orange"]["file"])
    exact_ms, exact = median_ms(lambda: apply_lut_exact(shot_image, lut), 1)
    rows.append(Row("Look (teal_orange, tetrahedral)", ours_ms, None, *diff(mine, exact),
                    f"once per shot on a still; numpy exact per pixel: {exact_ms:.0f} ms (the parity reference)"))

    # fades: at their middle
    for raw, fx, t in (({"name": "FadeIn", "duration": 1.0}, vfx.FadeIn(1.0), 0.5),
                       ({"name": "FadeOut", "duration": 1.0}, vfx.FadeOut(1.0), 1.5)):
        frames = chain([raw])
        ours_ms, mine = median_ms(lambda f=frames, t=t: f.frame(t * 1000), repeat)
        reference = clip(shot).with_effects([fx])
        theirs_ms, theirs = median_ms(lambda r=reference, t=t: r.get_frame(t), theirs_repeat)
        rows.append(Row(raw["name"], ours_ms, theirs_ms, *diff(mine, np.asarray(theirs).astype(np.uint8))))

    # layer effects: the shot over the one under it, halfway in
    layers = [({"name": "CrossFadeIn", "duration": 1.0}, vfx.CrossFadeIn(1.0), 0.5),
              ({"name": "CrossFadeOut", "duration": 1.0}, vfx.CrossFadeOut(1.0), 1.5),
              ({"name": "SlideIn", "duration": 1.0, "side": "left"}, vfx.SlideIn(1.0, "left"), 0.5),
              ({"name": "SlideOut", "duration": 1.0, "side": "bottom"}, vfx.SlideOut(1.0, "bottom"), 1.5)]
    for raw, fx, t in layers:
        frames = chain([raw])
        ours_ms, mine = median_ms(lambda f=frames, t=t: f.over(under_image, f.frame(t * 1000), t * 1000), repeat)
        reference = CompositeVideoClip([clip(under), clip(shot).with_effects([fx])])
        theirs_ms, theirs = median_ms(lambda r=reference, t=t: r.get_frame(t), theirs_repeat)
        rows.append(Row(raw["name"], ours_ms, theirs_ms, *diff(mine, theirs)))

    # time effects: what a frame costs besides fetching it (MoviePy's: its time transform around the same picture)
    for raw, fx in (({"name": "MultiplySpeed", "factor": 2}, vfx.MultiplySpeed(2)),
                    ({"name": "TimeMirror"}, vfx.TimeMirror()),
                    ({"name": "Freeze", "t": 0.5, "freeze_duration": 0.5}, vfx.Freeze(0.5, 0.5))):
        frames = chain([raw])
        ours_ms, mine = median_ms(lambda f=frames: f.frame(400), repeat)
        reference = clip(shot).with_effects([fx])
        theirs_ms, theirs = median_ms(lambda r=reference: r.get_frame(0.4), theirs_repeat)
        rows.append(Row(raw["name"], ours_ms, theirs_ms, *diff(mine, theirs), "the map only; see the clip rows"))

    # transitions at their middle
    mp_side = {Transition.SLIDE_LEFT: "right", Transition.SLIDE_RIGHT: "left", Transition.SLIDE_UP: "bottom",
               Transition.SLIDE_DOWN: "top"}
    for kind in Transition:
        if not kind.overlaps:
            continue
        ours_ms, mine = median_ms(lambda k=kind: transition(k, under_image, shot_image, 0.5037), repeat)
        theirs_ms = theirs = None
        if kind is Transition.CROSSFADE or kind in mp_side:
            fx = vfx.CrossFadeIn(1.0) if kind is Transition.CROSSFADE else vfx.SlideIn(1.0, mp_side[kind])
            reference = CompositeVideoClip([clip(under), clip(shot).with_effects([fx])])
            theirs_ms, theirs = median_ms(lambda r=reference: r.get_frame(0.5037), theirs_repeat)
        parity = diff(mine, theirs) if theirs is not None else (None, None)
        rows.append(Row(f"transition {kind.value}", ours_ms, theirs_ms, *parity,
                        "" if theirs is not None else "no MoviePy effect for it"))
    # fade through black: each shot's own fade (FadeOut then FadeIn), what the compositor does per frame
    from studio.compose.effects import dim

    ours_ms, mine = median_ms(lambda: dim(shot_image, 0.5), repeat)
    reference = clip(shot).with_effects([vfx.FadeIn(1.0)])
    theirs_ms, theirs = median_ms(lambda: reference.get_frame(0.5), theirs_repeat)
    rows.append(Row("transition fade (through black)", ours_ms, theirs_ms,
                    *diff(mine, np.asarray(theirs).astype(np.uint8))))

    # the escape hatch: Rotate through MoviePy itself
    frames = chain([{"name": "Rotate", "angle": 10}])
    ours_ms, mine = median_ms(lambda: frames.frame(500), max(3, repeat // 2))
    reference = clip(shot).with_effects([vfx.Rotate(10)])
    theirs_ms, theirs = median_ms(lambda: reference.get_frame(0.5), theirs_repeat)
    from studio.compose.moviepy_fx import _as_picture

    rows.append(Row("Rotate(10) (escape hatch: MoviePy)", ours_ms, theirs_ms, *diff(mine, _as_picture(theirs, (W, H))),
                    "the slow path, by design; fitted back to the frame"))
    return rows


def make_clip(folder: Path) -> Path:
    path = folder / "effects_clip_1080x1920.mp4"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run([shutil.which("ffmpeg") or "ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                        f"testsrc2=size={W}x{H}:rate={FPS}:d=3", "-c:v", "libx264", "-preset", "veryfast",
                        "-pix_fmt", "yuv420p", str(path)], check=True, timeout=300)
    return path


def bench_clips(folder: Path) -> list[Row]:
    import moviepy.video.fx as vfx
    from moviepy import VideoFileClip

    from studio.compose.clips import ClipReader
    from studio.media import probe_shot_media
    from studio.project.model import Fit
    from studio.settings import Settings

    path = make_clip(folder)
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(folder / "data")})
    info = probe_shot_media(path, settings, "bench clip")
    rows = []
    frames = FPS  # one second of output
    for name, speed, source_times, fx in (
        ("clip MultiplySpeed(2)", 2.0, [n * 2000 / FPS for n in range(frames)], vfx.MultiplySpeed(2)),
        ("clip TimeMirror", 1.0, [2900 - n * 1000 / FPS for n in range(frames)], vfx.TimeMirror()),
    ):
        reader = ClipReader(settings.ffmpeg_exe(), info, fit=Fit.COVER, focus=(0.5, 0.5), size=(W, H), fps=FPS,
                            start_ms=0, speed=speed)
        started = time.perf_counter()
        for t in source_times:
            Image.frombytes("RGB", (W, H), reader.frame_bytes(t))
        ours_ms = (time.perf_counter() - started) * 1000 / frames
        reader.close()
        theirs_clip = VideoFileClip(str(path)).with_effects([fx])
        started = time.perf_counter()
        for n in range(frames):
            theirs_clip.get_frame(n / FPS)
        theirs_ms = (time.perf_counter() - started) * 1000 / frames
        theirs_clip.close()
        rows.append(Row(name, ours_ms, theirs_ms, None, None,
                        f"per output frame over {frames} frames, decoding included"))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    load_start = os.getloadavg()
    rows = bench_effects(args.repeat) + bench_clips(args.out / "inputs")
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    lines = [
        "## Effects and transitions: one 1080x1920 frame (bench/effects.py)",
        "",
        f"Generated by `.venv/bin/python bench/effects.py --repeat {args.repeat}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the start {' '.join(f'{x:.2f}' for x in load_start)}, at "
        f"the end {' '.join(f'{x:.2f}' for x in os.getloadavg())} (shared machine: compare the ratios). Method in the "
        "module docstring: ours is the compositor's per-frame work for the effect, MoviePy's is "
        "`clip.with_effects([...]).get_frame(t)` on the same picture; parity is the largest / mean difference "
        "of the two pictures in 8-bit levels.",
        "",
        f"| effect | ours ms | MoviePy ms | MoviePy / ours | max diff | mean diff | <= {TARGET_MS:g} ms | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        theirs = f"{row.theirs_ms:.1f}" if row.theirs_ms is not None else "-"
        ratio = f"{row.theirs_ms / row.ours_ms:.1f}x" if row.theirs_ms is not None and row.ours_ms > 0 else "-"
        parity = (f"{row.max_diff}", f"{row.mean_diff:.3f}") if row.max_diff is not None else ("-", "-")
        lines.append(f"| {row.name} | {row.ours_ms:.1f} | {theirs} | {ratio} | {parity[0]} | {parity[1]} | "
                     f"{verdict(row.ours_ms <= TARGET_MS)} | {row.note} |")
    passed = sum(row.ours_ms <= TARGET_MS for row in rows)
    lines += ["", f"- **{passed} of {len(rows)}** rows within {TARGET_MS:g} ms per frame on this machine.", ""]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        from bench.results import write_section

        write_section("effects-bench", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
