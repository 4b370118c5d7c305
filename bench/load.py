"""Benchmark: draft jobs under load: throughput, latency and memory at 1, 4 and 8 concurrent API clients.

Run ``.venv/bin/python bench/load.py [--clients 1,4,8] [--jobs-per-client 2] [--gpu-concurrency 1]
[--no-write]``. A benchmark, not a test: it prints a table and writes the ``load-bench`` section of
``bench/RESULTS.md`` (between its markers, appended at the end the first time; other sections are never touched).

Method
------
For each client count N: a fresh ``python app.py --port P`` (its own ``STUDIO_DATA_DIR``, the template script
writer, ``HF_HUB_OFFLINE=1``), one untimed warm-up job (first-use imports), then N gradio_client clients in threads
released together by a barrier, each calling ``make_short`` ``--jobs-per-client`` times in a row: a 15 s draft
(preset draft, still-image shots, 540x960), a distinct idea and seed per job, so no shot comes from the cache.
Latency is per call, submit to result, at the client; throughput is jobs / wall time of the whole batch. Peak
memory is the peak of the SUM of PSS (proportional set size: shared pages split, so a forked child that has not
yet exec'd does not count the server twice) over the server's process tree (python + every ffmpeg child), sampled
from ``/proc`` every 50 ms during the batch; the idle figure is sampled after the warm-up. Ratios are against the
1-client run measured in the same run. p95 is nearest-rank over that level's jobs (with 2 jobs a client, 8 to 16
jobs: read it as "the slow end").

The server's queues are the product's defaults: ``make_short`` is in the "gpu" queue with
``STUDIO_GPU_CONCURRENCY`` jobs at a time (1 unless ``--gpu-concurrency``), so more clients mean more queueing,
not more parallel work.
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.server import AppProcess, MemorySampler, tree_pss  # noqa: E402

SUBJECTS = ("lighthouse", "violin", "bicycle", "volcano", "submarine", "teapot", "kite", "glacier", "robot",
            "cactus", "comet", "penguin", "lantern", "harbor", "meadow", "castle")


@dataclass
class Level:
    clients: int
    latencies: list[float]
    wall_s: float
    peak_mb: float
    idle_mb: float
    failures: list[str]

    @property
    def jobs(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        """Jobs per minute."""
        return self.jobs / self.wall_s * 60 if self.wall_s else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else math.nan

    @property
    def p95(self) -> float:
        if not self.latencies:
            return math.nan
        ordered = sorted(self.latencies)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _make(client, job: int) -> tuple:
    idea = f"A tiny {SUBJECTS[job % len(SUBJECTS)]} goes on adventure number {job}"
    return client.predict(idea, 15, "draft", "vlog", "en", "", False, "still", "", 0, 0, 0, 0, 1000 + 37 * job,
                          api_name="/make_short")


def run_level(clients: int, jobs_per_client: int, gpu_concurrency: int, out: Path) -> Level:
    from gradio_client import Client

    with tempfile.TemporaryDirectory(prefix="load-bench-") as data, \
            AppProcess(Path(data), out / f"app_{clients}.log",
                       STUDIO_GPU_CONCURRENCY=str(gpu_concurrency)) as app:
        _make(Client(app.url, verbose=False, download_files=False), 10_000)  # warm-up: first-use imports
        idle_mb = tree_pss(app.proc.pid) / 2**20
        handles = [Client(app.url, verbose=False, download_files=False) for _ in range(clients)]
        barrier = threading.Barrier(clients)
        latencies: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()

        def work(i: int) -> None:
            barrier.wait()
            for k in range(jobs_per_client):
                started = time.monotonic()
                try:
                    _make(handles[i], i * jobs_per_client + k)
                except Exception as err:  # noqa: BLE001 (counted and reported, the run goes on)
                    with lock:
                        failures.append(f"client {i} job {k}: {err}")
                    continue
                with lock:
                    latencies.append(time.monotonic() - started)

        sampler = MemorySampler(app.proc.pid)
        sampler.start()
        threads = [threading.Thread(target=work, args=(i,)) for i in range(clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        peak_mb = sampler.stop() / 2**20
    return Level(clients, latencies, wall, peak_mb, idle_mb, failures)


def table(levels: list[Level]) -> list[str]:
    base = levels[0]
    lines = ["| clients | jobs | failures | wall s | throughput jobs/min | vs 1 | median latency s | vs 1 | "
             "p95 latency s | vs 1 | peak tree PSS MiB | idle PSS MiB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for lv in levels:
        lines.append(f"| {lv.clients} | {lv.jobs} | {len(lv.failures)} | {lv.wall_s:.1f} | {lv.throughput:.1f} | "
                     f"{lv.throughput / base.throughput:.2f}x | {lv.median:.2f} | {lv.median / base.median:.2f}x | "
                     f"{lv.p95:.2f} | {lv.p95 / base.p95:.2f}x | {lv.peak_mb:.0f} | {lv.idle_mb:.0f} |")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", default="1,4,8", help="comma-separated client counts; the first is the reference")
    parser.add_argument("--jobs-per-client", type=int, default=2)
    parser.add_argument("--gpu-concurrency", type=int, default=1, help="STUDIO_GPU_CONCURRENCY of the server")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "load")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    counts = [int(c) for c in args.clients.split(",")]
    load_start = os.getloadavg()
    levels = []
    for n in counts:
        levels.append(run_level(n, args.jobs_per_client, args.gpu_concurrency, args.out))
        lv = levels[-1]
        print(f"  {n} client(s): {lv.jobs} jobs in {lv.wall_s:.1f} s, median {lv.median:.2f} s, p95 {lv.p95:.2f} s, "
              f"peak tree PSS {lv.peak_mb:.0f} MiB, {len(lv.failures)} failures", file=sys.stderr, flush=True)
    base = levels[0]
    lines = [
        "## Load: draft jobs at 1, 4 and 8 concurrent API clients (bench/load.py)",
        "",
        f"Generated by `.venv/bin/python bench/load.py --clients {args.clients} --jobs-per-client "
        f"{args.jobs_per_client} --gpu-concurrency {args.gpu_concurrency}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average at the start {' '.join(f'{x:.2f}' for x in load_start)}, "
        f"at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())} (shared machine: wall times are noisy). "
        "Each job: `make_short` of a 15 s draft (template script, still-image shots, 540x960 compose) through "
        "gradio_client on loopback, a new idea and seed each (no cache hits). Method in the module docstring.",
        "",
        *table(levels),
        "",
        f"- one draft alone: {base.median:.2f} s median; the server runs `make_short` "
        f"{args.gpu_concurrency} at a time (the \"gpu\" queue), so throughput stays near the 1-client rate and "
        "latency grows with the queue ahead of a job",
        f"- peak tree PSS across levels: {max(lv.peak_mb for lv in levels):.0f} MiB (idle after warm-up "
        f"{min(lv.idle_mb for lv in levels):.0f}-{max(lv.idle_mb for lv in levels):.0f} MiB)",
        f"- failures: {sum(len(lv.failures) for lv in levels)}",
    ]
    lines += [f"  - {f}" for lv in levels for f in lv.failures[:5]]
    lines.append("")
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        from bench.results import write_section

        write_section("load-bench", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
