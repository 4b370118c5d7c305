"""Benchmark: beat analysis speed, and what the sound stage adds to a compose.

Run ``.venv/bin/python bench/audio.py [--repeat 3] [--seconds 30] [--out bench/out/audio]``.
A benchmark, not a test: it prints a table and writes a section of ``bench/RESULTS.md``; targets
that miss are reported as FAIL, never raised.

Method
------
1. Inputs (made once in ``--out``): a synthesized 3-minute song (drums, bass and a chord per bar at
   120 BPM, 48 kHz stereo WAV), a synthesized voice-over (tone bursts standing in for sentences),
   and six 1600x2400 gradient photos.
2. Beat analysis of the 3-minute song:
   - ``cold``: ``studio.sound.beats.analyse_beats`` in a fresh process (librosa import and its numba
     compilation included), no cache;
   - ``warm``: the same call again in that process, no cache;
   - ``cached``: the call with the cache filled (hash the file, read a JSON);
   - reference, in the same processes: ``librosa.load`` at its default 22.05 kHz plus
     ``librosa.beat.beat_track`` with default arguments, the way most tools call it, timed after
     its imports (so it compares with ``warm``). The studio tracks beats with its own
     dynamic-programming loop instead of ``librosa.beat``, whose import compiles numba kernels
     (~1.4 s here) in every new process.
3. The sound stage inside a compose: a ``--seconds`` clip at preset douyin, six photos, crossfades,
   the song as music with beat sync and the voice-over (so ducking and mastering run). Timed:
   the whole ``compose()`` call, and ``compositor.render_sound`` (mix, ducking, loudness
   measurement, limiter) on the same plan; the share is sound / compose. Also the same compose
   with no music and no voice-over (the sound stage then writes silence) for the difference.
Medians over ``--repeat`` runs; the compose runs interleave with and without sound.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_ANALYSIS_S = 5.0
TARGET_SOUND_SHARE = 0.10


def make_inputs(out: Path, seconds: int) -> dict[str, Path]:
    import numpy as np

    from tests.helpers.media import make_image
    from tests.helpers.music import RATE, drum_song, write_wav

    out.mkdir(parents=True, exist_ok=True)
    paths = {"song": out / "song_3min.wav", "voice": out / "voice.wav"}
    if not paths["song"].exists():
        song, _, _ = drum_song(120, 90)  # 90 bars at 120 BPM = 3 minutes
        write_wav(song, paths["song"])
    if not paths["voice"].exists():
        t = np.arange(int(seconds * RATE)) / RATE
        on = (np.sin(2 * np.pi * t / 7.0) > -0.2).astype(np.float64)  # ~4 s sentences, ~3 s pauses
        mono = 0.25 * np.sin(2 * np.pi * 180 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t)) * on
        write_wav(np.stack([mono, mono], axis=1), paths["voice"])
    colors = [(200, 80, 40), (40, 120, 200), (60, 160, 90), (180, 60, 150), (220, 180, 40), (70, 70, 90)]
    for i, color in enumerate(colors):
        paths[f"photo{i}"] = out / f"photo{i}.jpg"
        if not paths[f"photo{i}"].exists():
            make_image(paths[f"photo{i}"], (1600, 2400), color, "gradient")
    return paths


_ANALYSIS_CHILD = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
song, data = Path(sys.argv[2]), Path(sys.argv[3])
out = {}
t = time.perf_counter()
from studio.sound.beats import analyse_beats
from studio.settings import Settings
settings = Settings.from_env({"STUDIO_DATA_DIR": str(data)})
first = analyse_beats(song, settings, use_cache=False)
out["cold"] = time.perf_counter() - t
t = time.perf_counter(); analyse_beats(song, settings, use_cache=False); out["warm"] = time.perf_counter() - t
analyse_beats(song, settings)  # fills the cache
t = time.perf_counter(); analyse_beats(song, settings); out["cached"] = time.perf_counter() - t
import librosa, librosa.beat  # imported (and its numba kernels compiled) before the clock starts
t = time.perf_counter()
y, sr = librosa.load(str(song))
tempo, beats = librosa.beat.beat_track(y=y, sr=sr)
out["reference"] = time.perf_counter() - t
out["tempo"] = first.tempo_bpm
out["beats"] = len(first.beats_ms)
print(json.dumps(out))
"""


def bench_analysis(song: Path, out: Path, repeat: int) -> list[dict]:
    runs = []
    for i in range(repeat):
        data = out / f"data-analysis-{i}"
        result = subprocess.run([sys.executable, "-c", _ANALYSIS_CHILD, str(ROOT), str(song), str(data)],
                                capture_output=True, text=True, check=True, env={**os.environ, "HF_HUB_OFFLINE": "1"})
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return runs


