"""Benchmark: the working tree against an earlier revision, pair by pair, for the two numbers a refactor must not
move: the studio's ``compose()`` and the UI's start-up.

Run ``.venv/bin/python bench/revisions.py --base REV [--pairs 5] [--seconds 12] [--no-write]``.
A benchmark, not a test: it prints a table and writes the ``revisions-bench`` section of ``bench/RESULTS.md``.

Why pairs: on a shared machine the absolute times drift by 30% between hours (bench/compose.py's ffmpeg
reference took 32.5 s one day and 45.4 s another), so a ratio against a reference measured on another day says
little. Here the base revision is checked out into a temporary git worktree and each pair runs the base and the
working tree back to back, alternating which goes first; the median of the per-pair ratios is the figure.

1. compose: ``bench/compose.py --worker`` of each tree (its own code builds the same project from the same inputs
   in ``bench/out/inputs``: photos, clips, captions, music, crossfades, douyin 1080x1920) times its own
   ``compose()`` call; CPU seconds of the worker process tree are read from ``RUSAGE_CHILDREN``.
2. UI start-up: ``python app.py --port P`` of each tree until ``GET /`` answers 200 (bench/e2e.py's method).

Each tree runs with its own folder first on ``PYTHONPATH`` and as its working directory, on this venv's Python.
Target: the working tree within 1.05x of the base for compose and 1.15x for start-up (medians of the pair ratios).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # bench.results, bench.e2e

from bench.e2e import base_env, free_port, time_until_served  # noqa: E402
from bench.results import write_section  # noqa: E402

PYTHON = sys.executable
COMPOSE_TARGET = 1.05
STARTUP_TARGET = 1.15


def tree_env(tree: Path, data_dir: Path) -> dict[str, str]:
    env = base_env(data_dir)
    env["PYTHONPATH"] = str(tree)
    return env


def time_compose(tree: Path, seconds: float, data_dir: Path) -> tuple[float, float]:
    """(compose() seconds as the worker reports them, CPU seconds of the worker's process tree)."""
    spec = {"out": str(ROOT / "bench" / "out"), "output": str(data_dir / "out.mp4"), "seconds": seconds,
            "clip_ms": int(seconds * 1000 / 3), "preset": "douyin"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([PYTHON, str(tree / "bench" / "compose.py"), "--worker", json.dumps(spec)], cwd=tree,
                          env=tree_env(tree, data_dir), capture_output=True, text=True, check=False)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"compose in {tree} failed:\n{done.stderr[-2000:]}")
    info = json.loads(done.stdout.strip().splitlines()[-1])
    return info["compose_s"], (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def time_startup(tree: Path, data_dir: Path, log: Path) -> float:
    port = free_port()
    env = tree_env(tree, data_dir)
    return time_until_served([PYTHON, str(tree / "app.py"), "--port", str(port)], port, env, log)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the revision to compare against (a commit, tag or branch)")
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=12.0, help="length of the composed clip (default 12)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()

    base_sha = subprocess.run(["git", "rev-parse", "--short", args.base], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    head_sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.strip())
    work = Path(tempfile.mkdtemp(prefix="revisions-"))
    base_tree = work / "base"
    subprocess.run(["git", "worktree", "add", "--detach", "-q", str(base_tree), base_sha], cwd=ROOT, check=True)
    trees = {"base": base_tree, "work": ROOT}
    compose: dict[str, list[tuple[float, float]]] = {"base": [], "work": []}
    startup: dict[str, list[float]] = {"base": [], "work": []}
    try:
        time_compose(ROOT, args.seconds, work / "warm")  # makes bench/out/inputs once, untimed
        for i in range(args.pairs):
            order = ("base", "work") if i % 2 == 0 else ("work", "base")
            for name in order:
                compose[name].append(time_compose(trees[name], args.seconds, work / f"c-{name}-{i}"))
                startup[name].append(time_startup(trees[name], work / f"s-{name}-{i}", work / f"s-{name}-{i}.log"))
                print(f"  pair {i + 1}/{args.pairs} {name}: compose {compose[name][-1][0]:.2f} s "
                      f"(cpu {compose[name][-1][1]:.1f} s), served in {startup[name][-1]:.2f} s", flush=True)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base_tree)], cwd=ROOT, check=False)
        shutil.rmtree(work, ignore_errors=True)

    def ratios(values: dict[str, list], pick=lambda v: v) -> list[float]:
        return [pick(w) / pick(b) for w, b in zip(values["work"], values["base"], strict=True)]

    wall = ratios(compose, lambda v: v[0])
    cpu = ratios(compose, lambda v: v[1])
    start = ratios(startup)
    med = statistics.median

    def row(label: str, work_runs: list[float], base_runs: list[float], pair: list[float]) -> str:
        return (f"| {label} | {med(base_runs):.2f} | {med(work_runs):.2f} | {med(pair):.3f}x "
                f"({min(pair):.3f}-{max(pair):.3f}) |")

    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## The working tree against an earlier revision (bench/revisions.py)", "",
        f"Generated by `.venv/bin/python bench/revisions.py --base {args.base} --pairs {args.pairs} --seconds "
        f"{args.seconds:g}` on {now}; {os.cpu_count()} CPUs, Python {platform.python_version()}; load average at "
        f"the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}. Base {base_sha}, working tree at {head_sha}"
        f"{' with uncommitted changes' if dirty else ''}. Method in the module docstring.", "",
        "| figure | base median | working tree median | pair ratio median (min-max) |", "|---|---|---|---|",
        row(f"compose() of a {args.seconds:g} s douyin clip, wall s", [v[0] for v in compose["work"]],
            [v[0] for v in compose["base"]], wall),
        row("the same, CPU s of the worker's process tree", [v[1] for v in compose["work"]],
            [v[1] for v in compose["base"]], cpu),
        row("`python app.py` spawn to the first 200 on GET /, s", startup["work"], startup["base"], start), "",
        f"- **{'PASS' if med(wall) <= COMPOSE_TARGET else 'FAIL'}** compose() within {COMPOSE_TARGET}x of the base: "
        f"{med(wall):.3f}x (CPU {med(cpu):.3f}x)",
        f"- **{'PASS' if med(start) <= STARTUP_TARGET else 'FAIL'}** UI start-up within {STARTUP_TARGET}x of the "
        f"base: {med(start):.3f}x",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("revisions-bench", text)


if __name__ == "__main__":
    main()
