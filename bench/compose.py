"""Benchmark: the studio's compositor against one hand-written ffmpeg graph and a bare x264 encode.

Run ``.venv/bin/python bench/compose.py [--seconds 30] [--out bench/out] [--repeat N] [--profile]``.
A benchmark, not a test: it prints a table and writes ``bench/RESULTS.md``; targets that miss are
reported as FAIL, never raised.

Method
------
1. Inputs (``<out>/inputs``, made once, deterministic, seeded): four photos (two 3000x2000, two
   2000x3000 JPEGs: gradients, shapes, fine detail and a little noise, so x264 has real work), two
   1920x1080 30 fps H.264 clips of 6 s from ffmpeg's lavfi (``testsrc2`` and ``mandelbrot``, each
   with a sine tone) and a synthesized 20 s WAV so the music has to loop. The project is built by
   ``studio.project.assemble.project_from_media``: Chinese captions with an emoji on every shot, a hook
   title, 500 ms crossfades, music, the visible AI label, preset douyin (1080x1920, 30 fps). Shot
   lengths are set so the clip is exactly ``--seconds`` long.
2. Variants, each run in its own process so its whole process tree can be watched:
   S  the studio: ``compose()`` in a worker subprocess; the time is the ``compose()`` call itself
      (probe, overlays, audio mix, frames + encode, sidecars), not the interpreter start-up;
   F  one ffmpeg invocation with one filter graph doing the same job from the same inputs:
      per shot crop then scale to 1080x1920, photos with the studio's camera move (zoompan, same
      easing; each photo decoded once and repeated with the ``loop`` filter), xfade
      between shots, the caption/label/title PNGs that ``build_overlays`` returns (saved once,
      not timed) overlaid with ``enable='between(t,a,b)'``, the music looped with afade, AAC 48 kHz;
   R  a raw libx264 encode with no compositing: the studio's own output re-encoded (decode +
      encode), so the content's complexity for x264 is exactly the studio's;
   D  the studio at the ``draft`` preset (540x960, veryfast);
   M  the studio on a 60 s version (clip shots doubled, photos longer, same crossfades), once.
   S, F and R use the same encoder settings: the ``-vf`` colour conversion and every encoder
   argument are taken from ``studio.compose.encode.ffmpeg_command`` for the preset, not retyped here.
   Repeats are interleaved (S, F, R, D, S, F, ...) so drift in machine load hits every variant.
3. Measurements: wall time (median over ``--repeat``); CPU seconds of the whole tree (from
   ``getrusage(RUSAGE_CHILDREN)``, which is much less sensitive than wall time to other work on a
   shared machine); peak RSS as the peak of the SUM of RSS over the process tree (the python
   process and all its ffmpeg children), sampled from ``/proc`` every 50 ms. Summed RSS counts
   pages shared between processes more than once, so it errs high.
4. Checks: ffprobe says S and F have the same size, frame rate and duration (within a frame);
   frames at 1 s, 12 s and 25 s are saved from S and F (and side by side) with their PSNR.
   Targets: S <= 1.3x F, draft >= 3x faster than final, peak RSS of the 60 s render <= 1.5 GiB.

``--profile`` adds a cProfile of the frame producer alone (``FrameRenderer.frame_at`` +
``tobytes`` for every frame, no encoder) written to ``<out>/profile.txt``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # `python bench/compose.py` puts bench/ first, not the repository

if TYPE_CHECKING:
    from studio.project.model import Project
    from studio.settings import Settings

INPUTS_VERSION = 3  # bump when the generated inputs change, so cached ones are rebuilt
SEED = 20_240_601
CLIP_MS = 6000
TRANSITION_MS = 500
MUSIC_SECONDS = 20
HOOK = "一分钟看懂城市的早晨"
CAPTIONS = (
    "清晨六点，城市慢慢醒来 🌅",
    "街角咖啡店飘出第一缕香气 ☕",
    "山那边的云海像一幅水墨画 ⛰️",
    "午后的阳光洒在老街上 🌞",
    "夜幕降临，霓虹灯一盏盏亮起 🌃",
    "明天见，记得点赞关注 ❤️",
)
FRAME_TIMES_S = (1.0, 12.0, 25.0)
SAMPLE_INTERVAL_S = 0.05
TARGET_STUDIO_VS_GRAPH = 1.3
TARGET_DRAFT_SPEEDUP = 3.0
TARGET_PEAK_RSS_MB = 1.5 * 1024  # 1.5 GiB, in MiB like every RSS figure here
NOTES_MARKER = "<!-- notes: everything below this line is kept when the benchmark rewrites this file -->"


# -- 1. inputs ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InputSpec:
    name: str
    kind: str  # "photo" or "clip"
    size: tuple[int, int]
    source: str = ""  # lavfi source of a clip


INPUT_SPECS = (
    InputSpec("photo_1.jpg", "photo", (3000, 2000)),
    InputSpec("clip_1.mp4", "clip", (1920, 1080), "testsrc2=size=1920x1080:rate=30"),
    InputSpec("photo_2.jpg", "photo", (2000, 3000)),
    InputSpec("photo_3.jpg", "photo", (3000, 2000)),
    InputSpec("clip_2.mp4", "clip", (1920, 1080),
              "mandelbrot=size=1920x1080:rate=30:maxiter=160:start_scale=2.5:end_scale=0.6"),
    InputSpec("photo_4.jpg", "photo", (2000, 3000)),
)


@dataclass(frozen=True)
class Inputs:
    shots: tuple[Path, ...]
    music: Path


def make_photo(path: Path, size: tuple[int, int], seed: int) -> None:
    """A photo-like JPEG: a four-corner gradient, a glow, ripples, soft and sharp shapes, fine noise."""
    rng = np.random.default_rng(seed)
    width, height = size
    xs = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :]
    ys = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    corners = rng.uniform(25, 230, (4, 3)).astype(np.float32)
    gx, gy = rng.uniform(0.2, 0.8, 2)
    glow = np.exp(-(((xs - gx) ** 2) + ((ys - gy) ** 2) * (height / width) ** 2) / 0.03)
    ripple = 10 * np.sin(xs * width / 23 + 3 * np.sin(ys * height / 71)) * (ys > 0.6)
    array = np.empty((height, width, 3), dtype=np.uint8)
    for c in range(3):
        channel = (corners[0, c] * (1 - xs) * (1 - ys) + corners[1, c] * xs * (1 - ys)
                   + corners[2, c] * (1 - xs) * ys + corners[3, c] * xs * ys + 70 * glow + ripple)
        channel += rng.normal(0.0, 3.0, (height, width)).astype(np.float32)
        array[..., c] = np.clip(channel, 0, 255).astype(np.uint8)
    image = Image.fromarray(array)

    soft = Image.new("RGBA", size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(soft)
    for _ in range(45):
        x0, y0 = rng.uniform(-0.1, 1.0) * width, rng.uniform(-0.1, 1.0) * height
        w, h = rng.uniform(0.05, 0.35) * width, rng.uniform(0.05, 0.35) * height
        color = (*(int(v) for v in rng.integers(0, 256, 3)), int(rng.integers(60, 200)))
        shape = int(rng.integers(0, 3))
        if shape == 0:
            draw.ellipse((x0, y0, x0 + w, y0 + h), fill=color)
        elif shape == 1:
            draw.rectangle((x0, y0, x0 + w, y0 + h), fill=color)
        else:
            points = [(x0 + rng.uniform(0, w), y0 + rng.uniform(0, h)) for _ in range(5)]
            draw.polygon(points, fill=color)
    image.paste(soft.filter(ImageFilter.GaussianBlur(6)), (0, 0), soft.filter(ImageFilter.GaussianBlur(6)))

    sharp = ImageDraw.Draw(image)
    for _ in range(900):  # windows, leaves, lines: high-frequency detail that survives the downscale
        x0, y0 = rng.uniform(0, width), rng.uniform(0, height)
        r = rng.uniform(3, 28)
        color = tuple(int(v) for v in rng.integers(0, 256, 3))
        if rng.uniform() < 0.5:
            sharp.rectangle((x0, y0, x0 + r, y0 + r * rng.uniform(0.5, 2.0)), fill=color)
        else:
            sharp.line((x0, y0, x0 + rng.uniform(-120, 120), y0 + rng.uniform(-120, 120)), fill=color,
                       width=int(rng.integers(1, 5)))
    image.save(path, "JPEG", quality=90)


def make_clip(path: Path, source: str, ffmpeg: str, seconds: float, tone_hz: float) -> None:
    """A 30 fps H.264 clip of a lavfi source with an AAC sine tone (deterministic: fixed x264 settings)."""
    cmd = [ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y",
           "-f", "lavfi", "-i", f"{source},format=yuv420p", "-f", "lavfi",
           "-i", f"sine=frequency={tone_hz}:sample_rate=48000:duration={seconds}",
           "-map", "0:v", "-map", "1:a", "-t", f"{seconds}",
           "-c:v", "libx264", "-preset", "fast", "-crf", "18", "-pix_fmt", "yuv420p", "-g", "60",
           "-c:a", "aac", "-b:a", "128k", "-movflags", "+faststart", str(path)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=600)


def make_music(path: Path, seconds: int, seed: int, rate: int = 44_100) -> None:
    """A looping 16-bit stereo tune: a four-chord pad, a bass line and seeded noise hi-hats."""
    rng = np.random.default_rng(seed)
    n = seconds * rate
    t = np.arange(n, dtype=np.float64) / rate
    chords = ((220.0, 277.18, 329.63), (196.0, 246.94, 293.66), (174.61, 220.0, 261.63), (196.0, 246.94, 329.63))
    bar = seconds / len(chords)
    left = np.zeros(n)
    right = np.zeros(n)
    for i, chord in enumerate(chords):
        span = (t >= i * bar) & (t < (i + 1) * bar)
        local = t[span] - i * bar
        env = np.minimum(1.0, local / 0.4) * np.minimum(1.0, (bar - local) / 0.4)
        for k, freq in enumerate(chord):
            tone = np.sin(2 * np.pi * freq * local) + 0.3 * np.sin(4 * np.pi * freq * local)
            left[span] += 0.12 * env * tone * (1.1 - 0.2 * k)
            right[span] += 0.12 * env * tone * (0.9 + 0.2 * k)
        bass = 0.25 * env * np.sin(2 * np.pi * chord[0] / 2 * local) * (0.6 + 0.4 * np.cos(2 * np.pi * 2 * local))
        left[span] += bass
        right[span] += bass
    hat_len = int(0.04 * rate)
    for start in range(0, n - hat_len, rate // 4):
        hat = rng.normal(0.0, 0.08, hat_len) * np.exp(-np.arange(hat_len) / (0.008 * rate))
        left[start:start + hat_len] += hat
        right[start:start + hat_len] += hat * 0.8
    stereo = np.stack([left, right], axis=1)
    stereo *= 0.6 / np.max(np.abs(stereo))
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes((stereo * 32767).round().astype("<i2").tobytes())


def make_inputs(folder: Path, ffmpeg: str) -> Inputs:
    """Create the inputs once; later runs reuse them while the manifest matches this script's version."""
    folder.mkdir(parents=True, exist_ok=True)
    manifest = folder / "manifest.json"
    expected = {"version": INPUTS_VERSION, "seed": SEED, "files": [s.name for s in INPUT_SPECS] + ["music.wav"]}
    inputs = Inputs(tuple(folder / s.name for s in INPUT_SPECS), folder / "music.wav")
    if manifest.exists() and json.loads(manifest.read_text()) == expected and all(
            p.exists() for p in (*inputs.shots, inputs.music)):
        return inputs
    print(f"making inputs in {folder} ...", flush=True)
    for i, spec in enumerate(INPUT_SPECS):
        if spec.kind == "photo":
            make_photo(folder / spec.name, spec.size, SEED + i)
        else:
            make_clip(folder / spec.name, spec.source, ffmpeg, CLIP_MS / 1000, 330.0 + 110 * i)
    make_music(inputs.music, MUSIC_SECONDS, SEED)
    manifest.write_text(json.dumps(expected, indent=2))
    return inputs


