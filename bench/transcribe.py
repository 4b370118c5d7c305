"""Benchmark: captions from the creator's voice (transcription) on a CPU.

Run ``HF_HUB_OFFLINE=1 .venv/bin/python bench/transcribe.py [--repeat N] [--threads N] [--no-write]``. A benchmark,
not a test: it prints a table, rewrites its own section of ``bench/RESULTS.md`` (between the transcribe-bench
markers) and reports the target as PASS/FAIL, never raises on a miss.

The model is whisper-base sized (d_model 512, 6+6 layers, 8 heads, ffn 2048, vocabulary 51865: 72M parameters)
with random weights, built here and converted by CTranslate2's converter to int8, then loaded through the studio's
own ``FasterWhisperTranscriber`` (the path ``STUDIO_WHISPER_MODEL`` takes): the compute per token is that of the
real whisper-base, the words are noise. The speech is about 10 s of espeak-ng English.

1. the recording: ``load_speech`` (ffprobe, ffmpeg to 16 kHz mono, the Silero voice detector); reference in the
   same run: ffmpeg's decode alone (``studio.sound.decode.decode_audio``).
2. the model: ``transcribe(word_timestamps=True)`` with greedy decoding capped at 40 new tokens, about what a real
   model writes for 10 s of speech (a random model would otherwise run to 448 tokens, which no real 10 s does).
RTF = (1 + 2) / audio length, median of ``--repeat`` runs after one warm-up. Target (issue 12): RTF <= 0.5.
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

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from pipelines.transcribe.audio import load_speech  # noqa: E402
from pipelines.transcribe.faster_whisper import FasterWhisperTranscriber  # noqa: E402
from studio.settings import Settings  # noqa: E402
from studio.sound.decode import decode_audio  # noqa: E402
from tests.helpers.tiny_whisper import BASE_DIMS, build_tiny_whisper, convert_for_faster_whisper  # noqa: E402

SPEECH = ("The quick brown fox jumps over the lazy dog while seven curious children watch quietly from the old "
          "wooden bridge, and the river runs on toward the sea.")
TARGET_RTF = 0.5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=min(4, os.cpu_count() or 1))
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="transcribe-bench-"))
    wav = work / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), SPEECH], check=True)
    started = time.perf_counter()
    hf = build_tiny_whisper(work / "base-hf", dims=BASE_DIMS)
    ct2 = convert_for_faster_whisper(hf, work / "base-ct2", quantization="int8")
    build_s = time.perf_counter() - started
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(work / "data")})
    transcriber = FasterWhisperTranscriber(str(ct2), device="cpu", threads=args.threads)
    started = time.perf_counter()
    model = transcriber.model()
    load_s = time.perf_counter() - started

    def once() -> tuple[float, float, float, int, float, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        speech = load_speech(wav, settings)
        t1 = time.perf_counter()
        segments, info = model.transcribe(speech.samples, language="en", word_timestamps=True, beam_size=1,
                                          temperature=0.0, condition_on_previous_text=False, max_new_tokens=40,
                                          vad_filter=False)
        words = [w for s in segments for w in (s.words or [])]
        t2, c2 = time.perf_counter(), time.process_time()
        decode_audio(wav, settings, rate=16000, channels=1)
        t3 = time.perf_counter()
        return t1 - t0, t2 - t1, t3 - t2, len(words), speech.duration_ms / 1000, c2 - c0

    once()  # warm-up: first inference allocates
    runs = [once() for _ in range(args.repeat)]
    audio_s = runs[0][4]
    prep = statistics.median(r[0] for r in runs)
    infer = statistics.median(r[1] for r in runs)
    decode_only = statistics.median(r[2] for r in runs)
    rtfs = [(r[0] + r[1]) / audio_s for r in runs]
    rtf = statistics.median(rtfs)
    # CPU seconds of this process (all its threads; the ffmpeg and ffprobe children not counted) per audio second,
    # spread over the threads asked for: the wall RTF an idle machine would show, the work being CPU-bound
    cpu_rtf = statistics.median(r[5] for r in runs) / audio_s / args.threads
    rows = "\n".join("| " + " | ".join(cells) + " |" for cells in (
        ("the recording: ffprobe + ffmpeg to 16 kHz + voice detector", f"{prep * 1000:.0f} ms",
         f"ffmpeg decode alone: {decode_only * 1000:.0f} ms", f"{prep / decode_only:.1f}x"),
        ("the model: transcribe with word timestamps", f"{infer:.2f} s", f"the audio: {audio_s:.2f} s",
         f"RTF {infer / audio_s:.3f}"),
        ("both", f"{prep + infer:.2f} s", "", f"**RTF {rtf:.3f}** (runs: {', '.join(f'{r:.3f}' for r in rtfs)})"),
    ))
    verdict = "PASS" if rtf <= TARGET_RTF else "FAIL"
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    section = f"""## Transcription: captions from your voice (bench/transcribe.py)

Generated by `.venv/bin/python bench/transcribe.py --repeat {args.repeat} --threads {args.threads}` on {now};
{os.cpu_count()} CPUs, Python {platform.python_version()}, load average at the end {load} (a shared machine: medians
are quoted). whisper-base sized model (72M parameters, random weights), CTranslate2 int8 on the CPU, loaded through
`FasterWhisperTranscriber` in {load_s:.2f} s (built and converted in {build_s:.1f} s); {audio_s:.2f} s of espeak-ng
English; greedy, word timestamps, 40 new tokens at most ({runs[0][3]} words came out).

| stage | median | reference (same run) | ratio |
|---|---|---|---|
{rows}

CPU time of the studio's process per audio second, spread over {args.threads} threads: {cpu_rtf:.3f} (the wall RTF
an idle machine would show, the work being CPU-bound; the load average above says how busy this one was).

- **{verdict}** transcription RTF <= {TARGET_RTF} with a whisper-base sized model on this CPU (wall): {rtf:.3f}
- Not measured here: accuracy (random weights hear nothing; trained weights are not reachable from this machine),
  and a GPU (none here).
"""
    print(section)
    if args.no_write:
        return
    from bench.results import write_section

    write_section("transcribe-bench", section)


if __name__ == "__main__":
    main()
