"""Command line: ``python -m studio batch|bundle|compose|make|music|render|schema|script``.

The CLI drives the same functions as the UI. Bad input prints one line starting with "error:" and
exits non-zero (2 for bad input, 1 for a failed render, 3 for a missing tool, 130 when cancelled);
``--debug`` shows the traceback of unexpected errors instead of the one-line summary.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from pathlib import Path

from studio.errors import StudioError
from studio.project.model import BeatSnap, Fit, Language, Transition
from studio.project.presets import PresetName


class _Parser(argparse.ArgumentParser):
    """Argument mistakes get the same one-line treatment as every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m studio", description="Short vertical video studio.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add_command in (_add_compose, _add_make, _add_batch, _add_render, _add_bundle, _add_music, _add_schema,
                        _add_script):
        add_command(commands)
    return parser


def _add_compose(commands) -> None:
    compose = commands.add_parser("compose", help="compose images and clips into a captioned 9:16 video")
    compose.set_defaults(handler=_run_compose)
    compose.add_argument("--shot", action="append", default=[], metavar="PATH", required=True,
                         help="an image or clip; repeat for each shot, in order")
    compose.add_argument("--caption", action="append", default=[], metavar="TEXT",
                         help="caption of the i-th shot; repeat in the same order as --shot")
    compose.add_argument("--music", metavar="FILE_OR_NAME",
                         help="music file (mp3, wav, m4a, ogg, flac) or a bundled track (see 'music')")
    compose.add_argument("--music-gain-db", type=float, default=-8.0, help="music level (default -8 dB)")
    compose.add_argument("--beat-sync", action="store_true", help="move cuts onto the music's beats")
    compose.add_argument("--snap-to", default=BeatSnap.BEAT.value, choices=[b.value for b in BeatSnap],
                         help="with --beat-sync: snap cuts to any beat or only to the first beat of a bar")
    compose.add_argument("--voiceover", metavar="FILE", help="a recorded voice-over for the whole clip; "
                         "music dips under it")
    compose.add_argument("--preset", default=PresetName.DOUYIN.value, choices=[p.value for p in PresetName])
    compose.add_argument("--shot-seconds", type=float, metavar="N",
                         help="length of each shot (default: 3 s for images, the clip's own length for clips)")
    compose.add_argument("--transition", default="crossfade", choices=[t.value for t in Transition])
    compose.add_argument("--fit", default=Fit.COVER.value, choices=[f.value for f in Fit],
                         help="cover: fill the frame and crop; contain: show all over a blurred fill")
    compose.add_argument("--title", default="", help="large hook title over the opening seconds")
    compose.add_argument("--caption-style", default="bold_stroke", help="caption style preset (see assets/)")
    compose.add_argument("--lang", default=Language.AUTO.value, choices=[lang.value for lang in Language],
                         help="caption language, for the AI label's wording (auto reads the captions)")
    compose.add_argument("--keep-clip-audio", action="store_true", help="keep the clips' own sound under the music")
    compose.add_argument("--no-visible-label", action="store_true",
                         help="hide the on-screen AI label (the metadata label is always written)")
    compose.add_argument("-o", "--output", required=True, metavar="OUT.mp4")


def _add_make(commands) -> None:
    make = commands.add_parser("make", help="one idea to a postable clip: storyboard, shots, captions, music, MP4")
    make.set_defaults(handler=_run_make)
    _add_script_flags(make)
    _add_video_flags(make)
    _add_make_flags(make)
    make.add_argument("-o", "--output", required=True, metavar="OUT.mp4",
                      help="the clip; OUT.project.json (saved before generating) and the sidecars go beside it")


def _add_batch(commands) -> None:
    batch = commands.add_parser("batch", help="a list of ideas to one draft each (resumable), with a summary")
    batch.set_defaults(handler=_run_batch, idea="", script_file=None)
    batch.add_argument("ideas", metavar="IDEAS.txt|IDEAS.csv",
                       help="one idea a line (# comments and blank lines skipped), or a CSV with an idea column "
                            "and optional seconds, lang, preset, style, music, beat_sync, seed, caption_style")
    _add_script_flags(batch, idea=False)
    _add_video_flags(batch)
    _add_make_flags(batch)
    batch.add_argument("-o", "--output", required=True, metavar="DIR",
                       help="folder for DIR/NNN-<idea>/ (clip, sidecars, project) and DIR/summary.json; run the "
                            "same command again to resume: finished items are skipped")