# -- 2. the project ------------------------------------------------------------------------------------

def shot_durations(seconds: float, clip_ms: int) -> list[int]:
    """Clip shots last ``clip_ms``; the photos share the rest so the timeline is exactly ``seconds`` long."""
    clips = sum(1 for s in INPUT_SPECS if s.kind == "clip")
    photos = len(INPUT_SPECS) - clips
    overlap = (len(INPUT_SPECS) - 1) * TRANSITION_MS
    photo_ms = (round(seconds * 1000) + overlap - clips * clip_ms) / photos
    if photo_ms < 2 * TRANSITION_MS or photo_ms != int(photo_ms):
        raise ValueError(f"--seconds {seconds} gives photo shots of {photo_ms} ms; use a whole number of seconds "
                         f"of at least {(clips * clip_ms + photos * 2 * TRANSITION_MS - overlap) / 1000:g}")
    return [clip_ms if s.kind == "clip" else int(photo_ms) for s in INPUT_SPECS]


def build_project(inputs: Inputs, seconds: float, clip_ms: int, preset: str, settings: Settings) -> Project:
    """The benchmark project, through the same quick path the CLI and the UI use."""
    from studio.project.assemble import QuickOptions, project_from_media
    from studio.project.files import validate_project
    from studio.project.model import Transition
    from studio.project.presets import PresetName

    options = QuickOptions(preset=PresetName(preset), transition=Transition.CROSSFADE, title=HOOK, music=inputs.music)
    project = project_from_media(inputs.shots, CAPTIONS, options, settings)
    shots = [shot.model_copy(update={"duration_ms": ms, "transition_ms": TRANSITION_MS})
             for shot, ms in zip(project.shots, shot_durations(seconds, clip_ms), strict=True)]
    return validate_project(project.with_shots(shots).model_dump(mode="json"))


