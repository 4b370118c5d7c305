"""Benchmark: ``python -m studio doctor`` answers in one second without importing torch.

Run ``.venv/bin/python bench/doctor.py [--repeat N] [--no-write]``. A benchmark, not a test: it prints a table,
rewrites its own section of ``bench/RESULTS.md`` (between the doctor-bench markers) and reports the target as
PASS/FAIL, never raises on a miss.

Each round runs, one after the other (so load on a shared machine hits all three alike), in fresh processes:

- **I** ``python -c "import studio"``: the interpreter and the domain package, the floor of any command;
- **S** ``python -m studio settings``: the command line's own start-up (every command imports the same modules);
- **D** ``python -m studio doctor``: start-up plus the report (GPU probe, disk, HF cache scan, every stage), on an
  empty HF cache;
- **C** the same on an HF cache holding three models in huggingface_hub's layout (tiny files: what costs is importing
  huggingface_hub and walking the cache, not the bytes), the studio's script model among them.

Wall time is the median over the rounds. Also measured: ``pipelines.machine.doctor()`` in-process after the imports
(the report alone), and whether torch is in ``sys.modules`` after the doctor ran (it must not be). Target: D <= 1 s.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.results import write_section  # noqa: E402

CASES = {
    "I": ("import studio", [sys.executable, "-c", "import studio"]),
    "S": ("python -m studio settings", [sys.executable, "-m", "studio", "settings"]),
    "D": ("python -m studio doctor", [sys.executable, "-m", "studio", "doctor"]),
    "C": ("python -m studio doctor (3 models cached)", [sys.executable, "-m", "studio", "doctor"]),
}
TORCH_CHECK = ("import sys; from cli.main import main; main(['doctor']); "
               "print('torch imported' if 'torch' in sys.modules else 'torch not imported', file=sys.stderr)")


def fake_cache(home: Path) -> Path:
    """Three models as huggingface_hub lays them out: blobs, a snapshot of symlinks, refs/main."""
    commit = "0" * 40
    for model in ("Qwen/Qwen2.5-1.5B-Instruct", "Wan-AI/Wan2.1-T2V-1.3B-Diffusers", "someone/other-model"):
        repo = home / "hub" / ("models--" + model.replace("/", "--"))
        (repo / "refs").mkdir(parents=True)
        (repo / "refs" / "main").write_text(commit)
        for i, name in enumerate(("config.json", "tokenizer_config.json", "model.safetensors", "vae/config.json")):
            blob = repo / "blobs" / f"{i:040x}"
            blob.parent.mkdir(exist_ok=True)
            blob.write_bytes(b"{}")
            link = repo / "snapshots" / commit / name
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(os.path.relpath(blob, link.parent))
    return home


def timed(argv: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - started


def in_process(repeat: int, data_dir: Path, hf_home: str) -> list[float]:
    from pipelines.machine import doctor
    from studio.settings import HubEnvironment, Settings

    settings = Settings.from_env({**os.environ, "STUDIO_DATA_DIR": str(data_dir)})
    hub = HubEnvironment.from_env({"HF_HOME": hf_home, "HF_HUB_OFFLINE": "1"})
    doctor(settings, hub)  # imports
    return [doctor(settings, hub).elapsed_ms for _ in range(repeat)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="doctor-bench-"))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "STUDIO_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO),
           "PYTHONDONTWRITEBYTECODE": "1", "HF_HOME": str(data_dir / "empty-hf")}
    envs = {key: env for key in CASES}
    envs["C"] = {**env, "HF_HOME": str(fake_cache(data_dir / "hf"))}
    load_before = os.getloadavg()
    for key, (_, argv) in CASES.items():  # warm the file cache once
        timed(argv, envs[key])
    runs: dict[str, list[float]] = {key: [] for key in CASES}
    for _ in range(args.repeat):
        for key, (_, argv) in CASES.items():
            runs[key].append(timed(argv, envs[key]))
    torch = subprocess.run([sys.executable, "-c", TORCH_CHECK], cwd=REPO, env=envs["C"], capture_output=True,
                           text=True).stderr.strip().splitlines()[-1]
    report_ms = in_process(args.repeat, data_dir, envs["C"]["HF_HOME"])
    load_after = os.getloadavg()
    median = {key: statistics.median(values) for key, values in runs.items()}

    from pipelines.machine import probe_gpus

    gpu = probe_gpus()
    gpus = ", ".join(g.name for g in gpu.gpus) or "no NVIDIA GPU"
    lines = [
        "# Doctor benchmark",
        "",
        f"Generated by `.venv/bin/python bench/doctor.py --repeat {args.repeat}` on "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC. The method is in the module docstring.",
        "",
        f"{os.cpu_count()} CPUs, {gpus}, Python {platform.python_version()}; load average (1 min) "
        f"{load_before[0]:.2f} at the start, {load_after[0]:.2f} at the end (a shared machine: wall times are noisy, "
        "the ratios against the same round's references steadier).",
        "",
        "| case | what | median wall s | min s | max s | / import studio | / CLI start-up |",
        "|---|---|---|---|---|---|---|",
    ]
    for key, (what, _) in CASES.items():
        lines.append(f"| {key} | `{what}` | {median[key]:.3f} | {min(runs[key]):.3f} | {max(runs[key]):.3f} | "
                     f"{median[key] / median['I']:.1f}x | {median[key] / median['S']:.2f}x |")
    lines += [
        "",
        f"The report alone on case C's cache, in process after the imports (`pipelines.machine.doctor()`): median "
        f"{statistics.median(report_ms):.0f} ms (min {min(report_ms):.0f}, max {max(report_ms):.0f}); after the "
        f"doctor ran: {torch}.",
        "",
        "## Target checks",
        "",
        *(f"- **{'PASS' if median[key] <= 1.0 else 'FAIL'}** {CASES[key][0]} <= 1 s: {median[key]:.3f} s "
          f"({median[key] / median['S']:.2f}x the command line's start-up, {median[key] / median['I']:.1f}x "
          "`import studio`)" for key in ("D", "C")),
        f"- **{'PASS' if torch == 'torch not imported' else 'FAIL'}** torch is not imported: {torch}",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        print(f"\nwrote {write_section('doctor-bench', text)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