def _add_render(commands) -> None:
    render = commands.add_parser("render", help="render a project file")
    render.set_defaults(handler=_run_render)
    render.add_argument("project", metavar="PROJECT.json")
    render.add_argument("--preset", choices=[p.value for p in PresetName], help="override the project's preset")
    _add_video_flags(render)
    render.add_argument("-o", "--output", required=True, metavar="OUT.mp4")


def _add_make_flags(command) -> None:
    """The look and sound flags of the commands that run ``make``."""
    command.add_argument("--music", metavar="FILE_OR_NAME",
                         help="music file (mp3, wav, m4a, ogg, flac) or a bundled track (see 'music')")
    command.add_argument("--beat-sync", action="store_true", help="move cuts onto the music's beats")
    command.add_argument("--caption-style", default="bold_stroke", help="caption style preset (see assets/)")
    command.add_argument("--no-visible-label", action="store_true",
                         help="hide the on-screen AI label (the metadata label is always written)")


def _size_arg(value: str) -> tuple[int, int]:
    width, sep, height = value.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit() or int(width) <= 0 or int(height) <= 0:
        raise argparse.ArgumentTypeError(f"--video-size must look like 576x1024, not {value!r}")
    return int(width), int(height)


def _add_video_flags(command) -> None:
    """Shot generation flags, shared by the commands that generate shots."""
    command.add_argument("--video-backend", choices=["auto", "ltx", "wan", "still"],
                         help="how shots without footage are made (default: STUDIO_VIDEO_BACKEND, auto: LTX on a "
                              "CUDA GPU, still-image motion drafts otherwise)")
    command.add_argument("--video-model", metavar="ID_OR_DIR", help="hub id or diffusers folder of the video model")
    command.add_argument("--video-size", type=_size_arg, metavar="WxH", help="generation size (default: the model's)")
    command.add_argument("--frames", type=int, metavar="N", help="frames per shot (default: from its length)")
    command.add_argument("--steps", type=int, metavar="N", help="denoising steps (default: the model's)")


def _video_flags(args: argparse.Namespace) -> list[str]:
    """The shot-generation flags as given, so a resume command renders with the same backend (and so
    finds the finished shots in the cache instead of generating them again)."""
    flags = []
    for flag, value in (("--video-backend", args.video_backend), ("--video-model", args.video_model),
                        ("--frames", args.frames), ("--steps", args.steps)):
        if value is not None:
            flags += [flag, str(value)]
    if args.video_size:
        flags += ["--video-size", "{}x{}".format(*args.video_size)]
    return flags


def _video_options(args: argparse.Namespace, project_file: Path | None):
    from pipelines.shots import VideoOptions

    for flag, value in (("--frames", args.frames), ("--steps", args.steps)):
        if value is not None and value <= 0:
            raise StudioError(f"{flag} must be a positive number, not {value}")
    if args.video_model is not None:
        from studio.safety.inputs import check_model_ref

        check_model_ref(args.video_model, what="video model")
    width, height = args.video_size or (None, None)
    media_dir = project_file.resolve().parent / f"{project_file.stem}.media" / "shots" if project_file else None
    return VideoOptions(backend=args.video_backend or "auto", model=args.video_model, width=width, height=height,
                        frames=args.frames, steps=args.steps, media_dir=media_dir)


def _generation_bar():
    from tqdm import tqdm

    bars: dict[str, tqdm] = {}

    def update(event) -> None:
        bar = bars.get(event.shot_id)
        if bar is None:
            bar = bars[event.shot_id] = tqdm(total=event.total_steps, unit="step", leave=False, file=sys.stderr,
                                             desc=f"shot {event.shot_index + 1}/{event.shot_count}")
        bar.update(event.step - bar.n)
        if event.step >= event.total_steps:
            bar.close()

    return update


def _add_script(commands) -> None:
    script = commands.add_parser("script", help="write a storyboard (shots, captions, voice-over, prompts) "
                                                "from an idea")
    script.set_defaults(handler=_run_script)
    _add_script_flags(script)
    script.add_argument("-o", "--output", required=True, metavar="STORYBOARD.json")