# -- 3. measuring a process tree ------------------------------------------------------------------------


def _role(pid: int, comm: str) -> str:
    """A short name for a process: python, or an ffmpeg told apart by whether it runs libx264."""
    if "ffmpeg" not in comm:
        return comm
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            return "ffmpeg x264" if b"libx264" in handle.read() else "ffmpeg decode"
    except OSError:
        return "ffmpeg"


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants every 50 ms; keeps the peak."""

    def __init__(self, root_pid: int):
        super().__init__(name="rss-sampler", daemon=True)
        self.root_pid = root_pid
        self.peak_bytes = 0
        self.peak_parts: dict[str, int] = {}
        self.samples = 0
        self._done = threading.Event()

    def sample(self) -> None:
        from tests.helpers.server import process_table, process_tree  # one /proc reader, shared with load tests

        table = process_table()
        tree = process_tree(self.root_pid, table)
        total = sum(table[pid][2] for pid in tree)
        self.samples += 1
        if total > self.peak_bytes:
            parts: dict[str, int] = {}
            for pid in tree:
                name = _role(pid, table[pid][1])
                parts[name] = parts.get(name, 0) + table[pid][2]
                parts[f"#{name}"] = parts.get(f"#{name}", 0) + 1
            self.peak_bytes, self.peak_parts = total, parts

    def run(self) -> None:
        while not self._done.is_set():
            self.sample()
            self._done.wait(SAMPLE_INTERVAL_S)

    def stop(self) -> None:
        self._done.set()
        self.join()


@dataclass
class RunResult:
    variant: str
    wall_s: float  # the timed work (compose() for studio variants, the whole process for ffmpeg)
    process_s: float  # spawn to exit
    cpu_s: float  # user + system of the whole tree
    peak_rss_mb: float
    peak_parts: dict[str, int] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)


def run_measured(variant: str, cmd: Sequence[str], log: Path) -> RunResult:
    """Run ``cmd`` to completion, watching its process tree; a studio worker reports its own compose() time."""
    log.parent.mkdir(parents=True, exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with log.open("wb") as err:
        proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        out, _ = proc.communicate()
        process_s = time.perf_counter() - started
        sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-15:]
        raise RuntimeError(f"{variant} failed with exit code {proc.returncode}; log {log}:\n" + "\n".join(tail))
    info: dict[str, Any] = {}
    lines = out.decode().strip().splitlines()
    if lines and lines[-1].startswith("{"):
        info = json.loads(lines[-1])
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return RunResult(variant, info.get("compose_s", process_s), process_s, cpu, sampler.peak_bytes / 2**20,
                     dict(sampler.peak_parts), info)


# -- 4. the variants -----------------------------------------------------------------------------------

def studio_worker_cmd(out: Path, output: Path, seconds: float, clip_ms: int, preset: str) -> list[str]:
    spec = {"out": str(out), "output": str(output), "seconds": seconds, "clip_ms": clip_ms, "preset": preset}
    return [sys.executable, str(Path(__file__).resolve()), "--worker", json.dumps(spec)]


def worker(spec: dict[str, Any]) -> None:
    """The studio side of S, D and M: build the project, time compose(), print one JSON line."""
    from studio.compose.compositor import compose
    from studio.settings import Settings

    settings = Settings.from_env()
    inputs = make_inputs(Path(spec["out"]) / "inputs", settings.ffmpeg_exe())
    project = build_project(inputs, spec["seconds"], spec["clip_ms"], spec["preset"], settings)
    started = time.perf_counter()
    result = compose(project, spec["output"], settings=settings)
    elapsed = time.perf_counter() - started
    print(json.dumps({"compose_s": elapsed, "frames": result.frames, "duration_ms": result.duration_ms}))


@dataclass(frozen=True)
class EncoderArgs:
    """What the studio's encoder does, lifted out of ``ffmpeg_command`` so every variant shares it."""

    head: list[str]  # ffmpeg and its global flags
    vf: str  # RGB/any -> BT.709 limited yuv420p, tagged
    encode: list[str]  # -c:v ... -movflags ... (video and audio codec settings)

    @property
    def to709(self) -> str:
        """The options of the studio's colour conversion (``out_color_matrix=bt709:out_range=tv``)."""
        first = self.vf.split(",")[0]
        if not first.startswith("scale="):
            raise RuntimeError(f"unexpected -vf in ffmpeg_command: {self.vf!r}")
        return first.removeprefix("scale=")

    @property
    def tag(self) -> str:
        return next(part for part in self.vf.split(",") if part.startswith("setparams="))


