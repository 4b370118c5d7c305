"""Benchmark: a 30 s ``make`` with narration against the same ``make`` without it, in the same run.

Run ``.venv/bin/python bench/narration.py [--repeat 2] [--out bench/out/narration] [--no-write]``.
A benchmark, not a test: it prints a table and writes the ``narration-bench`` section of ``bench/RESULTS.md``
(between its markers; other sections are never touched). Targets that miss are reported as FAIL, never raised.

Method
------
1. Each run is ``python -m studio make IDEA --seconds 30 --preset draft --backend template --video-backend still
   --music sunny_pop --seed S --voice V`` in a fresh process with its own ``STUDIO_DATA_DIR`` (no shot cache, no
   voice cache), the same seed for every run of one idea, so both variants make the same storyboard and shots.
   Variants, interleaved run by run (none, voice, none, voice, ...) so machine load hits both alike:
   N  ``--voice none``: storyboard, shots, captions and music only (the reference);
   V  ``--voice espeak`` (the offline default for Chinese, and for English without a Piper voice) and
      ``--voice auto`` for English, which picks the bundled Piper voice when it is installed.
   Ratios: median wall time of V over N, and median CPU time (user + system of the whole process tree, from
   ``getrusage(RUSAGE_CHILDREN)``; much steadier than wall time on a shared machine) of V over N. Target: the CPU
   ratio <= 1.2x (the wall ratio is printed beside it).
2. On one narrated result per idea: the output's integrated loudness (pyloudnorm over the MP4's decoded sound),
   and the ducking: the mastered mix rendered again without the voice; in every half second where the voice
   speaks throughout, the energy below 70 Hz (music only: no voice there) with and without the voice, corrected
   by the two masters' gains. Targets: -14 +- 1 LUFS; music under speech 8 dB or more below the music alone.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = sys.executable
TARGET_RATIO = 1.2
CASES = (  # (label, idea, voice)
    ("zh, espeak (auto)", "一只橘猫在海边学冲浪，第一次就站上了浪尖，朋友们都在岸边为它欢呼", "auto"),
    ("en, espeak", "A tiny robot finds the last living flower in a dusty city and protects it from a storm",
     "espeak"),
    ("en, auto (Piper when installed)",
     "A tiny robot finds the last living flower in a dusty city and protects it from a storm", "auto"),
)


def _make(out: Path, idea: str, voice: str, seed: int) -> tuple[float, float]:
    """(wall s, CPU s of the process tree) of one make in a fresh process."""
    data = Path(tempfile.mkdtemp(prefix="narration-bench-data-"))
    env = {**os.environ, "STUDIO_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
           "PYTHONPATH": str(ROOT)}
    cmd = [PYTHON, "-m", "studio", "make", idea, "--seconds", "30", "--preset", "draft", "--backend", "template",
           "--video-backend", "still", "--music", "sunny_pop", "--seed", str(seed), "--voice", voice, "-o", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"make failed ({voice}): {done.stderr.strip()[-600:]}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _sound_checks(out: Path) -> tuple[float, float, float]:
    """(LUFS of the MP4, ducking in dB, share of the clip with voice)."""
    import numpy as np
    import pyloudnorm

    from studio.compose.compositor import plan_render, render_sound
    from studio.project.files import load_project
    from studio.settings import Settings
    from studio.sound.decode import SAMPLE_RATE
    from studio.sound.mix import voice_activity, voice_track

    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(out), "-vn", "-ac", "2", "-ar", "48000", "-f", "f32le",
                          "-"], capture_output=True, check=True).stdout
    sound = np.frombuffer(raw, "<f4").reshape(-1, 2).astype(np.float64)
    lufs = pyloudnorm.Meter(48000).integrated_loudness(sound)
    settings = Settings.from_env()
    project, root = load_project(out.with_name(f"{out.stem}.project.json"))
    plan = plan_render(project, settings, root)
    mixed, with_voice = render_sound(plan, settings)
    silent = project.with_shots([s.model_copy(update={"voiceover_audio": None}) for s in project.shots])
    plain, without_voice = render_sound(plan_render(silent, settings, root), settings)
    speaking = np.repeat(voice_activity(voice_track(plan.timeline, plan.sound, settings, len(mixed))),
                         SAMPLE_RATE // 100)[: len(mixed)]

    def band(x: np.ndarray) -> float:
        spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2
        freqs = np.fft.rfftfreq(len(x), 1 / SAMPLE_RATE)
        return 10 * np.log10(spectrum[(freqs > 25) & (freqs < 70)].sum() + 1e-20)

    block = SAMPLE_RATE // 2
    ducks = [band(mixed[s:s + block, 0]) - band(plain[s:s + block, 0]) for s in range(0, len(mixed) - block, block)
             if speaking[s:s + block].all()]
    ducking = float(np.median(ducks)) - (with_voice.gain_db - without_voice.gain_db) if ducks else float("nan")
    return lufs, ducking, float(speaking.mean())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "narration")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows, checks, sound = [], [], []
    for k, (label, idea, voice) in enumerate(CASES):
        seed = 11 + k
        plain, spoken = [], []  # (wall, cpu) per run
        for r in range(args.repeat):
            plain.append(_make(args.out / f"case{k}-none-{r}.mp4", idea, "none", seed))
            spoken.append(_make(args.out / f"case{k}-voice-{r}.mp4", idea, voice, seed))
            print(f"{label}: none {plain[-1][0]:.1f} s ({plain[-1][1]:.1f} CPU s), voice {spoken[-1][0]:.1f} s "
                  f"({spoken[-1][1]:.1f} CPU s)", flush=True)

        def med(runs: list[tuple[float, float]], i: int) -> float:
            return statistics.median(run[i] for run in runs)

        wall, cpu = med(spoken, 0) / med(plain, 0), med(spoken, 1) / med(plain, 1)
        walls = [", ".join(f"{w:.1f}" for w, _ in runs) for runs in (plain, spoken)]
        rows.append(f"| {label} | {walls[0]} | {walls[1]} | {med(plain, 1):.1f} | {med(spoken, 1):.1f} | {wall:.2f}x "
                    f"| {cpu:.2f}x |")
        checks.append(f"- **{'PASS' if cpu <= TARGET_RATIO else 'FAIL'}** {label}: make with narration <= "
                      f"{TARGET_RATIO}x the same make without (CPU): {cpu:.2f}x (wall {wall:.2f}x)")
        lufs, ducking, share = _sound_checks(args.out / f"case{k}-voice-0.mp4")
        sound.append(f"| {label} | {lufs:.1f} | {ducking:.1f} | {share:.0%} |")
        checks.append(f"- **{'PASS' if abs(lufs + 14) <= 1 else 'FAIL'}** {label}: output loudness -14 +- 1 LUFS: "
                      f"{lufs:.1f}")
        checks.append(f"- **{'PASS' if ducking <= -8 else 'FAIL'}** {label}: music under speech >= 8 dB below the "
                      f"music alone: {ducking:.1f} dB")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = "\n".join([
        f"Generated by `.venv/bin/python bench/narration.py --repeat {args.repeat}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end {load} (shared machine: wall times are noisy). "
        "Method in the module docstring.", "",
        "| 30 s draft make, idea | wall without, s | wall with, s | CPU without, s (median) | CPU with, s (median) | "
        "wall ratio | CPU ratio |", "|---|---|---|---|---|---|---|", *rows, "",
        "| narrated output | LUFS (MP4) | music under speech vs alone, dB | share of the clip spoken |",
        "|---|---|---|---|", *sound, "", *checks])
    print(text)
    if not args.no_write:
        from bench.results import write_section

        write_section("narration-bench", text, heading="## Narration (bench/narration.py)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