def _add_script_flags(command, *, idea: bool = True) -> None:
    """The script writer's flags, shared by the commands that write a storyboard (``batch`` has no one idea)."""
    if idea:
        command.add_argument("idea", metavar="IDEA",
                             help="the idea, in any language (or a title when --script-file is given)")
    command.add_argument("--lang", default=Language.AUTO.value, choices=[lang.value for lang in Language],
                         help="caption and voice-over language (auto follows the idea)")
    command.add_argument("--seconds", type=int, default=30, metavar="N", help="target length, 15 to 90 s (default 30)")
    command.add_argument("--preset", default=PresetName.DOUYIN.value, choices=[p.value for p in PresetName])
    command.add_argument("--style", default="cinematic", metavar="NAME",
                         help="cinematic, anime, 3d_cartoon, documentary, product_ad, vlog, watercolor, cyberpunk")
    command.add_argument("--shots", metavar="N|auto", default="auto", help="number of shots (default auto)")
    command.add_argument("--notes", default="", metavar="TEXT", help="reference notes for a character or product")
    if idea:
        command.add_argument("--script-file", metavar="FILE",
                             help="your own script: it is split into shots, not rewritten")
    command.add_argument("--backend", choices=["auto", "local", "openai", "template"],
                         help="script writer (default: STUDIO_SCRIPT_BACKEND, auto)")
    command.add_argument("--llm-url", metavar="URL", help="OpenAI-compatible base URL (default: STUDIO_LLM_URL)")
    command.add_argument("--llm-model", metavar="NAME", help="model name at that URL (default: STUDIO_LLM_MODEL)")
    command.add_argument("--model", metavar="ID_OR_DIR", help="local chat model (default: STUDIO_SCRIPT_MODEL)")
    command.add_argument("--seed", type=int, metavar="N", help="sampling seed, for a reproducible storyboard"
                         + ("" if idea else " (mixed into each idea's own seed)"))


def _add_bundle(commands) -> None:
    bundle = commands.add_parser("bundle", help="pack a project and its media into one zip, or open one")
    actions = bundle.add_subparsers(dest="bundle_action", required=True, parser_class=_Parser)
    pack = actions.add_parser("export", help="zip PROJECT.json with every file it uses")
    pack.set_defaults(handler=_run_bundle_export)
    pack.add_argument("project", metavar="PROJECT.json")
    pack.add_argument("-o", "--output", required=True, metavar="OUT.zip")
    unpack = actions.add_parser("open", help="unpack a bundle into a new folder (checked: no paths out, no bombs)")
    unpack.set_defaults(handler=_run_bundle_open)
    unpack.add_argument("bundle", metavar="BUNDLE.zip")
    unpack.add_argument("-o", "--output", required=True, metavar="NEW_FOLDER")


def _add_music(commands) -> None:
    commands.add_parser("music", help="list the bundled music").set_defaults(handler=_run_music)


def _add_schema(commands) -> None:
    commands.add_parser("schema", help="print the JSON Schema of project files").set_defaults(handler=_run_schema)


def _music_source(value: str | None) -> tuple[Path | None, str | None]:
    """--music takes a file, or the name of a bundled track when no such file exists."""
    if not value:
        return None, None
    from studio.sound.library import library

    if not Path(value).expanduser().exists() and value in library():
        return None, value
    return Path(value), None


def _quick_options(args: argparse.Namespace):
    from studio.project.assemble import QuickOptions

    music_file, music_library = _music_source(args.music)
    return QuickOptions(
        preset=PresetName(args.preset), shot_seconds=args.shot_seconds, transition=Transition(args.transition),
        fit=Fit(args.fit), title=args.title, caption_style=args.caption_style, language=Language(args.lang),
        music=music_file, music_library=music_library, music_gain_db=args.music_gain_db,
        beat_sync=args.beat_sync, snap_to=BeatSnap(args.snap_to),
        voiceover=Path(args.voiceover) if args.voiceover else None,
        keep_clip_audio=args.keep_clip_audio, visible_label=not args.no_visible_label,
    )


def _progress_bar(unit: str = "frame", desc: str = "rendering"):
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit=unit, desc=desc, leave=False, file=sys.stderr)
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return update


def _report(result) -> None:
    print(f"wrote {result.video} ({result.duration_ms / 1000:.1f} s, {result.frames} frames, "
          f"preset {result.preset}, {result.elapsed_s:.1f} s)")
    for label, path in (("captions", result.srt), ("captions", result.vtt), ("cover", result.cover),
                        ("project", result.project_file)):
        if path is not None:
            print(f"  {label}: {path}")
    if result.beat_sync:
        print(f"  {result.beat_sync}")
    if getattr(result, "signed", False):
        print("  content credentials: signed C2PA manifest embedded")
    for warning in getattr(result, "warnings", ()):
        print(f"warning: {warning}", file=sys.stderr)
    if result.loudness is not None and result.loudness.input_lufs > float("-inf"):
        print(f"  sound: mastered to {result.loudness.output_lufs:.1f} LUFS, true peak "
              f"{result.loudness.true_peak_dbtp:.1f} dBTP")


