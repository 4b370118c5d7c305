"""Benchmark: the two end-to-end promises, each against a reference measured in the same run.

Run ``.venv/bin/python bench/e2e.py [--repeat 5] [--make-repeat 3] [--out bench/out/e2e] [--no-write]``.
A benchmark, not a test: it prints a table and writes the ``e2e-bench`` section of ``bench/RESULTS.md``
(between its markers, appended at the end the first time; other sections are never touched). Targets that
miss are reported as FAIL, never raised.

Method
------
1. UI start-up: wall time from spawning ``python app.py --port P`` (its own ``STUDIO_DATA_DIR`` in a temporary
   folder, ``HF_HUB_OFFLINE=1``, analytics off) until ``GET /`` answers 200, polled every 20 ms; the process
   group is then stopped. References, interleaved with it run by run so machine load hits all alike:
   R1 a bare ``gr.Blocks`` app with one Markdown served the same way (what any Gradio app costs here), and
   R2 ``python -c "import gradio"`` (the import alone). One extra, untimed start checks what the served
   studio process has imported: torch, diffusers, transformers, librosa and moviepy must not be among them.
   Target: the studio is served in <= 3 s (median of ``--repeat``).
2. Idea to a 30 s draft: ``python -m studio make IDEA --seconds 30 --preset draft --backend template
   --video-backend still --seed S`` in a fresh process, a new seed each run (no shot-cache hits), median of
   ``--make-repeat``; then as many runs with the first run's seed into new files (every shot from the cache),
   reported separately. Reference R3: ``python -m studio compose`` of the same still images (the first run's
   shot files) with the same captions and hook title, cuts, each shot ``duration / N`` long, same preset: the
   compositor's share without script writing, shot generation or project saves. Target: <= 60 s (median).

The app measured is whatever ``app.py`` is in the working tree; its state (git status, size, hash) is printed
with the numbers, because the UI changes while this benchmark exists.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench.results
PYTHON = sys.executable
TARGET_UI_S = 3.0
TARGET_MAKE_S = 60.0
HEAVY = ("torch", "diffusers", "transformers", "librosa", "moviepy", "xgrammar", "cv2")
IDEA = "A tiny robot finds the last living flower in a dusty city and protects it from a storm"

BARE_APP = """
import sys
import gradio as gr
with gr.Blocks() as demo:
    gr.Markdown("hello")
demo.launch(server_name="127.0.0.1", server_port=int(sys.argv[1]))
"""

# Runs app.py as __main__ and, once it answers, writes the heavy modules it has imported.
WATCHED_APP = """
import json, runpy, sys, threading, time, urllib.request
out, port, heavy = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
def watch():
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except Exception:
            time.sleep(0.05)
    open(out, "w").write(json.dumps(sorted(m for m in heavy if m in sys.modules)))
threading.Thread(target=watch, daemon=True).start()
sys.argv = ["app.py", "--port", port]
runpy.run_path("app.py", run_name="__main__")
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(data_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False", STUDIO_DATA_DIR=str(data_dir),
               STUDIO_SCRIPT_MODEL=str(data_dir / "no-model"), PYTHONDONTWRITEBYTECODE="1")
    for name in ("STUDIO_LLM_URL", "STUDIO_SCRIPT_BACKEND", "STUDIO_VIDEO_BACKEND", "STUDIO_SHOT_CACHE_DIR",
                 "STUDIO_HOST", "STUDIO_PORT"):
        env.pop(name, None)
    return env