def encoder_args(ffmpeg: str, width: int, height: int, fps: int, preset_name: str) -> EncoderArgs:
    from studio.compose.encode import EncodeJob, ffmpeg_command
    from studio.project.presets import get_preset

    preset = get_preset(preset_name)
    cmd = ffmpeg_command(ffmpeg, EncodeJob(Path("OUT.mp4"), width, height, fps, Path("IN.wav"), preset.encoder, {}))
    if cmd[-3:] != ["-f", "mp4", "OUT.mp4"]:
        raise RuntimeError(f"ffmpeg_command changed shape; its tail is {cmd[-3:]}")
    first_input = cmd.index("-f")  # the rawvideo input's -f: everything before it is global
    return EncoderArgs(cmd[:first_input], cmd[cmd.index("-vf") + 1], cmd[cmd.index("-c:v"):-3])


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _num(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def graph_command(project: Project, settings: Settings, overlay_dir: Path, output: Path, *,
                  loop_photo_input: bool = False) -> list[str]:
    """F: one ffmpeg invocation, one filter graph, the studio's job from the same inputs.

    Photos are decoded once and repeated with the ``loop`` filter; ``loop_photo_input`` uses
    ``-loop 1 -t`` on the input instead, which decodes the full-size JPEG again for every frame.
    """
    from studio.compose.compositor import build_overlays, check_project
    from studio.compose.frames import _move_path, cover_box, resolve_camera_move  # the studio's own move table
    from studio.media import MediaKind
    from studio.project.model import Transition

    checked = check_project(project, settings, None)
    preset, timeline, media, music_path = checked.preset, checked.timeline, checked.media, checked.sound.music_path
    W, H, fps = preset.width, preset.height, preset.fps
    enc = encoder_args(settings.ffmpeg_exe(), W, H, fps, preset.name.value)
    total_frames = max(1, round(timeline.duration_ms * fps / 1000))  # as compose() counts them
    inputs: list[str] = []
    graph: list[str] = []

    def add_input(path: Path, *options: str) -> int:
        inputs.extend([*options, "-i", str(path)])
        return inputs.count("-i") - 1

    finish = f"{enc.tag},settb=1/{fps},setpts=N"
    for span in timeline.spans:
        info, shot = media[span.index], span.shot
        n = math.ceil(span.duration_ms * fps / 1000) + 1
        if info.kind is MediaKind.IMAGE:
            left, top, right, bottom = cover_box(info.width, info.height, W, H, (shot.focus_x, shot.focus_y))
            cw, ch = _even(right - left), _even(bottom - top)
            move = _move_path(resolve_camera_move(shot.camera_move, span.index))
            need = W / cw * max(move.zoom_from, move.zoom_to) * 1.2  # the studio's pre-shrink rule
            pw, ph = (_even(cw * need), _even(ch * need)) if need < 1 else (cw, ch)
            ease = f"(0.5-0.5*cos(PI*min(on/{_num(span.duration_ms * fps / 1000)},1)))"
            z = f"{_num(move.zoom_from)}+({_num(move.zoom_to - move.zoom_from)})*{ease}"
            x = f"iw/2+({_num(move.dx_from)}+({_num(move.dx_to - move.dx_from)})*{ease}-0.5)*iw/zoom"
            y = f"ih/2+({_num(move.dy_from)}+({_num(move.dy_to - move.dy_from)})*{ease}-0.5)*ih/zoom"
            if loop_photo_input:
                k = add_input(info.path, "-loop", "1", "-framerate", str(fps), "-t", _num(n / fps))
                repeat = ""
            else:
                k = add_input(info.path)
                repeat = f"loop=loop={n - 1}:size=1:start=0,"
            graph.append(
                f"[{k}:v]crop={cw}:{ch}:{round(left)}:{round(top)},scale={pw}:{ph}:flags=lanczos:{enc.to709},"
                f"format=yuv420p,{repeat}zoompan=z='{z}':x='{x}':y='{y}':d=1:s={W}x{H}:fps={fps},"
                f"trim=end_frame={n},{finish}[s{span.index}]"
            )
        else:
            # cover fit: crop the 9:16 window around the focus first, then scale it (the cheap order)
            scale = max(W / info.width, H / info.height)
            cw, ch = min(info.width, max(2, round(W / scale))), min(info.height, max(2, round(H / scale)))
            cx, cy = round((info.width - cw) * shot.focus_x), round((info.height - ch) * shot.focus_y)
            available_ms = info.duration_ms - shot.clip_start_ms
            k = add_input(info.path, "-ss", _num(shot.clip_start_ms / 1000),
                          "-t", _num(min(span.duration_ms, available_ms) / 1000))
            hold = max(0.0, (span.duration_ms - available_ms) / 1000) + 2 / fps  # the studio holds the last frame
            graph.append(
                f"[{k}:v]crop={cw}:{ch}:{cx}:{cy},scale={W}:{H}:flags=bicubic:{enc.to709},fps={fps},"
                f"format=yuv420p,tpad=stop_mode=clone:stop_duration={_num(hold)},trim=end_frame={n},"
                f"{finish}[s{span.index}]"
            )

    current = "s0"
    for span in timeline.spans[1:]:
        if span.transition_in is not Transition.CROSSFADE or not span.fade_in_ms:
            raise NotImplementedError(f"the graph builder only does crossfades; shot {span.index + 1} has "
                                      f"{span.transition_in.value} {span.fade_in_ms} ms")
        graph.append(f"[{current}][s{span.index}]xfade=transition=fade:duration={_num(span.fade_in_ms / 1000)}:"
                     f"offset={_num(span.start_ms / 1000)}[x{span.index}]")
        current = f"x{span.index}"
    graph.append(f"[{current}]trim=end_frame={total_frames}[b0]")
    current = "b0"

    overlay_dir.mkdir(parents=True, exist_ok=True)
    for j, overlay in enumerate(build_overlays(project, preset, timeline, settings)):
        png = overlay_dir / f"overlay_{j:02d}.png"
        overlay.image.save(png)
        start, end = overlay.start_ms / 1000, overlay.end_ms / 1000
        if overlay.fade_out_ms:
            k = add_input(png, "-loop", "1", "-framerate", str(fps), "-t", _num(end))
            fade = overlay.fade_out_ms / 1000
            graph.append(f"[{k}:v]format=rgba,fade=t=out:st={_num(end - fade)}:d={_num(fade)}:alpha=1,"
                         f"scale={enc.to709},format=yuva420p[o{j}]")
        else:
            k = add_input(png)
            graph.append(f"[{k}:v]scale={enc.to709},format=yuva420p[o{j}]")
        # between() is inclusive; the studio shows an overlay for start <= t < end
        graph.append(f"[{current}][o{j}]overlay=x={overlay.x}:y={overlay.y}:"
                     f"enable='between(t,{_num(start)},{_num(end - 0.5 / fps)})'[b{j + 1}]")
        current = f"b{j + 1}"
    graph.append(f"[{current}]{enc.vf}[v]")

    music = project.music
    if music is None or music_path is None:
        raise NotImplementedError("the graph builder expects a project with music")
    duration = timeline.duration_ms / 1000
    fade_out = min(music.fade_out_ms, timeline.duration_ms) / 1000
    k = add_input(music_path, "-stream_loop", "-1", "-ss", _num(music.start_ms / 1000))
    graph.append(
        f"[{k}:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,atrim=duration={_num(duration)},"
        f"asetpts=N/SR/TB,volume={_num(music.gain_db)}dB,afade=t=in:d={_num(music.fade_in_ms / 1000)}:curve=qsin,"
        f"afade=t=out:st={_num(duration - fade_out)}:d={_num(fade_out)}:curve=qsin[a]"
    )
    return [*enc.head, *inputs, "-filter_complex", ";".join(graph), "-map", "[v]", "-map", "[a]",
            *enc.encode, "-f", "mp4", str(output)]


def reencode_command(settings: Settings, source: Path, output: Path, preset_name: str) -> list[str]:
    """R: decode the studio's output and encode it again with the same -vf and encoder settings."""
    from studio.project.presets import get_preset

    preset = get_preset(preset_name)
    enc = encoder_args(settings.ffmpeg_exe(), preset.width, preset.height, preset.fps, preset_name)
    return [*enc.head, "-i", str(source), "-map", "0:v:0", "-map", "0:a:0", "-vf", enc.vf, *enc.encode,
            "-f", "mp4", str(output)]


# -- 5. checks -----------------------------------------------------------------------------------------

def probe_output(path: Path) -> dict[str, Any]:
    raw = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                          str(path)], capture_output=True, check=True, timeout=60).stdout
    data = json.loads(raw)
    video = next(s for s in data["streams"] if s["codec_type"] == "video")
    audio = next((s for s in data["streams"] if s["codec_type"] == "audio"), {})
    num, den = video["r_frame_rate"].split("/")
    return {
        "size": f"{video['width']}x{video['height']}", "fps": float(num) / float(den),
        "frames": int(video.get("nb_frames", 0)), "video_s": float(video.get("duration", 0.0)),
        "format_s": float(data["format"]["duration"]), "pix_fmt": video.get("pix_fmt"),
        "profile": video.get("profile"), "color": video.get("color_space"),
        "audio": f"{audio.get('codec_name')} {audio.get('sample_rate')} Hz {audio.get('channels')} ch",
        "bitrate_kbps": round(int(data["format"].get("bit_rate", 0)) / 1000),
    }


