"""The commands that speak: ``voice TEXT`` (a WAV and its word times) and ``voices`` (what can speak here, with
licences)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path


def add_voice(commands) -> None:
    command = commands.add_parser("voice", help="speak one line into a WAV, with the time of every word")
    command.add_argument("text", metavar="TEXT", help="the line to speak (numbers, dates and money are read out)")
    command.add_argument("--lang", choices=("auto", "zh", "en"), default="auto",
                         help="language of the line (default: zh when it has Chinese characters)")
    command.add_argument("--voice", metavar="NAME", help="a voice from 'voices' (default: the backend's for the "
                                                         "language)")
    command.add_argument("--backend", default="auto", metavar="{auto,espeak,piper,openai}",
                         help="voice backend (default: auto, the best voice present for the language)")
    command.add_argument("--speed", type=float, default=1.0, help="1.0 is natural; 0.5..2.0")
    command.add_argument("-o", "--output", required=True, type=Path, metavar="OUT.wav", help="the WAV to write")
    command.add_argument("--timings", type=Path, metavar="OUT.json",
                         help='also write the words as a JSON list of {"text", "start_ms", "end_ms"}')
    command.set_defaults(handler=run_voice)


def add_voices(commands) -> None:
    command = commands.add_parser("voices", help="the voices that can speak on this machine, with their licences")
    command.add_argument("--json", action="store_true", help="print the list as JSON")
    command.set_defaults(handler=run_voices)


def _services():
    from pipelines.services import Services
    from studio.settings import Settings

    return Services(Settings.from_env())


def run_voice(args: argparse.Namespace) -> int:
    from actions.voice import speak

    speech = speak(_services(), args.text, args.lang, args.voice, args.backend, args.speed, args.output,
                   args.timings)
    print(f"{speech.audio}: {speech.duration_ms / 1000:.2f} s, {len(speech.words)} words, voice {speech.voice} "
          f"({speech.backend}), word times: {speech.timing.value}{' (cached)' if speech.cached else ''}")
    return 0


def run_voices(args: argparse.Namespace) -> int:
    from actions.voice import list_voices

    voices = list_voices(_services())
    if args.json:
        print(json.dumps([{"backend": v.backend, "name": v.name, "languages": list(v.languages), "licence": v.licence,
                           "commercial": v.commercial.value, "description": v.description} for v in voices],
                         ensure_ascii=False, indent=2))
        return 0
    if not voices:
        print("no voice can speak here; install espeak-ng (apt-get install espeak-ng)")
        return 0
    for v in voices:
        print(f"{v.backend:7s} {v.name:20s} {'/'.join(v.languages):6s} commercial use: {v.commercial.value}")
        print(f"        {v.description}")
        print(f"        licence: {v.licence}")
    return 0