def _run_bundle_export(args: argparse.Namespace) -> int:
    from studio.project.bundles import export_bundle
    from studio.project.files import load_project

    if Path(args.output).suffix.lower() != ".zip":
        raise StudioError(f"output {Path(args.output).name!r} must end in .zip")
    project, root = load_project(args.project)
    print(f"wrote {export_bundle(project, root, args.output)}")
    return 0


def _run_bundle_open(args: argparse.Namespace) -> int:
    from studio.project.bundles import import_bundle
    from studio.settings import Settings

    settings = Settings.from_env()
    project, folder = import_bundle(args.bundle, args.output, max_bytes=settings.max_bundle_mb * 2**20)
    print(f"opened {len(project.shots)} shots into {folder / 'project.json'}")
    return 0


def _run_music(args: argparse.Namespace) -> int:
    from studio.sound.library import library

    for track in library().values():
        print(f"{track.id:<16} {track.bpm:>5g} BPM  {track.bars:>2} bars  {track.duration_ms / 1000:4.1f} s  "
              f"{track.title}: {track.mood}")
    print("use one with: compose ... --music NAME   (made by scripts/make_music.py, CC0)")
    return 0


def _run_schema(args: argparse.Namespace) -> int:
    from studio.project.files import project_schema

    print(json.dumps(project_schema(), indent=2, ensure_ascii=False))
    return 0


def _run_compose(args: argparse.Namespace) -> int:
    from studio.compose.compositor import compose
    from studio.project.assemble import project_from_media
    from studio.settings import Settings

    settings = Settings.from_env()
    project = project_from_media(args.shot, args.caption, _quick_options(args), settings)
    _report(compose(project, args.output, settings=settings, project_root=None, progress=_progress_bar()))
    return 0


def _run_render(args: argparse.Namespace) -> int:
    from studio.compose.compositor import compose
    from studio.project.files import load_project
    from studio.settings import Settings

    settings = Settings.from_env()
    project, root = load_project(args.project, settings=settings)
    if args.preset:
        project = project.model_copy(update={"preset": PresetName(args.preset)})
    project = _generate_shots(args, project, root, settings)
    _report(compose(project, args.output, settings=settings, project_root=root, progress=_progress_bar()))
    return 0


def _generate_shots(args: argparse.Namespace, project, root: Path, settings):
    """Generate the shots that need it (cached ones are reused) and save the project when any changed."""
    from pipelines.shots import render_shots
    from studio.project.files import save_project

    result = render_shots(project, root, _video_options(args, Path(args.project)), settings,
                          progress=_generation_bar())
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    if result.project != project:
        save_project(result.project, args.project, source_root=root)
        print(f"shots: {_shots_summary(result)}; saved {args.project}")
    return result.project


def _shots_summary(result) -> str:
    label = " (draft: still-image motion)" if result.draft and (result.generated or result.cached) else ""
    return f"{len(result.generated)} generated, {len(result.cached)} from the cache{label}"


def _script_settings(args: argparse.Namespace):
    """The settings from the environment, with the script flags' overrides."""
    import dataclasses

    from studio.safety.inputs import check_llm_url, check_model_ref
    from studio.settings import Settings

    settings = Settings.from_env()
    if args.llm_url is not None:
        check_llm_url(args.llm_url, settings)
    if args.model is not None:
        check_model_ref(args.model, what="script model")
    overrides = {"llm_url": args.llm_url, "llm_model": args.llm_model, "script_model": args.model}
    return dataclasses.replace(settings, **{k: v for k, v in overrides.items() if v})