def stop(proc: subprocess.Popen) -> None:
    """Stop the server we started, and its children: its own process group (start_new_session)."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def time_until_served(args: list[str], port: int, env: dict[str, str], log: Path, timeout_s: float = 60.0,
                      then: Callable[[], None] | None = None) -> float:
    """Seconds from spawn to the first 200 on GET /, then ``then()`` while it still runs; raises RuntimeError when
    it exits first or times out."""
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            while time.perf_counter() - started < timeout_s:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as reply:
                        if reply.status == 200:
                            elapsed = time.perf_counter() - started
                            if then is not None:
                                then()
                            return elapsed
                except OSError:
                    pass
                if proc.poll() is not None:
                    raise RuntimeError(f"exited with {proc.returncode} before serving (log: {log})")
                time.sleep(0.02)
            raise RuntimeError(f"not served within {timeout_s:g} s (log: {log})")
        finally:
            stop(proc)


def timed_run(args: list[str], env: dict[str, str], log: Path) -> float:
    with log.open("wb") as out:
        started = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:4])} ... exited with {done.returncode} (log: {log})")
    return elapsed


def bench_ui(out: Path, repeat: int) -> dict:
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    bare = out / "bare_app.py"
    bare.write_text(BARE_APP, encoding="utf-8")
    times: dict[str, list[float]] = {"app": [], "bare": [], "import": []}
    errors: list[str] = []
    for i in range(repeat):
        with tempfile.TemporaryDirectory(prefix="e2e-ui-") as data:
            env = base_env(Path(data))
            port = free_port()
            try:
                times["app"].append(time_until_served([PYTHON, "app.py", "--port", str(port)], port, env,
                                                      logs / f"app_{i}.log"))
            except RuntimeError as err:
                errors.append(f"app.py: {err}")
            port = free_port()
            times["bare"].append(time_until_served([PYTHON, str(bare), str(port)], port, env, logs / f"bare_{i}.log"))
            times["import"].append(timed_run([PYTHON, "-c", "import gradio"], env, logs / f"import_{i}.log"))
        print(f"  ui run {i + 1}/{repeat}: " + ", ".join(f"{k} {v[-1]:.2f} s" for k, v in times.items() if v),
              file=sys.stderr)
    heavy: list[str] | None = None
    with tempfile.TemporaryDirectory(prefix="e2e-ui-") as data:
        port, report = free_port(), Path(data) / "heavy.json"

        def wait_for_report() -> None:
            for _ in range(200):  # the watcher writes right after its own 200
                if report.exists() and report.stat().st_size:
                    return
                time.sleep(0.05)

        try:
            time_until_served([PYTHON, "-c", WATCHED_APP, str(report), str(port), ",".join(HEAVY)], port,
                              base_env(Path(data)), logs / "app_watched.log", then=wait_for_report)
            if report.exists() and report.stat().st_size:
                heavy = json.loads(report.read_text())
        except RuntimeError as err:
            errors.append(f"app.py (import check): {err}")
    return {"times": times, "heavy": heavy, "errors": errors}


def bench_make(out: Path, repeat: int) -> dict:
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    runs = out / "make"
    shutil.rmtree(runs, ignore_errors=True)
    runs.mkdir(parents=True)
    data = Path(tempfile.mkdtemp(prefix="e2e-make-"))  # one shot cache for every run, as on a user's machine
    env = base_env(data)
    flags = ["--seconds", "30", "--preset", "draft", "--backend", "template", "--video-backend", "still"]
    seed0 = int(time.time()) % 100_000 * 10  # fresh seeds each time the benchmark runs: no hits from earlier runs
    times: dict[str, list[float]] = {"make": [], "cached": [], "compose": []}
    first: dict | None = None
    try:
        for i in range(repeat):
            video = runs / f"make_{i}.mp4"
            times["make"].append(timed_run([PYTHON, "-m", "studio", "make", IDEA, *flags, "--seed", str(seed0 + i),
                                            "-o", str(video)], env, logs / f"make_{i}.log"))
            if first is None:
                first = _reference_inputs(video)
            times["compose"].append(timed_run([PYTHON, "-m", "studio", "compose", *first["args"], "--preset", "draft",
                                               "--transition", "cut", "-o", str(runs / f"compose_{i}.mp4")], env,
                                              logs / f"compose_{i}.log"))
            print(f"  make run {i + 1}/{repeat}: make {times['make'][-1]:.2f} s, compose {times['compose'][-1]:.2f} s",
                  file=sys.stderr)
        for i in range(repeat):  # after the fresh runs, so every shot of the first seed is in the cache
            log = logs / f"make_cached_{i}.log"
            times["cached"].append(timed_run([PYTHON, "-m", "studio", "make", IDEA, *flags, "--seed", str(seed0),
                                              "-o", str(runs / f"make_cached_{i}.mp4")], env, log))
        cache_line = next((line.strip() for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                           if line.strip().startswith("shots:")), "")
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return {"times": times, "shots": first["shots"], "make_duration_s": first["duration_s"],
            "compose_duration_s": probe_duration(runs / "compose_0.mp4"), "cache_line": cache_line}


def _reference_inputs(video: Path) -> dict:
    """The compose arguments for the reference: the make's own still images, captions and hook title."""
    project = json.loads(video.with_name(f"{video.stem}.project.json").read_text(encoding="utf-8"))
    root = video.parent
    shots = project["storyboard"]["shots"]
    duration_s = probe_duration(video)
    args: list[str] = []
    for shot in shots:
        args += ["--shot", str(root / shot["media"]), "--caption", shot.get("caption") or ""]
    args += ["--shot-seconds", f"{duration_s / len(shots):.2f}"]
    hook = project["storyboard"].get("hook") or ""
    if hook:
        args += ["--title", hook]
    return {"args": args, "shots": len(shots), "duration_s": duration_s}


