"""The commands on ideas: ``script`` (an idea to a storyboard), ``enhance`` (one prompt made concrete), ``make``
(an idea to a postable clip) and ``batch`` (many ideas, one draft each)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

import actions
from cli import flags
from pipelines.make import MakeOptions, MakePaths, MakeProgress, MakeResult, MakeStage
from studio.backends import ScriptBackendName
from studio.errors import RenderCancelled, StudioError
from studio.project.model import Bible


def add_script(commands) -> None:
    script = commands.add_parser("script", help="write a storyboard (shots, captions, voice-over, prompts) "
                                                "from an idea")
    script.set_defaults(handler=run_script)
    flags.add_script_flags(script)
    script.add_argument("-o", "--output", required=True, metavar="STORYBOARD.json")


def add_enhance(commands) -> None:
    enhance = commands.add_parser("enhance", help="rewrite one shot prompt so a video model renders it well")
    enhance.set_defaults(handler=run_enhance)
    enhance.add_argument("prompt", metavar="PROMPT", help="the shot's visual prompt, in any language")
    enhance.add_argument("--project", metavar="PROJECT.json", help="carry this project's character bible in")
    enhance.add_argument("--backend", choices=[b.value for b in ScriptBackendName],
                         help="script writer (default: STUDIO_SCRIPT_BACKEND, auto)")
    enhance.add_argument("--llm-url", metavar="URL", help="OpenAI-compatible base URL (default: STUDIO_LLM_URL)")
    enhance.add_argument("--llm-model", metavar="NAME", help="model name at that URL (default: STUDIO_LLM_MODEL)")
    enhance.add_argument("--model", metavar="ID_OR_DIR", help="local chat model (default: STUDIO_SCRIPT_MODEL)")


def add_make(commands) -> None:
    make = commands.add_parser("make", help="one idea to a postable clip: storyboard, shots, captions, music, MP4")
    make.set_defaults(handler=run_make)
    flags.add_script_flags(make)
    flags.add_video_flags(make)
    flags.add_make_flags(make)
    make.add_argument("-o", "--output", required=True, metavar="OUT.mp4",
                      help="the clip; OUT.project.json (saved before generating) and the sidecars go beside it")


def add_batch(commands) -> None:
    batch = commands.add_parser("batch", help="a list of ideas to one draft each (resumable), with a summary")
    batch.set_defaults(handler=run_batch, idea="", script_file=None)
    batch.add_argument("ideas", metavar="IDEAS.txt|IDEAS.csv",
                       help="one idea a line (# comments and blank lines skipped), or a CSV with an idea column "
                            "and optional seconds, lang, preset, style, music, beat_sync, seed, caption_style")
    flags.add_script_flags(batch, idea=False)
    flags.add_video_flags(batch)
    flags.add_make_flags(batch)
    batch.add_argument("-o", "--output", required=True, metavar="DIR",
                       help="folder for DIR/NNN-<idea>/ (clip, sidecars, project) and DIR/summary.json; run the "
                            "same command again to resume: finished items are skipped")
    batch.add_argument("--ideas-in-flight", type=int, metavar="N",
                       help="ideas made at once, with --ray (default: 2 on a Ray cluster, 1 otherwise)")


def run_script(args: argparse.Namespace) -> int:
    services = flags.services(args)
    output = Path(args.output)
    if output.suffix.lower() != ".json":
        raise StudioError(f"output {output.name!r} must end in .json")
    if not output.parent.is_dir():
        raise StudioError(f"folder {str(output.parent)!r} does not exist")
    options = MakeOptions.from_values(script_backend=args.backend)
    written = actions.write_storyboard(services, flags.script_request(args), options,
                                       progress=flags.progress_bar(unit="tok", desc="writing"))
    result, board = written.script, written.project.storyboard
    temp = output.with_name(f".{output.name}.tmp")
    temp.write_text(board.model_dump_json(indent=2), encoding="utf-8")
    os.replace(temp, output)
    print(f"wrote {output} ({len(board.shots)} shots, {sum(s.duration_ms for s in board.shots) / 1000:.1f} s of "
          f"footage, backend {result.backend_used.value}, {result.elapsed_s:.1f} s)")
    for note in result.notes:
        print(f"  note: {note}")
    print(f"\n{board.title}\nhook: {board.hook}\nlook: {board.bible.look}")
    for entry in board.bible.characters:
        print(f"  {entry.name}: {entry.description}")
    for index, shot in enumerate(board.shots, start=1):
        print(f"\n{index:2d}. {shot.duration_ms / 1000:4.1f} s  {shot.camera_move.value}, {shot.transition.value}")
        print(f"    caption:   {shot.caption}\n    voiceover: {shot.voiceover}\n    prompt:    {shot.visual_prompt}")
    if board.hashtags:
        print("\n" + " ".join(f"#{tag}" for tag in board.hashtags))
    return 0


def run_enhance(args: argparse.Namespace) -> int:
    from studio.project.files import load_project

    services = flags.services(args)
    bible = load_project(args.project, settings=services.settings)[0].storyboard.bible if args.project else Bible()
    result = actions.enhance_prompt(services, args.prompt, bible, backend=args.backend)
    print(result.visual_prompt)
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def run_make(args: argparse.Namespace) -> int:
    services = flags.services(args)
    paths = MakePaths.for_output(args.output)
    saved = False

    def stage(result: MakeResult) -> None:
        nonlocal saved
        saved = result.project is not None
        if result.stage is MakeStage.SCRIPT:
            board = result.script.storyboard
            line = (f"{len(board.shots)} shots, {sum(s.duration_ms for s in board.shots) / 1000:.1f} s of footage, "
                    f"backend {result.script.backend_used.value}")
        elif result.stage is MakeStage.PROJECT:
            line = f"saved {paths.project_file} (seed {result.seed})"
        elif result.stage is MakeStage.NARRATION:
            spoken = result.narration
            line = (f"{len(spoken.shots)} lines ({spoken.spoken} spoken, {len(spoken.shots) - spoken.spoken} from "
                    f"the cache), voice {', '.join(sorted({s.backend for s in spoken.shots})) or '-'}; saved "
                    f"{paths.project_file}" if spoken is not None else "none")
        elif result.stage is MakeStage.SHOTS:
            line = f"{flags.shots_summary(result.shots)}; saved {paths.project_file}"
        else:
            line = f"wrote {result.compose.video}"
        print(f"{result.stage.number}/{len(MakeStage)} {result.stage.value}: {line} [{result.elapsed_s:.1f} s]",
              file=sys.stderr)
        notes = result.script.notes if result.stage is MakeStage.SCRIPT else ()
        notes += result.narration_notes if result.stage is MakeStage.NARRATION else ()
        for note in notes + (result.shots.notes if result.stage is MakeStage.SHOTS else ()):
            print(f"  note: {note}", file=sys.stderr)

    progress = MakeProgress(stage=stage, script=flags.progress_bar(unit="tok", desc="writing"),
                            narration=flags.progress_bar(unit="line", desc="speaking"),
                            shots=flags.generation_bar(), compose=flags.progress_bar())
    try:
        result = actions.make(services, flags.script_request(args),
                              flags.video_options(args, paths.project_file, services.settings),
                              flags.make_options(args), args.output, progress=progress)
    except KeyboardInterrupt:
        if not saved:
            raise
        resume = shlex.join(["python", "-m", "studio", "render", str(paths.project_file), *flags.video_flags(args),
                             "-o", str(args.output)])
        raise RenderCancelled(f"cancelled; the storyboard and finished shots are in {paths.project_file}: finish "
                              f"with '{resume}'") from None
    flags.report(result.compose)
    print(f"  script: backend {result.script.backend_used.value}, {len(result.project.shots)} shots, "
          f"seed {result.seed}")
    print(f"  shots: {flags.shots_summary(result.shots)}")
    return 0


def run_batch(args: argparse.Namespace) -> int:
    from pipelines.batch import BatchDefaults, BatchProgress, BatchStatus, read_ideas

    services = flags.services(args)
    items = read_ideas(args.ideas)
    in_flight = args.ideas_in_flight if args.ideas_in_flight is not None else 2 if services.settings.ray_address else 1
    if in_flight < 1 or (in_flight > 1 and not services.settings.ray_address):
        raise StudioError(f"--ideas-in-flight {in_flight}: give 1, or more than 1 with --ray (or STUDIO_RAY_ADDRESS)")
    defaults = BatchDefaults(request=flags.script_request(args), options=flags.make_options(args),
                             base_dir=Path(args.ideas).expanduser().resolve().parent)

    def started(item, total: int) -> None:
        print(f"[{item.index}/{total}] {item.idea[:60]}", file=sys.stderr)

    def finished(result, total: int) -> None:
        line = f"{result.item.slug}/{result.video.name}" if result.video else result.error
        print(f"[{result.item.index}/{total}] {result.status.value} [{result.elapsed_s:.1f} s]: {line}",
              file=sys.stderr)

    progress = BatchProgress(started=started, finished=finished,
                             make=lambda item: MakeProgress(shots=flags.generation_bar(),
                                                            compose=flags.progress_bar()))
    try:
        result = actions.batch(services, items, args.output, defaults=defaults,
                               video=flags.video_options(args, None, services.settings), progress=progress,
                               ideas_in_flight=in_flight)
    except KeyboardInterrupt:
        raise RenderCancelled(f"cancelled; finished clips are kept and {Path(args.output) / 'summary.json'} says "
                              "which: run the same command again to resume") from None
    print(f"{'#':>3}  {'status':<9} {'length':>7} {'time':>7}  output or error")
    for item in result.items:
        length = f"{item.duration_s:.1f} s" if item.duration_s is not None else "-"
        where = item.video.relative_to(result.out_dir) if item.video else item.error
        print(f"{item.item.index:>3}  {item.status.value:<9} {length:>7} {item.elapsed_s:>5.1f} s  {where}")
    counts = ", ".join(f"{result.count(s)} {s.value}" for s in BatchStatus if result.count(s))
    print(f"{len(result.items)} ideas: {counts} in {result.elapsed_s:.1f} s; summary: {result.summary_file}")
    if result.cancelled:
        return RenderCancelled.exit_code
    return 0 if result.succeeded else 1