def _script_request(args: argparse.Namespace):
    from pipelines.script.contract import ScriptRequest

    if args.shots != "auto" and not (args.shots.isdigit() and int(args.shots) > 0):
        raise StudioError(f"--shots must be a positive number or auto, not {args.shots!r}")
    script = ""
    if args.script_file:
        try:
            script = Path(args.script_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise StudioError(f"cannot read the script file {args.script_file!r}: {err.__class__.__name__}") from None
    return ScriptRequest(idea=args.idea, seconds=args.seconds, preset=PresetName(args.preset), style=args.style,
                         language=Language(args.lang), reference_notes=args.notes, script=script,
                         shots=None if args.shots == "auto" else int(args.shots), seed=args.seed)


def _run_script(args: argparse.Namespace) -> int:
    from pipelines.script.writers import write_storyboard

    settings = _script_settings(args)
    output = Path(args.output)
    if output.suffix.lower() != ".json":
        raise StudioError(f"output {output.name!r} must end in .json")
    if not output.parent.is_dir():
        raise StudioError(f"folder {str(output.parent)!r} does not exist")
    request = _script_request(args)
    result = write_storyboard(request, settings, backend=args.backend,
                              progress=_progress_bar(unit="tok", desc="writing"))
    board = result.storyboard
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


def _run_make(args: argparse.Namespace) -> int:
    from pipelines.make import MakePaths, MakeProgress, MakeResult, MakeStage, make_short
    from studio.errors import RenderCancelled

    settings = _script_settings(args)
    paths = MakePaths.for_output(args.output)
    options = _make_options(args)
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
        elif result.stage is MakeStage.SHOTS:
            line = f"{_shots_summary(result.shots)}; saved {paths.project_file}"
        else:
            line = f"wrote {result.compose.video}"
        print(f"{result.stage.number}/{len(MakeStage)} {result.stage.value}: {line} [{result.elapsed_s:.1f} s]",
              file=sys.stderr)
        notes = result.script.notes if result.stage is MakeStage.SCRIPT else ()
        for note in notes + (result.shots.notes if result.stage is MakeStage.SHOTS else ()):
            print(f"  note: {note}", file=sys.stderr)

    progress = MakeProgress(stage=stage, script=_progress_bar(unit="tok", desc="writing"), shots=_generation_bar(),
                            compose=_progress_bar())
    try:
        result = make_short(_script_request(args), args.output, _video_options(args, paths.project_file), settings,
                            options=options, progress=progress)
    except KeyboardInterrupt:
        if not saved:
            raise
        resume = shlex.join(["python", "-m", "studio", "render", str(paths.project_file), *_video_flags(args),
                             "-o", str(args.output)])
        raise RenderCancelled(f"cancelled; the storyboard and finished shots are in {paths.project_file}: finish "
                              f"with '{resume}'") from None
    _report(result.compose)
    print(f"  script: backend {result.script.backend_used.value}, {len(result.project.shots)} shots, "
          f"seed {result.seed}")
    print(f"  shots: {_shots_summary(result.shots)}")
    return 0


def _make_options(args: argparse.Namespace):
    from pipelines.make import MakeOptions

    music_file, music_library = _music_source(args.music)
    return MakeOptions(script_backend=args.backend, caption_style=args.caption_style, music=music_file,
                       music_library=music_library, beat_sync=args.beat_sync, visible_label=not args.no_visible_label)


def _run_batch(args: argparse.Namespace) -> int:
    from pipelines.batch import BatchDefaults, BatchProgress, BatchStatus, read_ideas, run_batch
    from pipelines.make import MakeProgress
    from studio.errors import RenderCancelled

    settings = _script_settings(args)
    items = read_ideas(args.ideas)
    defaults = BatchDefaults(request=_script_request(args), options=_make_options(args),
                             base_dir=Path(args.ideas).expanduser().resolve().parent)

    def started(item, total: int) -> None:
        print(f"[{item.index}/{total}] {item.idea[:60]}", file=sys.stderr)

    def finished(result, total: int) -> None:
        line = f"{result.item.slug}/{result.video.name}" if result.video else result.error
        print(f"[{result.item.index}/{total}] {result.status.value} [{result.elapsed_s:.1f} s]: {line}",
              file=sys.stderr)

    progress = BatchProgress(started=started, finished=finished,
                             make=lambda item: MakeProgress(shots=_generation_bar(), compose=_progress_bar()))
    try:
        result = run_batch(items, args.output, settings, defaults=defaults, video_options=_video_options(args, None),
                           progress=progress)
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


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.handler(args)


def _printable(line: str) -> str:
    """One line that any stream can print: file names that are not UTF-8 show as escapes, not as a crash."""
    return " ".join(line.encode("utf-8", "backslashreplace").decode("utf-8").splitlines())


def main(argv: list[str] | None = None) -> int:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        return run(argv)
    except StudioError as err:
        print(_printable(f"error: {err}"), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("error: cancelled; nothing was written", file=sys.stderr)
        return 130
    except Exception as err:  # the CLI edge: one line, unless asked for the traceback
        if debug:
            raise
        print(_printable(f"error: unexpected {type(err).__name__}: {err} (rerun with --debug for details)"),
              file=sys.stderr)
        return 1
