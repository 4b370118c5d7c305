"""Benchmark: the script writer.

Run ``HF_HUB_OFFLINE=1 .venv/bin/python bench/script.py [--repeat N] [--no-write]``. A benchmark, not a
test: it prints a table, rewrites its own section of ``bench/RESULTS.md`` (between the script-bench
markers, below the compositor's notes) and reports targets as PASS/FAIL, never raises on a miss.

1. template: ``ScriptWriters.write`` with the template backend on four ideas (Chinese and English, short
   and long, 15-90 s); median ms per storyboard. Reference in the same run: validating that storyboard's
   JSON back into a ``Storyboard`` (the least any writer must do). Target: < 50 ms.
2. local, tiny: a random Qwen2 (hidden 32, 2 layers) built and saved here, through ``LocalScriptWriter``
   on CPU with one thread; median tokens/s of constrained decoding. Reference in the same run: the same
   model's plain ``generate`` without the grammar, same number of tokens (the ratio is xgrammar's cost).
3. GPU: time to a 6-shot storyboard with ``STUDIO_SCRIPT_MODEL`` (default Qwen/Qwen2.5-1.5B-Instruct),
   only when CUDA is available and the weights are on the machine; otherwise recorded as not run.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipelines.script.contract import ScriptRequest  # noqa: E402
from pipelines.script.writers import ScriptWriters, local_weights_available  # noqa: E402
from studio.project.model import Storyboard  # noqa: E402
from studio.project.presets import PresetName  # noqa: E402
from studio.settings import Settings  # noqa: E402

IDEAS = [
    ("一只橘猫在海边学冲浪", 15, PresetName.DOUYIN),
    ("清晨六点，城市慢慢醒来。街角的早餐店第一个亮灯。老板娘已经在揉面了！她做了三十年的包子；每天只卖三百个。", 60,
     PresetName.XIAOHONGSHU),
    ("A cat learns to surf at sunrise", 30, PresetName.TIKTOK),
    ("A tiny robot wakes up in an abandoned greenhouse. It finds one living flower. It decides to protect it. "
     "Storms come, and it shields the flower with its own body. Spring arrives.", 90, PresetName.SHORTS),
]


def bench_template(repeat: int) -> dict[str, float]:
    settings = Settings.from_env({"STUDIO_SCRIPT_MODEL": "/nonexistent", "STUDIO_SCRIPT_BACKEND": "template"})
    writers = ScriptWriters(settings)
    writers.write(ScriptRequest(idea="warm-up"))  # imports
    writer_ms, reference_ms = [], []
    for _ in range(repeat):
        for idea, seconds, preset in IDEAS:
            started = time.perf_counter()
            board = writers.write(ScriptRequest(idea=idea, seconds=seconds, preset=preset)).storyboard
            writer_ms.append((time.perf_counter() - started) * 1000)
            text = board.model_dump_json()
            started = time.perf_counter()
            Storyboard.model_validate_json(text)
            reference_ms.append((time.perf_counter() - started) * 1000)
    return {"median_ms": statistics.median(writer_ms), "max_ms": max(writer_ms),
            "reference_ms": statistics.median(reference_ms), "runs": len(writer_ms)}


def bench_local_tiny(repeat: int) -> dict[str, float]:
    import torch

    from pipelines.script.local import LocalScriptWriter
    from tests.helpers.tiny_llm import build_tiny_chat_model

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as folder:
        model_dir = build_tiny_chat_model(Path(folder) / "tiny")
        writer = LocalScriptWriter(str(model_dir))
        settings = Settings.from_env({"STUDIO_SCRIPT_MODEL": str(model_dir)})
        writers = ScriptWriters(settings, {writer.name: writer})
        rates, tokens, plain = [], [], []
        for run in range(repeat + 1):
            writers.write(ScriptRequest(idea="A cat learns to surf at sunrise", seconds=30, shots=6, seed=run),
                          backend="local")
            stats = writer.last_stats
            if run == 0:
                continue  # warm-up: grammar compile, first-call allocations
            rates.append(stats.tokens_per_s)
            tokens.append(stats.new_tokens)
            # reference: the same model, same token count, no grammar
            inputs = writer._tokenizer("hello", return_tensors="pt")
            started = time.perf_counter()
            writer._model.generate(**inputs, max_new_tokens=stats.new_tokens, min_new_tokens=stats.new_tokens,
                                   do_sample=False)
            plain.append(stats.new_tokens / (time.perf_counter() - started))
    return {"tokens_per_s": statistics.median(rates), "tokens": statistics.median(tokens),
            "plain_tokens_per_s": statistics.median(plain), "runs": repeat}


def bench_gpu(repeat: int) -> str:
    import torch

    settings = Settings.from_env()
    if not torch.cuda.is_available():
        return "not run: no CUDA GPU on this machine"
    if not local_weights_available(settings.script_model):
        return f"not run: the weights of {settings.script_model} are not on this machine"
    writers = ScriptWriters(settings)
    request = ScriptRequest(idea="一只橘猫在海边学冲浪，一次次被浪打翻，最后站上了浪尖", seconds=30, shots=6)
    writers.write(request, backend="local")  # load + warm-up
    times = []
    for seed in range(repeat):
        started = time.perf_counter()
        writers.write(ScriptRequest(**{**request.__dict__, "seed": seed}), backend="local")
        times.append(time.perf_counter() - started)
    stats = writers.writer("local").last_stats  # type: ignore[attr-defined]
    return (f"{settings.script_model} on {torch.cuda.get_device_name()}: median {statistics.median(times):.2f} s "
            f"to a 6-shot storyboard ({stats.new_tokens} tokens, {stats.tokens_per_s:.0f} tokens/s); target < 5 s: "
            f"{'PASS' if statistics.median(times) < 5 else 'FAIL'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()

    template = bench_template(args.repeat)
    tiny = bench_local_tiny(max(1, args.repeat // 2))
    gpu = bench_gpu(3)
    verdict = "PASS" if template["median_ms"] < 50 else "FAIL"
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    rows = "\n".join("| " + " | ".join(cells) + " |" for cells in (
        (f"template writer, one storyboard (4 ideas, zh/en, 15-90 s, {template['runs']} runs; "
         f"max {template['max_ms']:.1f} ms)", f"{template['median_ms']:.2f} ms",
         f"validating the storyboard's JSON: {template['reference_ms']:.2f} ms",
         f"{template['median_ms'] / template['reference_ms']:.1f}x", f"< 50 ms: **{verdict}**"),
        (f"local backend, tiny random Qwen2 on CPU (1 thread), constrained decoding, 6 shots "
         f"({tiny['tokens']:.0f} tokens, {tiny['runs']} runs)", f"{tiny['tokens_per_s']:.0f} tokens/s",
         f"plain `generate`, same model and token count: {tiny['plain_tokens_per_s']:.0f} tokens/s",
         f"{tiny['tokens_per_s'] / tiny['plain_tokens_per_s']:.2f}x", "-"),
    ))
    section = f"""## Script writer

Generated by `.venv/bin/python bench/script.py --repeat {args.repeat}` on {now}; {os.cpu_count()} CPUs,
Python {platform.python_version()}, load average at the end {load} (a shared machine: medians are quoted).

| what | median | reference (same run) | ratio | target |
|---|---|---|---|---|
{rows}

GPU, default model: {gpu}.
"""
    print(section)
    if args.no_write:
        return
    from bench.results import write_section

    write_section("script-bench", section)


if __name__ == "__main__":
    main()
