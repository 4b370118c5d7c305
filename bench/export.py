"""Benchmark: an editor hand-off of a 60 s, 20-shot project, in every format, against saving the project file.

Run ``.venv/bin/python bench/export.py [--repeat 5] [--out bench/out/export] [--no-write]``. A benchmark, not a
test: it prints a table and writes the ``export-bench`` section of ``bench/RESULTS.md`` (between its markers; other
sections are never touched). Targets that miss are reported as FAIL, never raised.

Method
------
1. Inputs (made once in ``--out``): one 1080x1920 30 fps H.264 clip of 3.5 s, colour-tagged BT.709 (so the media
   step is a hard link, as for a clip the studio renders at the canvas size), a 2 s mono narration tone and the
   bundled ``sunny_pop`` track. The project: preset douyin (1080x1920, 30 fps), 20 shots of 3.2 s with 0.4 s
   crossfades on every other cut (60.0 s), a Chinese caption with an emoji on each shot, a hook title, the music
   with ducking under narration on every fourth shot (so the ducking keyframes are computed from decoded voice).
2. Timed per round, one after the other so machine load hits all alike (fonts and imports warmed first):
   - R, the reference: ``save_project`` of the same project into a fresh folder (validate, relocate paths, JSON,
     atomic write): the one file every export of the studio already writes;
   - C: ``check_export`` (limits, files inside the folder, music fitted, every file probed by ffprobe);
   - P: ``plan_edit`` (media decisions, the timeline in frames, captions laid out as the MP4 has them, the ducking
     from the decoded voice);
   - W per format: the format's file, the SRT/VTT and the README (``write_timeline``) into a fresh folder;
   - M: ``write_media``, the hard links (excluded from the target, reported).
3. The target: P + W <= 1 s for every format (the export of the timeline, media linking excluded); C is reported
   beside it (probing is media work). Medians over ``--repeat`` rounds, and the ratio to R.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_S = 1.0
SHOTS = 20
CAPTION = "第{n}个镜头：海边的风很大 🌊"


def make_inputs(out: Path) -> Path:
    from tests.helpers.media import make_tone

    media = out / "media"
    media.mkdir(parents=True, exist_ok=True)
    clip = media / "clip.mp4"
    if not clip.exists():
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=1080x1920:rate=30:d=3.5",
                        "-vf", "scale=out_color_matrix=bt709,format=yuv420p", "-c:v", "libx264", "-preset",
                        "ultrafast", "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709",
                        str(clip)], check=True, timeout=300)
    if not (media / "narration.wav").exists():
        make_tone(media / "narration.wav", 2.0, 1000)
    shots = [{"id": f"s{n}", "caption": CAPTION.format(n=n + 1), "duration_ms": 3200, "media": "media/clip.mp4",
              "transition": "crossfade" if n % 2 else "cut", "transition_ms": 400,
              **({"voiceover_audio": "media/narration.wav"} if n % 4 == 0 else {})} for n in range(SHOTS)]
    project = {"schema_version": 1, "preset": "douyin", "storyboard": {"title": "Bench", "hook": "海边的一天",
                                                                       "shots": shots},
               "music": {"library": "sunny_pop", "gain_db": -10}}
    path = out / "project.json"
    path.write_text(json.dumps(project, ensure_ascii=False), encoding="utf-8")
    return path


def bench(project_file: Path, repeat: int) -> tuple[dict[str, list[float]], dict]:
    from studio.export.folder import write_timeline
    from studio.export.formats import FORMATS, EditFormat
    from studio.export.media import write_media
    from studio.export.plan import check_export, plan_edit
    from studio.project.files import load_project, save_project
    from studio.settings import Settings
    from studio.text.subtitles import subtitle_text

    settings = Settings.from_env()
    project, root = load_project(project_file)
    sources = check_export(project, settings, root)  # warm: imports, fonts, the music grid
    plan = plan_edit(sources, settings, pictures=True)
    srt, vtt = subtitle_text(sources.timeline, "srt"), subtitle_text(sources.timeline, "vtt")
    times: dict[str, list[float]] = {key: [] for key in ("R", "C", "P", "M", *(f"W:{f.value}" for f in EditFormat))}
    facts = {"frames": plan.edit.frames, "seconds": plan.edit.frames / plan.edit.canvas.fps,
             "captions": len(plan.edit.captions), "duck_keyframes": len(plan.edit.music.duck),
             "media": [i.stage.value for i in plan.media.items]}
    canvas = (plan.edit.canvas.width, plan.edit.canvas.height, plan.edit.canvas.fps)
    for _ in range(repeat):
        with tempfile.TemporaryDirectory(prefix="export-bench-") as scratch:
            scratch = Path(scratch)
            started = time.perf_counter()
            save_project(project, scratch / "saved" / "project.json", source_root=root)
            times["R"].append(time.perf_counter() - started)
            started = time.perf_counter()
            sources = check_export(project, settings, root)
            times["C"].append(time.perf_counter() - started)
            started = time.perf_counter()
            plan = plan_edit(sources, settings, pictures=True)
            times["P"].append(time.perf_counter() - started)
            folder = scratch / "media-only"
            folder.mkdir()
            started = time.perf_counter()
            write_media(plan.media, folder, plan.fits, plan.pictures, canvas, settings)
            times["M"].append(time.perf_counter() - started)
            for fmt in EditFormat:
                target = scratch / fmt.value
                shutil.copytree(folder, target, copy_function=os.link)  # the media, as the writers expect them
                started = time.perf_counter()
                write_timeline(FORMATS[fmt], plan, target, version="bench", project_id=project.id, srt=srt, vtt=vtt)
                times[f"W:{fmt.value}"].append(time.perf_counter() - started)
    return times, facts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "export")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from studio.export.formats import FORMATS, EditFormat

    times, facts = bench(make_inputs(args.out), args.repeat)
    med = {key: statistics.median(values) for key, values in times.items()}
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    rows = [f"| R: save_project (reference) | {med['R'] * 1000:.0f} | 1.00x | |",
            f"| C: check_export (probe every file) | {med['C'] * 1000:.0f} | {med['C'] / med['R']:.2f}x | |",
            f"| P: plan_edit (timeline in frames, captions, ducking) | {med['P'] * 1000:.0f} | "
            f"{med['P'] / med['R']:.2f}x | |",
            f"| M: write_media (hard links; excluded) | {med['M'] * 1000:.0f} | {med['M'] / med['R']:.2f}x | |"]
    checks = []
    for fmt in EditFormat:
        write = med[f"W:{fmt.value}"]
        total = med["P"] + write
        rows.append(f"| W: {FORMATS[fmt].label} | {write * 1000:.0f} | {write / med['R']:.2f}x | "
                    f"{total * 1000:.0f} ms = {total / med['R']:.1f}x R |")
        checks.append(f"- **{verdict(total <= TARGET_S)}** {fmt.value}: P + W = {total * 1000:.0f} ms <= "
                      f"{TARGET_S * 1000:.0f} ms (with probing, C + P + W = {(total + med['C']) * 1000:.0f} ms)")
    lines = [
        "## Editor hand-off: a 60 s, 20-shot project (bench/export.py)",
        "",
        f"Generated by `.venv/bin/python bench/export.py --repeat {args.repeat}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(shared machine: compare the ratios). Method in the module docstring.",
        "",
        f"Project: {facts['seconds']:.1f} s, {facts['frames']} frames at 1080x1920/30, {SHOTS} shots, "
        f"{facts['captions']} captions, music ducked with {facts['duck_keyframes']} keyframes; media "
        f"{', '.join(sorted(set(facts['media'])))}. Medians of {args.repeat} rounds.",
        "",
        "| step | median ms | vs R | P + W |",
        "|---|---|---|---|",
        *rows,
        "",
        *checks,
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        from bench.results import write_section

        write_section("export-bench", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