def same_delivery(a: dict[str, Any], b: dict[str, Any]) -> tuple[bool, str]:
    """Same size and frame rate, frame count and video duration within one frame."""
    frame_s = 1 / a["fps"]
    ok = (a["size"] == b["size"] and a["fps"] == b["fps"] and abs(a["frames"] - b["frames"]) <= 1
          and abs(a["video_s"] - b["video_s"]) <= frame_s + 1e-6 and a["audio"] == b["audio"])
    text = (f"S {a['size']} {a['fps']:g} fps {a['frames']} frames {a['video_s']:.3f} s {a['audio']} | "
            f"F {b['size']} {b['fps']:g} fps {b['frames']} frames {b['video_s']:.3f} s {b['audio']}")
    return ok, text


def frame_times(seconds: float) -> list[float]:
    return [min(t, seconds - 1) for t in FRAME_TIMES_S]


def grab_frames(ffmpeg: str, video: Path, prefix: Path, times: Sequence[float]) -> list[Path]:
    paths = []
    for t in times:
        path = prefix.with_name(f"{prefix.name}_{t:04.1f}s.png")
        subprocess.run([ffmpeg, "-hide_banner", "-nostdin", "-v", "error", "-y", "-ss", _num(t), "-i", str(video),
                        "-frames:v", "1", str(path)], check=True, timeout=120)
        paths.append(path)
    return paths


