"""Benchmark: shots on a local Ray cluster against the same shots in this process, measured in the same run.

Run ``.venv/bin/python bench/ray.py [--repeat 5] [--shots 8] [--write]`` (needs the ``ray`` extra).
A benchmark, not a test: targets that miss print FAIL, never raise.

1. in process  ``render_shots`` of N still-draft shots (1080x1920 title cards) with the in-process runner
2. on Ray      the same shots (other seeds, so nothing is cached) on a local cluster of 2 CPUs: each shot a Ray
               task on one of 2 workers, the clip written to the shared cache, its path and progress sent back
   Ratio = Ray / in process (median): under 1 means the two workers won more than Ray's dispatch cost.
3. dispatch    the cost Ray adds to one shot, without the shot: ``runner.run`` of shots whose finished entries are
               already in the cache, so the worker only looks them up; one at a time (latency per shot) and N at
               once (per shot). Target: <= 50 ms per shot.
The local cluster's start (``ray.init``) and the workers' first import are printed, not counted in the medians.
``--write`` puts the table into bench/RESULTS.md between the ray markers (the rest of the file is kept).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# this file is bench/ray.py: its own folder must not be on the path, or `import ray` would import it
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
TARGET_DISPATCH_MS = 50.0


def _shots(n: int, take: int):
    from studio.project.model import Project, Shot

    return Project().with_shots([Shot(visual_prompt=f"A lighthouse at dusk, waves below. Shot {i}, take {take}.",
                                      caption=f"灯塔 {i}", duration_ms=3000, seed=1000 * take + i)
                                 for i in range(n)])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--shots", type=int, default=8)
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
        tmp = Path(tmp)
        os.environ.update({"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "disabled",
                           "RAY_USAGE_STATS_ENABLED": "0", "RAY_TMPDIR": str(tmp / "ray"), "OMP_NUM_THREADS": "1",
                           "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)})
        import ray

        from pipelines.cluster.contract import ShotJob
        from pipelines.cluster.local import InProcessRunner
        from pipelines.cluster.ray_runner import RayRunner
        from pipelines.services import Services
        from pipelines.shots import VideoOptions, render_shots
        from studio.settings import Settings

        t0 = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, object_store_memory=128 * 2**20,
                 namespace="shortstudio")
        init_s = time.perf_counter() - t0
        try:
            here = Services(Settings.from_env({"STUDIO_DATA_DIR": str(tmp / "here")}))
            settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp / "ray-data"), "STUDIO_RAY_ADDRESS": "local"})
            runner = RayRunner(settings, actor_cpus=0)
            on_ray = Services(settings, runner=runner)
            lookup_here = InProcessRunner(dataclasses.replace(settings, ray_address=None), here.video)
            assert lookup_here.cache_root == runner.cache_root
            still = VideoOptions(backend="still")

            t0 = time.perf_counter()  # cold: the two workers start and import the studio
            render_shots(_shots(2, 0), tmp / "warm", still, on_ray)
            cold_s = time.perf_counter() - t0
            render_shots(_shots(2, 0), tmp / "warm-here", still, here)

            local_s, ray_s, one_ms, many_ms, hit_here_ms = [], [], [], [], []
            for take in range(1, args.repeat + 1):
                t0 = time.perf_counter()
                render_shots(_shots(args.shots, take), tmp / f"h{take}", still, here)
                local_s.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                done = render_shots(_shots(args.shots, 100 + take), tmp / f"r{take}", still, on_ray)
                ray_s.append(time.perf_counter() - t0)
                assert len(done.generated) == args.shots, done.outcomes

                backend = runner.backend(still)
                jobs = [ShotJob(o.index, o.shot_id, o.cache_key, None) for o in done.outcomes]
                t0 = time.perf_counter()
                for job in jobs:  # one at a time: the latency Ray adds to a shot
                    assert [s.status for _, s in runner.run(backend, [job])] == ["cached"]
                one_ms.append((time.perf_counter() - t0) / len(jobs) * 1000)
                t0 = time.perf_counter()
                assert {s.status for _, s in runner.run(backend, jobs)} == {"cached"}
                many_ms.append((time.perf_counter() - t0) / len(jobs) * 1000)
                t0 = time.perf_counter()  # the same lookups in this process, in the same cache, for reference
                assert {s.status for _, s in lookup_here.run(lookup_here.backend(still), jobs)} == {"cached"}
                hit_here_ms.append((time.perf_counter() - t0) / len(jobs) * 1000)
            runner.close()
        finally:
            ray.shutdown()

    med = statistics.median
    ratio = med(ray_s) / med(local_s)
    dispatch = med(one_ms) - med(hit_here_ms)
    verdict = "ok" if dispatch <= TARGET_DISPATCH_MS else "FAIL"
    load = os.getloadavg()[0]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"Ray {ray.__version__}; load average at the end {load:.1f}. Medians of {args.repeat} runs.",
        "",
        "| what | median | note |",
        "|---|---|---|",
        f"| {args.shots} still shots in process | {med(local_s):.2f} s | the in-process runner |",
        f"| {args.shots} still shots on Ray (2 workers) | {med(ray_s):.2f} s | tasks, clips by path |",
        f"| ratio Ray / in process | {ratio:.2f} | under 1: Ray is faster |",
        f"| dispatch, one shot at a time | {med(one_ms):.1f} ms/shot | submit, run, progress, result |",
        f"| dispatch, {args.shots} at once | {med(many_ms):.1f} ms/shot | |",
        f"| the same cache lookup in process | {med(hit_here_ms):.1f} ms/shot | reference |",
        f"| overhead Ray adds per shot | {dispatch:.1f} ms | target <= {TARGET_DISPATCH_MS:.0f} ms: {verdict} |",
        f"| local cluster start (`ray.init`) | {init_s:.1f} s | once per process, not in the medians |",
        f"| first 2 shots (workers start and import) | {cold_s:.1f} s | once per worker, not in the medians |",
    ]
    print("\n".join(lines))
    if args.write:
        from bench.results import write_section

        write_section("ray", "\n".join(lines), heading="## Ray: shots on a local cluster (bench/ray.py)")
        print("wrote bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