def probe_duration(video: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(video)],
                         capture_output=True, text=True, check=True).stdout
    return float(out.strip())


def app_state() -> str:
    app = ROOT / "app.py"
    text = app.read_bytes()
    status = subprocess.run(["git", "status", "--short", "--", "app.py", "ui"], cwd=ROOT, capture_output=True,
                            text=True).stdout.split("\n")
    changed = sorted({line[3:].split("/")[0] for line in status if line.strip()})
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    ui = "with the ui/ package" if (ROOT / "ui" / "__init__.py").exists() else "without a ui/ package"
    where = f"uncommitted changes in {', '.join(changed)}" if changed else "as committed"
    return (f"app.py {len(text.splitlines())} lines (sha256 {hashlib.sha256(text).hexdigest()[:12]}), {ui}, "
            f"HEAD {commit}, {where}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="UI start-ups per variant")
    parser.add_argument("--make-repeat", type=int, default=3, help="makes (fresh seeds) and reference composes")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "e2e")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    state = app_state()
    print(f"measuring {state}", file=sys.stderr)

    ui = bench_ui(args.out, args.repeat)
    make = bench_make(args.out, args.make_repeat)
    med = {f"ui_{k}": statistics.median(v) for k, v in ui["times"].items() if v}
    med.update({f"make_{k}": statistics.median(v) for k, v in make["times"].items() if v})

    def row(label: str, runs: list[float], key: str, ref: str | None) -> str:
        ratio = f"{med[key] / med[ref]:.2f}x" if ref and key in med and ref in med else "-"
        value = f"{med[key]:.2f}" if key in med else "failed"
        return f"| {label} | {', '.join(f'{x:.2f}' for x in runs) or '-'} | {value} | {ratio} |"

    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    ui_ok = "ui_app" in med and med["ui_app"] <= TARGET_UI_S and ui["heavy"] == []
    make_ok = "make_make" in med and med["make_make"] <= TARGET_MAKE_S
    lines = [
        "## End to end: UI start-up and idea to a 30 s draft (bench/e2e.py)",
        "",
        f"Generated by `.venv/bin/python bench/e2e.py --repeat {args.repeat} --make-repeat {args.make_repeat}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(shared machine: wall times are noisy). Method in the module docstring.",
        f"Measured: {state}.",
        "",
        "| UI start-up: spawn to the first 200 on GET / | runs s | median s | vs bare Blocks app |",
        "|---|---|---|---|",
        row("`python app.py --port P` (the studio)", ui["times"]["app"], "ui_app", "ui_bare"),
        row("R1 bare `gr.Blocks` app, one Markdown", ui["times"]["bare"], "ui_bare", "ui_bare"),
        row("R2 `python -c \"import gradio\"` (no server)", ui["times"]["import"], "ui_import", "ui_bare"),
        "",
        f"| idea to a 30 s draft ({make['shots']} shots, {make['make_duration_s']:.1f} s, 540x960) | runs s | "
        "median s | vs compose |",
        "|---|---|---|---|",
        row("`python -m studio make` (template + still), fresh seeds", make["times"]["make"], "make_make",
            "make_compose"),
        row("the same make again, every shot from the cache", make["times"]["cached"], "make_cached", "make_compose"),
        row(f"R3 `python -m studio compose` of the same {make['shots']} images "
            f"({make['compose_duration_s']:.1f} s, cuts)", make["times"]["compose"], "make_compose", "make_compose"),
        "",
        f"- **{verdict(ui_ok)}** UI served <= {TARGET_UI_S:g} s after `python app.py`: "
        + (f"{med['ui_app']:.2f} s median ({med['ui_app'] / med['ui_bare']:.2f}x a bare Blocks app, "
           f"{med['ui_app'] - med['ui_import']:.2f} s more than importing gradio)" if "ui_app" in med
           else "app.py did not serve")
        + (f"; heavy modules imported by the served studio: {', '.join(ui['heavy']) or 'none'}"
           if ui["heavy"] is not None else "; import check did not run"),
        f"- **{verdict(make_ok)}** a 30 s draft from an idea <= {TARGET_MAKE_S:g} s with the offline backends: "
        f"{med['make_make']:.2f} s median with fresh seeds, {med['make_cached']:.2f} s with every shot cached "
        f"({make['cache_line'] or 'cache line not found'}); the compositor alone on the same images takes "
        f"{med['make_compose']:.2f} s, so script, shots and project files add "
        f"{med['make_make'] - med['make_compose']:.2f} s",
    ]
    lines += [f"- error: {err}" for err in ui["errors"]]
    lines.append("")
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        from bench.results import write_section

        write_section("e2e-bench", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