def psnr(a: Path, b: Path) -> float:
    x = np.asarray(Image.open(a).convert("RGB"), dtype=np.float64)
    y = np.asarray(Image.open(b).convert("RGB"), dtype=np.float64)
    mse = float(np.mean((x - y) ** 2))
    return float("inf") if mse == 0 else 10 * math.log10(255**2 / mse)


def side_by_side(left: Path, right: Path, path: Path) -> None:
    a, b = Image.open(left).convert("RGB"), Image.open(right).convert("RGB")
    half = (a.width // 2, a.height // 2)
    sheet = Image.new("RGB", (half[0] * 2 + 8, half[1]), (255, 0, 255))
    sheet.paste(a.resize(half, Image.BILINEAR), (0, 0))
    sheet.paste(b.resize(half, Image.BILINEAR), (half[0] + 8, 0))
    sheet.save(path)


def profile_producer(project: Project, settings: Settings, path: Path) -> dict[str, float]:
    """cProfile of the frame producer alone (what compose()'s worker thread does), written to ``path``."""
    import cProfile
    import io
    import pstats

    from studio.compose import compositor

    plan = compositor.plan_render(project, settings)
    preset, timeline = plan.preset, plan.timeline
    total = max(1, round(timeline.duration_ms * preset.fps / 1000))
    renderer = compositor.FrameRenderer(plan, settings)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    try:
        for n in range(total):
            renderer.frame_at(n * 1000 / preset.fps).tobytes()
    finally:
        profiler.disable()
        renderer.close()
    elapsed = time.perf_counter() - started
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    text.write(f"producer only, {total} frames {preset.width}x{preset.height}: {elapsed:.1f} s "
               f"({1000 * elapsed / total:.1f} ms/frame, profiler on)\n\n")
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(25)
    path.write_text(text.getvalue())
    return {"producer_s": elapsed, "frames": total, "ms_per_frame": 1000 * elapsed / total}


# -- 6. report -------------------------------------------------------------------------------------------

def machine() -> dict[str, str]:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"nproc": str(os.cpu_count()), "cpu": cpu, "ram": f"{mem_kb / 2**20:.1f} GiB",
            "python": platform.python_version(), "kernel": platform.release()}


@dataclass
class Row:
    key: str
    label: str
    runs: list[RunResult]

    @property
    def wall(self) -> float:
        return statistics.median(r.wall_s for r in self.runs)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu_s for r in self.runs)

    @property
    def rss(self) -> float:
        return max(r.peak_rss_mb for r in self.runs)


def table(rows: list[Row]) -> str:
    by = {r.key: r for r in rows}
    header = "| variant | what | runs | median wall s | median CPU s | peak tree RSS MiB | wall / F | wall / R |"
    lines = [header, "|---|---|---|---|---|---|---|---|"]
    for row in rows:
        comparable = row.key != "M"
        ratio_f = f"{row.wall / by['F'].wall:.2f}x" if comparable and "F" in by else "-"
        ratio_r = f"{row.wall / by['R'].wall:.2f}x" if comparable and "R" in by else "-"
        walls = ", ".join(f"{r.wall_s:.1f}" for r in row.runs)
        lines.append(f"| {row.key} | {row.label} | {walls} | {row.wall:.1f} | {row.cpu:.1f} | {row.rss:.0f} | "
                     f"{ratio_f} | {ratio_r} |")
    return "\n".join(lines)


