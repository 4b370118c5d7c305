"""``transcribe``: what a recording (a voice-over, or a clip with speech) says, as timed captions in an SRT or VTT
file; with ``--project`` the captions go into that project's shots instead (``actions.transcribe``)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path


def add_transcribe(commands) -> None:
    from pipelines.transcribe.captions import ChineseScript
    from pipelines.transcribe.service import LANGUAGES

    command = commands.add_parser("transcribe", help="captions from a voice: a recording or a clip with speech to "
                                                     "timed captions (SRT/VTT), or into a project's shots")
    command.add_argument("media", metavar="MEDIA", nargs="?",
                         help="audio or video with speech (with --project: a recording for the whole clip instead "
                              "of the project's own voice-over)")
    command.add_argument("-o", "--output", metavar="OUT.srt",
                         help="the captions file (.srt or .vtt); with --project, where the project is written "
                              "(default: over PROJECT.json)")
    command.add_argument("--project", metavar="PROJECT.json",
                         help="fill this project's captions (and word timings) from its voice-over instead")
    command.add_argument("--lang", choices=["auto", *LANGUAGES], default="auto",
                         help="language spoken (default: auto, the model hears it)")
    command.add_argument("--model", metavar="ID_OR_DIR",
                         help="Whisper model: hub id or folder (default: STUDIO_WHISPER_MODEL)")
    command.add_argument("--backend", choices=["auto", "faster-whisper", "transformers"],
                         help="transcriber (default: STUDIO_TRANSCRIBER, auto: by the model's format)")
    command.add_argument("--chinese", choices=[c.value for c in ChineseScript], default=ChineseScript.SIMPLIFIED,
                         help="Chinese captions in Simplified (default) or Traditional characters")
    command.set_defaults(handler=run_transcribe)


def run_transcribe(args: argparse.Namespace) -> int:
    from actions.transcribe import captions_from_voice, transcribe_media, write_subtitles
    from pipelines.services import Services
    from studio.backends import TranscriberBackendName
    from studio.errors import TranscriptionError
    from studio.settings import Settings

    settings = Settings.from_env()
    if args.backend:
        settings = dataclasses.replace(settings, transcriber=TranscriberBackendName(args.backend))
    services = Services(settings)
    if args.project:
        return _fill_project(services, args, captions_from_voice)
    if not args.media or not args.output:
        raise TranscriptionError("name the recording and where to write its captions: transcribe MEDIA -o OUT.srt")
    output = Path(args.output)
    if output.suffix.lower() not in (".srt", ".vtt"):
        raise TranscriptionError(f"{output.name}: captions are written as .srt or .vtt")
    if not output.parent.is_dir():
        raise TranscriptionError(f"the folder of {output} does not exist")
    result = transcribe_media(services, args.media, language=args.lang, chinese=args.chinese, model=args.model)
    write_subtitles(result, output)
    t = result.transcript
    print(f"wrote {output}: {len(result.cues)} captions, {len(result.words)} words, {t.duration_ms / 1000:.1f} s "
          f"in {t.language} ({t.backend}: {t.model})")
    return 0


def _fill_project(services, args: argparse.Namespace, captions_from_voice) -> int:
    from studio.project.files import load_project, save_project

    project, root = load_project(args.project, settings=services.settings)
    voice = Path(args.media).resolve() if args.media else None
    done = captions_from_voice(services, project, root, voice=voice, language=args.lang, chinese=args.chinese,
                               model=args.model)
    output = Path(args.output) if args.output else Path(args.project)
    save_project(done.project, output, source_root=root)
    shots = ", ".join(map(str, done.captioned_shots)) or "none"
    print(f"wrote {output}: captions from the voice on shot(s) {shots}")
    for note in done.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0