def _project(paths: dict[str, Path], seconds: int, with_sound: bool):
    from studio.project.files import validate_project

    n = 6
    shot_ms = round((seconds * 1000 + (n - 1) * 500) / n)
    shots = [{"media": str(paths[f"photo{i}"]), "duration_ms": shot_ms, "transition": "crossfade",
              "caption": f"第{i + 1}个镜头 shot {i + 1}"} for i in range(n)]
    data: dict = {"preset": "douyin", "storyboard": {"hook": "音乐测试", "shots": shots}}
    if with_sound:
        data["music"] = {"path": str(paths["song"]), "beat_sync": True}
        data["voiceover"] = {"path": str(paths["voice"])}
    return validate_project(data)


def _cpu_seconds() -> float:
    """User + system CPU of this process and its waited-for children (the ffmpeg encoder and decoders)."""
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def bench_compose(paths: dict[str, Path], out: Path, seconds: int, repeat: int) -> dict[str, list[float]]:
    from studio.compose import compositor
    from studio.settings import Settings

    settings = Settings.from_env({"STUDIO_DATA_DIR": str(out / "data-compose")})
    times: dict[str, list[float]] = {"with": [], "without": [], "sound": [], "sound_silent": [], "with_cpu": [],
                                     "without_cpu": []}
    for _ in range(repeat):
        for key in ("with", "without"):
            project = _project(paths, seconds, key == "with")
            cpu = _cpu_seconds()
            started = time.perf_counter()
            result = compositor.compose(project, out / f"clip_{key}.mp4", settings=settings)
            times[key].append(time.perf_counter() - started)
            times[f"{key}_cpu"].append(_cpu_seconds() - cpu)
            plan = compositor.plan_render(result.project or project, settings)
            started = time.perf_counter()
            compositor.render_sound(plan, settings)
            times["sound" if key == "with" else "sound_silent"].append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "audio")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    paths = make_inputs(args.out, args.seconds)

    analysis = bench_analysis(paths["song"], args.out, args.repeat)
    med = {k: statistics.median(r[k] for r in analysis) for k in ("cold", "warm", "cached", "reference")}
    compose = bench_compose(paths, args.out, args.seconds, args.repeat)
    cm = {k: statistics.median(v) for k, v in compose.items()}
    share = cm["sound"] / cm["with"]

    lines = [
        "## Audio: beat analysis and the sound stage (bench/audio.py)",
        "",
        f"Generated by `.venv/bin/python bench/audio.py --repeat {args.repeat} --seconds {args.seconds}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(shared machine: wall times are noisy). Method in the module docstring.",
        "",
        "| what (3-minute song, 120 BPM) | runs s | median s | vs reference |",
        "|---|---|---|---|",
    ]
    for key, label in (("cold", "analyse_beats, fresh process (librosa imports included)"),
                       ("warm", "analyse_beats again, same process"),
                       ("cached", "analyse_beats, cache hit"),
                       ("reference", "librosa.load + beat_track defaults")):
        runs = ", ".join(f"{r[key]:.2f}" for r in analysis)
        lines.append(f"| {label} | {runs} | {med[key]:.2f} | {med[key] / med['reference']:.2f}x |")
    lines += [
        "",
        f"Tempo found: {analysis[0]['tempo']} BPM, {analysis[0]['beats']} beats.",
        "",
        f"| compose, {args.seconds} s douyin clip, 6 photos | runs s | median s |",
        "|---|---|---|",
    ]
    for key, label in (("with", "compose() with music + beat sync + voice-over"),
                       ("without", "compose() without music or voice"),
                       ("with_cpu", "  CPU s (process + ffmpeg children), with sound"),
                       ("without_cpu", "  CPU s, without sound"),
                       ("sound", "render_sound: mix + ducking + mastering"),
                       ("sound_silent", "render_sound with nothing to play")):
        lines.append(f"| {label} | {', '.join(f'{x:.2f}' for x in compose[key])} | {cm[key]:.2f} |")
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    lines += [
        "",
        f"- **{verdict(med['cold'] < TARGET_ANALYSIS_S)}** beat analysis of a 3-minute song < "
        f"{TARGET_ANALYSIS_S:g} s: {med['cold']:.2f} s cold, {med['warm']:.2f} s warm, {med['cached'] * 1000:.0f} ms "
        "cached",
        f"- **{verdict(share < TARGET_SOUND_SHARE)}** mixing and mastering add < {TARGET_SOUND_SHARE:.0%} to a "
        f"compose: {cm['sound']:.2f} s of {cm['with']:.2f} s = {share:.1%} (with vs without sound: "
        f"{cm['with']:.2f} s / {cm['without']:.2f} s = {cm['with'] / cm['without']:.2f}x wall, "
        f"{cm['with_cpu'] / cm['without_cpu']:.2f}x CPU; the difference also holds the AAC encode of a real "
        "signal instead of silence and the beat analysis lookup)",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        from bench.results import write_section

        write_section("audio-bench", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