def checks(rows: list[Row]) -> list[tuple[bool, str]]:
    by = {r.key: r for r in rows}
    out = []
    ratio = by["S"].wall / by["F"].wall
    out.append((ratio <= TARGET_STUDIO_VS_GRAPH,
                f"studio <= {TARGET_STUDIO_VS_GRAPH}x ffmpeg graph: {by['S'].wall:.1f} s / {by['F'].wall:.1f} s "
                f"= {ratio:.2f}x (CPU: {by['S'].cpu / by['F'].cpu:.2f}x)"))
    speedup = by["S"].wall / by["D"].wall
    out.append((speedup >= TARGET_DRAFT_SPEEDUP,
                f"draft >= {TARGET_DRAFT_SPEEDUP:g}x faster than final: {by['S'].wall:.1f} s / {by['D'].wall:.1f} s "
                f"= {speedup:.2f}x (CPU: {by['S'].cpu / by['D'].cpu:.2f}x)"))
    if "M" in by:
        out.append((by["M"].rss <= TARGET_PEAK_RSS_MB,
                    f"60 s render peak tree RSS <= {TARGET_PEAK_RSS_MB:.0f} MiB: {by['M'].rss:.0f} MiB"))
    return out


def write_results(path: Path, *, args: argparse.Namespace, host: dict[str, str], rows: list[Row],
                  verdicts: list[tuple[bool, str]], delivery: tuple[bool, str], probes: dict[str, dict[str, Any]],
                  frame_notes: list[str], loads: tuple[str, str], extra: list[str], started: str,
                  encode: list[str], argv: list[str]) -> None:
    notes = ""
    if path.exists() and NOTES_MARKER in path.read_text():
        notes = path.read_text().split(NOTES_MARKER, 1)[1]
    by = {r.key: r for r in rows}
    parts_lines = []
    for row in rows:
        peak = max(row.runs, key=lambda r: r.peak_rss_mb)
        parts = ", ".join(f"{k} {v / 2**20:.0f} MiB" for k, v in peak.peak_parts.items() if not k.startswith("#"))
        counts = ", ".join(f"{v} {k[1:]}" for k, v in peak.peak_parts.items() if k.startswith("#"))
        parts_lines.append(f"- {row.key}: {parts} (processes at the peak: {counts})")
    s_proc = statistics.median(r.process_s for r in by["S"].runs)
    text = f"""# Compositor benchmark

Generated by `.venv/bin/python bench/compose.py {' '.join(argv)}` on {started}.
The method is in the module docstring; in short:

- **S** the studio, `studio.compose.compositor.compose()` at preset douyin (1080x1920, 30 fps), timed around the call
  in a worker process (probe, overlays, audio mix, frames + encode, sidecars).
- **F** one hand-written ffmpeg invocation with one filter graph doing the same job from the same inputs and
  the same caption/label/title PNGs (from `build_overlays`): crop+scale, the same camera moves (zoompan),
  xfade, overlays with `enable='between(t,a,b)'`, looped music with afade, AAC 48 kHz.
- **R** raw libx264: the studio's own output video re-encoded (decode + encode), no compositing, so x264 sees
  exactly the studio's content.
- **D** the studio at preset draft (540x960, x264 veryfast).
- **M** the studio on a {2 * args.seconds:g} s version, run once: clip shots doubled to 12 s (the 6 s clips hold their
  last frame for the second half, as the studio does), photo shots lengthened so the total is exactly
  {2 * args.seconds:g} s, same crossfades.
- S, F and R share the encoder settings, taken from `studio.compose.encode.ffmpeg_command`: `{' '.join(encode)}`.
- Wall time is the median of the runs; CPU is user+system of the whole process tree (getrusage); peak RSS is the
  peak of the SUM of RSS over the process tree (python + every ffmpeg child), sampled from /proc every 50 ms.

## Machine

{host['nproc']} CPUs ({host['cpu']}), {host['ram']} RAM, Linux {host['kernel']}, Python {host['python']}.
Load average (1/5/15 min) at start: {loads[0]}; at the end: {loads[1]}. This machine is shared with other
work, so wall times are noisy; the CPU column is the steadier comparison.

## Results ({args.seconds:g} s clip, 6 shots, 5 crossfades)

{table(rows)}

S timed as a whole process (interpreter start-up and imports included): median {s_proc:.1f} s.

Peak RSS, split by process (summed over processes of that name, at the sampled peak):
{chr(10).join(parts_lines)}

## Target checks

{chr(10).join(f"- **{'PASS' if ok else 'FAIL'}** {line}" for ok, line in verdicts)}
- **{'PASS' if delivery[0] else 'FAIL'}** S and F deliver the same thing (ffprobe): {delivery[1]}

ffprobe of the outputs:
{chr(10).join(f"- {k}: {json.dumps(v, ensure_ascii=False)}" for k, v in probes.items())}

## Frames

{chr(10).join(frame_notes)}

{chr(10).join(extra)}

{NOTES_MARKER}{notes if notes else chr(10)}"""
    path.write_text(text.rstrip() + "\n")


