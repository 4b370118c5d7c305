"""The commands on media and projects: ``compose`` (your images and clips to an MP4), ``render`` (a project file
to an MP4, generating the shots it needs), ``bundle export|open`` and ``export-edit`` (a folder for a real editor)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

import actions
from cli import flags
from studio.errors import StudioError
from studio.project.assemble import QuickOptions
from studio.project.model import BeatSnap, Fit, Language, Transition
from studio.project.presets import PresetName
from studio.project.styles import DEFAULT_CAPTION_STYLE


def add_compose(commands) -> None:
    compose = commands.add_parser("compose", help="compose images and clips into a captioned 9:16 video")
    compose.set_defaults(handler=run_compose)
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
    compose.add_argument("--transition", default="crossfade", choices=[t.value for t in Transition],
                         help="how each shot enters: cut, crossfade, fade (through black), slide_left/right/up/down, "
                              "zoom_in/out, whip_left/right, flash (through white)")
    compose.add_argument("--transition-seconds", type=float, metavar="N",
                         help="transition length (default 0.5 s, less where a shot is shorter)")
    compose.add_argument("--look", metavar="NAME_OR_FILE",
                         help="a colour look on every shot: a bundled one (see 'effects') or your .cube file")
    compose.add_argument("--effect", action="append", default=[], metavar="EFFECT",
                         help="a colour effect on every shot, as MoviePy writes it, e.g. 'GammaCorrection(0.8)' or "
                              "BlackAndWhite; repeat for more (see 'effects')")
    compose.add_argument("--fit", default=Fit.COVER.value, choices=[f.value for f in Fit],
                         help="cover: fill the frame and crop; contain: show all over a blurred fill")
    compose.add_argument("--title", default="", help="large hook title over the opening seconds")
    compose.add_argument("--caption-style", default=DEFAULT_CAPTION_STYLE, help="caption style preset (see assets/)")
    compose.add_argument("--lang", default=Language.AUTO.value, choices=[lang.value for lang in Language],
                         help="caption language, for the AI label's wording (auto reads the captions)")
    compose.add_argument("--keep-clip-audio", action="store_true", help="keep the clips' own sound under the music")
    compose.add_argument("--no-visible-label", action="store_true",
                         help="hide the on-screen AI label (the metadata label is always written)")
    compose.add_argument("-o", "--output", required=True, metavar="OUT.mp4")


def add_render(commands) -> None:
    render = commands.add_parser("render", help="render a project file")
    render.set_defaults(handler=run_render)
    render.add_argument("project", metavar="PROJECT.json")
    render.add_argument("--preset", choices=[p.value for p in PresetName], help="override the project's preset")
    flags.add_video_flags(render)
    render.add_argument("--takes", type=int, default=1, metavar="N",
                        help="N takes of each generated shot, scored for likeness to the character sheet and the "
                             "prompt; the best is kept (default 1; at most STUDIO_MAX_TAKES)")
    render.add_argument("-o", "--output", required=True, metavar="OUT.mp4")


def add_bundle(commands) -> None:
    bundle = commands.add_parser("bundle", help="pack a project and its media into one zip, or open one")
    steps = bundle.add_subparsers(dest="bundle_action", required=True, parser_class=type(bundle))
    pack = steps.add_parser("export", help="zip PROJECT.json with every file it uses")
    pack.set_defaults(handler=run_bundle_export)
    pack.add_argument("project", metavar="PROJECT.json")
    pack.add_argument("-o", "--output", required=True, metavar="OUT.zip")
    unpack = steps.add_parser("open", help="unpack a bundle into a new folder (checked: no paths out, no bombs)")
    unpack.set_defaults(handler=run_bundle_open)
    unpack.add_argument("bundle", metavar="BUNDLE.zip")
    unpack.add_argument("-o", "--output", required=True, metavar="NEW_FOLDER")


def add_export_edit(commands) -> None:
    from studio.export.formats import FORMATS

    edit = commands.add_parser("export-edit", help="hand a project to a real editor (Shotcut, Resolve, Premiere, "
                               "Final Cut, Jianying) as a folder with its media and a README")
    edit.set_defaults(handler=run_export_edit)
    edit.add_argument("project", metavar="PROJECT.json")
    edit.add_argument("--format", default="mlt", choices=[f.value for f in FORMATS],
                      help="; ".join(f"{f.value}: {spec.label}" for f, spec in FORMATS.items()) + " (default mlt)")
    edit.add_argument("-o", "--output", required=True, metavar="DIR", help="a new (or empty) folder")
    edit.add_argument("--replace", action="store_true", help="replace DIR when it exists and is not empty")


def run_export_edit(args: argparse.Namespace) -> int:
    from studio.project.files import load_project

    services = flags.services()
    project, root = load_project(args.project, settings=services.settings)
    result = actions.export_edit(services, project, root, args.output, args.format, replace=args.replace,
                                 progress=flags.progress_bar(unit="file", desc="media"))
    print(f"wrote {result.timeline_file} ({result.summary})")
    if result.gaps:
        print(f"warning: shot(s) {', '.join(map(str, result.gaps))} not rendered yet: exported as gaps; render them "
              "and export again", file=sys.stderr)
    return 0


def run_compose(args: argparse.Namespace) -> int:
    from studio.sound.library import music_source

    music_file, music_library = music_source(args.music)
    options = QuickOptions.from_values(
        preset=args.preset, shot_seconds=args.shot_seconds, transition=args.transition, fit=args.fit,
        title=args.title, caption_style=args.caption_style, language=args.lang, music=music_file,
        music_library=music_library, music_gain_db=args.music_gain_db, beat_sync=args.beat_sync,
        snap_to=args.snap_to, voiceover=args.voiceover, keep_clip_audio=args.keep_clip_audio,
        visible_label=not args.no_visible_label, transition_seconds=args.transition_seconds, look=args.look,
        effects=args.effect)
    result = actions.compose_media(flags.services(), args.shot, args.caption, options, args.output,
                                   progress=flags.progress_bar())
    flags.report(result)
    return 0


def run_render(args: argparse.Namespace) -> int:
    """Generate the shots that need it (cached ones are reused), save the project when any changed, compose."""
    from actions.shots import ShotAction
    from studio.project.files import load_project, save_project

    services = flags.services(args)
    project, root = load_project(args.project, settings=services.settings)
    if args.preset:
        project = project.model_copy(update={"preset": PresetName(args.preset)})
    video = flags.video_options(args, Path(args.project), services.settings)
    if args.takes != 1:
        from actions.keyframes import check_takes, takes

        check_takes(services, args.takes)  # before any shot renders
    shots = actions.generate(services, ShotAction.ALL, project, root, video, progress=flags.generation_bar())
    if args.takes != 1:  # N takes of each generated shot, scored; the best kept (actions.keyframes)

        run = takes(services, shots.project, root, video, args.takes, progress=flags.generation_bar())
        shots = dataclasses.replace(shots, project=run.project, notes=shots.notes + run.notes + tuple(
            f"shot {[s.id for s in run.project.shots].index(i) + 1} drifts from its character reference; "
            "retake it in the Keyframes tab" for i in run.flagged))
    for note in shots.notes:
        print(f"note: {note}", file=sys.stderr)
    if shots.project != project:
        save_project(shots.project, args.project, source_root=root)
        print(f"shots: {flags.shots_summary(shots)}; saved {args.project}")
    flags.report(actions.compose_project(services, shots.project, root, args.output, progress=flags.progress_bar()))
    return 0


def run_bundle_export(args: argparse.Namespace) -> int:
    from studio.project.files import load_project

    if Path(args.output).suffix.lower() != ".zip":
        raise StudioError(f"output {Path(args.output).name!r} must end in .zip")
    project, root = load_project(args.project)
    print(f"wrote {actions.export_bundle(project, root, args.output)}")
    return 0


def run_bundle_open(args: argparse.Namespace) -> int:
    project, folder = actions.open_bundle(flags.services(), args.bundle, args.output)
    print(f"opened {len(project.shots)} shots into {folder / 'project.json'}")
    return 0
