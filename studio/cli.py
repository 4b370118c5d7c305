"""Command line: ``python -m studio compose|render|schema``.

The CLI drives the same functions as the UI. Bad input prints one line starting with "error:" and
exits non-zero (2 for bad input, 1 for a failed render, 3 for a missing tool, 130 when cancelled);
``--debug`` shows the traceback of unexpected errors instead of the one-line summary.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from studio.errors import StudioError
from studio.presets import PresetName
from studio.project import Fit, Language, Transition


class _Parser(argparse.ArgumentParser):
    """Argument mistakes get the same one-line treatment as every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m studio", description="Short vertical video studio.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add_command in (_add_compose, _add_render, _add_schema):
        add_command(commands)
    return parser


def _add_compose(commands) -> None:
    compose = commands.add_parser("compose", help="compose images and clips into a captioned 9:16 video")
    compose.set_defaults(handler=_run_compose)
    compose.add_argument("--shot", action="append", default=[], metavar="PATH", required=True,
                         help="an image or clip; repeat for each shot, in order")
    compose.add_argument("--caption", action="append", default=[], metavar="TEXT",
                         help="caption of the i-th shot; repeat in the same order as --shot")
    compose.add_argument("--music", metavar="FILE", help="music file (mp3, wav, m4a, ogg, flac)")
    compose.add_argument("--music-gain-db", type=float, default=-8.0, help="music level (default -8 dB)")
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


def _add_render(commands) -> None:
    render = commands.add_parser("render", help="render a project file")
    render.set_defaults(handler=_run_render)
    render.add_argument("project", metavar="PROJECT.json")
    render.add_argument("--preset", choices=[p.value for p in PresetName], help="override the project's preset")
    render.add_argument("-o", "--output", required=True, metavar="OUT.mp4")


def _add_schema(commands) -> None:
    commands.add_parser("schema", help="print the JSON Schema of project files").set_defaults(handler=_run_schema)


def _quick_options(args: argparse.Namespace):
    from studio.assemble import QuickOptions

    return QuickOptions(
        preset=PresetName(args.preset), shot_seconds=args.shot_seconds, transition=Transition(args.transition),
        fit=Fit(args.fit), title=args.title, caption_style=args.caption_style, language=Language(args.lang),
        music=Path(args.music) if args.music else None, music_gain_db=args.music_gain_db,
        keep_clip_audio=args.keep_clip_audio, visible_label=not args.no_visible_label,
    )


def _progress_bar():
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit="frame", desc="rendering", leave=False, file=sys.stderr)
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


def _run_schema(args: argparse.Namespace) -> int:
    from studio.project_files import project_schema

    print(json.dumps(project_schema(), indent=2, ensure_ascii=False))
    return 0


def _run_compose(args: argparse.Namespace) -> int:
    from studio.assemble import project_from_media
    from studio.compositor import compose
    from studio.settings import Settings

    settings = Settings.from_env()
    project = project_from_media(args.shot, args.caption, _quick_options(args), settings)
    _report(compose(project, args.output, settings=settings, project_root=None, progress=_progress_bar()))
    return 0


def _run_render(args: argparse.Namespace) -> int:
    from studio.compositor import compose
    from studio.project_files import load_project
    from studio.settings import Settings

    settings = Settings.from_env()
    project, root = load_project(args.project)
    if args.preset:
        project = project.model_copy(update={"preset": PresetName(args.preset)})
    _report(compose(project, args.output, settings=settings, project_root=root, progress=_progress_bar()))
    return 0


def run(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.handler(args)


def main(argv: list[str] | None = None) -> int:
    debug = "--debug" in (argv if argv is not None else sys.argv[1:])
    try:
        return run(argv)
    except StudioError as err:
        print(f"error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("error: cancelled; nothing was written", file=sys.stderr)
        return 130
    except Exception as err:  # the CLI edge: one line, unless asked for the traceback
        if debug:
            raise
        print(f"error: unexpected {type(err).__name__}: {err} (rerun with --debug for details)", file=sys.stderr)
        return 1