# -- main -------------------------------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of the benchmark clip (default 30)")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "out", help="work folder (default bench/out)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of S, F, R and D; the median is reported")
    parser.add_argument("--no-memory", action="store_true", help="skip M, the 60 s memory run")
    parser.add_argument("--profile", action="store_true", help="also cProfile the frame producer alone")
    parser.add_argument("--loop1", action="store_true", help="also time F with -loop 1 -t photo inputs")
    parser.add_argument("--results", type=Path, default=REPO / "bench" / "RESULTS.md")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(json.loads(args.worker))
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    from studio.settings import Settings

    started_at = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    load_start = Path("/proc/loadavg").read_text().split()[:3]
    bench_started = time.perf_counter()
    settings = Settings.from_env()
    ffmpeg = settings.ffmpeg_exe()
    out: Path = args.out.resolve()
    runs_dir, logs = out / "runs", out / "logs"
    runs_dir.mkdir(parents=True, exist_ok=True)
    # 1. inputs and the project
    inputs = make_inputs(out / "inputs", ffmpeg)
    shot_durations(args.seconds, CLIP_MS)  # fail fast on a length the shots cannot make
    project = build_project(inputs, args.seconds, CLIP_MS, "douyin", settings)
    s_out, f_out, r_out, d_out = (runs_dir / f"{k}.mp4" for k in "SFRD")
    f_cmd = graph_command(project, settings, out / "overlays", f_out)
    (out / "graph_command.txt").write_text(" ".join(f"'{a}'" if " " in a or ";" in a else a for a in f_cmd))
    loop1_cmd = graph_command(project, settings, out / "overlays", runs_dir / "F1.mp4", loop_photo_input=True)

    # 2. timed runs, interleaved
    rows = {
        "S": Row("S", "studio compose(), douyin 1080x1920", []),
        "F": Row("F", "ffmpeg filter graph, one process", []),
        "R": Row("R", "raw libx264 re-encode of S's video", []),
        "D": Row("D", "studio compose(), draft 540x960", []),
    }
    if args.loop1:
        rows["F1"] = Row("F1", "F with `-loop 1 -t` photo inputs", [])
    for rep in range(args.repeat):
        plan: list[tuple[str, list[str]]] = [
            ("S", studio_worker_cmd(out, s_out, args.seconds, CLIP_MS, "douyin")),
            ("F", f_cmd),
            ("R", reencode_command(settings, s_out, r_out, "douyin")),
            ("D", studio_worker_cmd(out, d_out, args.seconds, CLIP_MS, "draft")),
        ]
        if args.loop1:
            plan.append(("F1", loop1_cmd))
        for key, cmd in plan:
            result = run_measured(key, cmd, logs / f"{key}_{rep + 1}.log")
            rows[key].runs.append(result)
            print(f"run {rep + 1}/{args.repeat} {key}: wall {result.wall_s:.1f} s, CPU {result.cpu_s:.1f} s, "
                  f"peak tree RSS {result.peak_rss_mb:.0f} MiB", flush=True)
    ordered = list(rows.values())
    if not args.no_memory:
        m_out = runs_dir / "M.mp4"
        result = run_measured("M", studio_worker_cmd(out, m_out, 2 * args.seconds, 2 * CLIP_MS, "douyin"),
                              logs / "M.log")
        print(f"run M: wall {result.wall_s:.1f} s, CPU {result.cpu_s:.1f} s, "
              f"peak tree RSS {result.peak_rss_mb:.0f} MiB", flush=True)
        ordered.append(Row("M", f"studio compose(), {2 * args.seconds:g} s, douyin", [result]))

    # 3. checks
    probes = {"S": probe_output(s_out), "F": probe_output(f_out), "R": probe_output(r_out), "D": probe_output(d_out)}
    if not args.no_memory:
        probes["M"] = probe_output(runs_dir / "M.mp4")
    delivery = same_delivery(probes["S"], probes["F"])
    times = frame_times(args.seconds)
    s_frames = grab_frames(ffmpeg, s_out, out / "frame_S", times)
    f_frames = grab_frames(ffmpeg, f_out, out / "frame_F", times)
    frame_notes = []
    for t, s_png, f_png in zip(times, s_frames, f_frames, strict=True):
        pair = out / f"frame_pair_{t:04.1f}s.png"
        side_by_side(s_png, f_png, pair)
        frame_notes.append(f"- {t:g} s: `{s_png.name}` (studio), `{f_png.name}` (graph), side by side "
                           f"`{pair.name}` (S left, F right); PSNR S vs F {psnr(s_png, f_png):.1f} dB")
    extra: list[str] = []
    if args.profile:
        prof = profile_producer(project, settings, out / "profile.txt")
        line = (f"Producer alone (cProfile on, no encoder): {prof['producer_s']:.1f} s for {prof['frames']} frames, "
                f"{prof['ms_per_frame']:.1f} ms/frame; the full profile is in `{(out / 'profile.txt').name}`.")
        extra.append("## Profile of the frame producer\n\n" + line)
        print(line)

    # 4. report
    verdicts = checks(ordered)
    load_end = Path("/proc/loadavg").read_text().split()[:3]
    print()
    print(table(ordered))
    print()
    for ok, line in [*verdicts, (delivery[0], f"S and F outputs match (ffprobe): {delivery[1]}")]:
        print(f"{'PASS' if ok else 'FAIL'}  {line}")
    print("R re-encodes the studio's own output video stream (decode + encode, same settings), so its content "
          "complexity matches S.")
    for note in frame_notes:
        print(note)
    write_results(args.results, args=args, host=machine(), rows=ordered, verdicts=verdicts, delivery=delivery,
                  probes=probes, frame_notes=frame_notes, loads=(" ".join(load_start), " ".join(load_end)),
                  extra=extra, started=started_at, encode=encoder_args(ffmpeg, 1080, 1920, 30, "douyin").encode,
                  argv=sys.argv[1:] if argv is None else argv)
    print(f"\nwrote {args.results}; whole benchmark took {time.perf_counter() - bench_started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
