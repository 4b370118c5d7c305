"""Benchmark: how fast the voice engines speak, as real-time factors (synthesis seconds / audio seconds).

Run ``.venv/bin/python bench/voice.py [--repeat 5] [--no-write]``.
A benchmark, not a test: it prints a table and writes the "Voice" section of ``bench/RESULTS.md``; targets that
miss are reported as FAIL, never raised.

Method
------
1. Lines: a 20-word English sentence and a 28-Hanzi Chinese one (the recipes' sentences).
2. espeak-ng through the studio's backend (``EspeakVoice.speak``: JSON to the worker process, WAV written, word
   times read back), with the worker already started; and, in the same run, the reference: the ``espeak-ng``
   program itself writing the same line to a WAV (process start included), the way a tool without a worker runs it.
3. Piper (the bundled joe voice, English) through ``PiperVoice.speak``: espeak-ng phonemes in subprocesses,
   onnxruntime with the duration output, WAV written; the session loaded once before timing (its load is
   reported on its own). Piper's pauses vary per run, so the audio length differs between runs too. Reference, in
   the same run: the bare onnxruntime call on the same phoneme ids (what any Piper runtime must spend), so the
   ratio shows what the studio adds (phonemes, word times, the WAV).
4. Every run writes to a fresh path: nothing comes from the studio's cache. Medians over ``--repeat`` runs,
   the engines interleaved.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import write_section  # noqa: E402
from pipelines.voice.contract import SpeechRequest  # noqa: E402
from pipelines.voice.espeak import EspeakVoice  # noqa: E402
from pipelines.voice.piper import PiperVoice  # noqa: E402
from studio.project.model import Language  # noqa: E402

EN = ("The quick brown fox jumps over the lazy dog while seven curious children watch quietly from the old wooden "
      "bridge.")
ZH = "今天天气很好，我们一起去公园散步，看看美丽的花朵和绿色的树木。"
TARGETS = {"espeak": 0.05, "piper": 0.3}


def _wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def _cli(text: str, voice: str, out: Path) -> float:
    started = time.perf_counter()
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(out), "--stdin"], input=text.encode("utf-8"), check=True)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed: apt-get install espeak-ng")
        return 1
    work = Path(tempfile.mkdtemp(prefix="voice-bench-"))
    espeak, piper = EspeakVoice(), PiperVoice()
    started = time.perf_counter()
    piper.load("en_US-joe-medium")
    piper_load = time.perf_counter() - started
    espeak.speak(SpeechRequest("Warm up.", Language.EN), work / "warm-e.wav")
    piper.speak(SpeechRequest("Warm up.", Language.EN), work / "warm-p.wav")

    rows: dict[str, list[tuple[float, float]]] = {}  # name -> (synthesis s, audio s)
    n = 0

    def run(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        nonlocal n
        n += 1
        out = work / f"{n}.wav"
        seconds = fn(out)
        rows.setdefault(name, []).append((seconds, _wav_seconds(out)))

    def timed(backend, text: str, language: Language):  # type: ignore[no-untyped-def]
        def go(out: Path) -> float:
            t0 = time.perf_counter()
            backend.speak(SpeechRequest(text, language), out)
            return time.perf_counter() - t0
        return go

    loaded = piper.load("en_US-joe-medium")
    import numpy as np

    bare_ids = np.array([[1, 0] + [i for p in range(180) for i in (20 + p % 40, 0)] + [2]], dtype=np.int64)

    def bare(out: Path) -> float:
        t0 = time.perf_counter()
        audio, _ = loaded.session.run(None, {"input": bare_ids, "input_lengths": np.array([bare_ids.shape[1]]),
                                             "scales": np.array([0.667, 1.0, 0.8], dtype=np.float32)})
        seconds = time.perf_counter() - t0
        with wave.open(str(out), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(loaded.sample_rate)
            w.writeframes((np.clip(audio.reshape(-1), -1, 1) * 32767).astype("<i2").tobytes())
        return seconds

    for _ in range(args.repeat):
        run("espeak en (studio backend, worker process)", timed(espeak, EN, Language.EN))
        run("espeak-ng program en (reference)", lambda out: _cli(EN, "en-us", out))
        run("espeak zh (studio backend, worker process)", timed(espeak, ZH, Language.ZH))
        run("espeak-ng program zh (reference)", lambda out: _cli(ZH, "cmn-latn-pinyin", out))
        run("piper joe en (studio backend)", timed(piper, EN, Language.EN))
        run("piper joe, bare onnxruntime call, 180 phonemes (reference)", bare)
    espeak.close()

    def med(name: str) -> tuple[float, float, float]:
        synth = statistics.median(s for s, _ in rows[name])
        audio = statistics.median(a for _, a in rows[name])
        rtf = statistics.median(s / a for s, a in rows[name])
        return synth, audio, rtf

    lines = [f"Generated by `.venv/bin/python bench/voice.py --repeat {args.repeat}` on "
             f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} CPUs, Python "
             f"{platform.python_version()}; load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
             " (shared machine: wall times are noisy). Method in the module docstring.", "",
             "| engine, line | synthesis s (median) | audio s | RTF median | RTF runs |", "|---|---|---|---|---|"]
    for name, runs in rows.items():
        synth, audio, rtf = med(name)
        lines.append(f"| {name} | {synth:.3f} | {audio:.2f} | {rtf:.4f} | "
                     f"{', '.join(f'{s / a:.3f}' for s, a in runs)} |")
    lines += ["", f"Piper voice load (onnx graph edit + onnxruntime session, once per process): {piper_load:.2f} s.",
              ""]
    espeak_rtf = max(med("espeak en (studio backend, worker process)")[2],
                     med("espeak zh (studio backend, worker process)")[2])
    cli_rtf = med("espeak-ng program en (reference)")[2]
    piper_rtf = med("piper joe en (studio backend)")[2]
    bare_rtf = med("piper joe, bare onnxruntime call, 180 phonemes (reference)")[2]
    lines += [f"- **{'PASS' if espeak_rtf <= TARGETS['espeak'] else 'FAIL'}** espeak RTF <= {TARGETS['espeak']}: "
              f"{espeak_rtf:.4f} (worst language; the espeak-ng program with its process start: {cli_rtf:.4f}, "
              f"{espeak_rtf / cli_rtf:.2f}x of it)",
              f"- **{'PASS' if piper_rtf <= TARGETS['piper'] else 'FAIL'}** Piper RTF <= {TARGETS['piper']}: "
              f"{piper_rtf:.3f} ({piper_rtf / bare_rtf:.2f}x the bare onnxruntime call's {bare_rtf:.3f}; "
              f"{piper_rtf / espeak_rtf:.0f}x espeak's)"]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("voice-bench", text, heading="## Voice engines (bench/voice.py)")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
