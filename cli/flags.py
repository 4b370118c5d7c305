"""What the commands share: their flags, the flags read into the studio's request types (through the same
``from_values`` parsers the UI and the API use), the services they run on, progress bars and result lines."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from pipelines.make import MakeOptions
from pipelines.script.contract import ScriptRequest
from pipelines.script.prompts import ScriptStyle
from pipelines.services import Services
from pipelines.video.contract import VideoOptions
from studio.backends import ScriptBackendName, VideoBackendName, VoiceBackendName
from studio.errors import StudioError
from studio.project.model import Language
from studio.project.presets import PresetName
from studio.project.styles import DEFAULT_CAPTION_STYLE
from studio.settings import Settings


def add_script_flags(command: argparse.ArgumentParser, *, idea: bool = True) -> None:
    """The script writer's flags, shared by the commands that write a storyboard (``batch`` has no one idea)."""
    if idea:
        command.add_argument("idea", metavar="IDEA",
                             help="the idea, in any language (or a title when --script-file is given)")
    command.add_argument("--lang", default=Language.AUTO.value, choices=[lang.value for lang in Language],
                         help="caption and voice-over language (auto follows the idea)")
    command.add_argument("--seconds", type=int, default=30, metavar="N", help="target length, 15 to 90 s (default 30)")
    command.add_argument("--preset", default=PresetName.DOUYIN.value, choices=[p.value for p in PresetName])
    command.add_argument("--style", default=ScriptStyle.CINEMATIC.value, metavar="NAME",
                         help=", ".join(s.value for s in ScriptStyle))
    command.add_argument("--shots", metavar="N|auto", default="auto", help="number of shots (default auto)")
    command.add_argument("--notes", default="", metavar="TEXT", help="reference notes for a character or product")
    if idea:
        command.add_argument("--script-file", metavar="FILE",
                             help="your own script: it is split into shots, not rewritten")
    command.add_argument("--backend", choices=[b.value for b in ScriptBackendName],
                         help="script writer (default: STUDIO_SCRIPT_BACKEND, auto)")
    command.add_argument("--llm-url", metavar="URL", help="OpenAI-compatible base URL (default: STUDIO_LLM_URL)")
    command.add_argument("--llm-model", metavar="NAME", help="model name at that URL (default: STUDIO_LLM_MODEL)")
    command.add_argument("--model", metavar="ID_OR_DIR", help="local chat model (default: STUDIO_SCRIPT_MODEL)")
    command.add_argument("--seed", type=int, metavar="N", help="sampling seed, for a reproducible storyboard"
                         + ("" if idea else " (mixed into each idea's own seed)"))


def _size_arg(value: str) -> tuple[int, int]:
    width, sep, height = value.lower().partition("x")
    if not sep or not width.isdigit() or not height.isdigit() or int(width) <= 0 or int(height) <= 0:
        raise argparse.ArgumentTypeError(f"--video-size must look like 576x1024, not {value!r}")
    return int(width), int(height)


def add_video_flags(command: argparse.ArgumentParser) -> None:
    """Shot generation flags, shared by the commands that generate shots."""
    command.add_argument("--video-backend", choices=[b.value for b in VideoBackendName],
                         help="how shots without footage are made (default: STUDIO_VIDEO_BACKEND, auto: LTX on a "
                              "CUDA GPU, still-image motion drafts otherwise)")
    command.add_argument("--video-model", metavar="ID_OR_DIR", help="hub id or diffusers folder of the video model")
    command.add_argument("--video-size", type=_size_arg, metavar="WxH", help="generation size (default: the model's)")
    command.add_argument("--frames", type=int, metavar="N", help="frames per shot (default: from its length)")
    command.add_argument("--steps", type=int, metavar="N", help="denoising steps (default: the model's)")
    command.add_argument("--ray", metavar="ADDRESS",
                         help="render shots on a Ray cluster: local (one on this machine), auto (inside a Ray job), "
                              "HOST:6379 or ray://HOST:10001 (default: STUDIO_RAY_ADDRESS)")


def add_make_flags(command: argparse.ArgumentParser) -> None:
    """The look and sound flags of the commands that run ``make``."""
    command.add_argument("--music", metavar="FILE_OR_NAME",
                         help="music file (mp3, wav, m4a, ogg, flac) or a bundled track (see 'music')")
    command.add_argument("--beat-sync", action="store_true", help="move cuts onto the music's beats")
    command.add_argument("--caption-style", default=DEFAULT_CAPTION_STYLE, help="caption style preset (see assets/)")
    command.add_argument("--no-visible-label", action="store_true",
                         help="hide the on-screen AI label (the metadata label is always written)")
    command.add_argument("--voice", default=VoiceBackendName.AUTO.value, metavar="BACKEND",
                         choices=[*(b.value for b in VoiceBackendName), "none"],
                         help="narration voice: auto (default: a voice for the language when this machine has one), "
                              f"{', '.join(b.value for b in VoiceBackendName if b is not VoiceBackendName.AUTO)}, "
                              "or none for no narration")
    command.add_argument("--voice-name", metavar="NAME", help="the voice to speak in (see 'voices'; default: the "
                                                              "backend's for the language)")
    command.add_argument("--voice-speed", type=float, metavar="X", default=1.0,
                         help="speaking rate, 1 natural (0.5 to 2); fitting the shots may speed it up to 1.25")
    command.add_argument("--keyframes", default="auto", choices=["auto", "on", "off"],
                         help="draw a keyframe per shot (with the character sheet as reference) before the shots: "
                              "auto (default) when there is a keyframe model (FLUX.2-klein on a CUDA GPU, "
                              "Apache-2.0; or --image-model), on (required), off")
    command.add_argument("--image-model", metavar="ID_OR_DIR",
                         help="keyframe model, hub id or diffusers folder (default: STUDIO_IMAGE_MODEL); "
                              "stabilityai/sd-turbo and sdxl-turbo draw on a CPU but their weights are "
                              "NON-COMMERCIAL (refused with STUDIO_COMMERCIAL_USE=on)")


def video_flags(args: argparse.Namespace) -> list[str]:
    """The shot-generation flags as given, so a resume command renders with the same backend (and so
    finds the finished shots in the cache instead of generating them again)."""
    flags = []
    for flag, value in (("--video-backend", args.video_backend), ("--video-model", args.video_model),
                        ("--frames", args.frames), ("--steps", args.steps), ("--ray", getattr(args, "ray", None))):
        if value is not None:
            flags += [flag, str(value)]
    if args.video_size:
        flags += ["--video-size", "{}x{}".format(*args.video_size)]
    return flags


def video_options(args: argparse.Namespace, project_file: Path | None, settings: Settings) -> VideoOptions:
    """The video flags as options; the operator may name a model folder (a visitor of the UI may not)."""
    for flag, value in (("--frames", args.frames), ("--steps", args.steps)):
        if value is not None and value <= 0:
            raise StudioError(f"{flag} must be a positive number, not {value}")
    width, height = args.video_size or (None, None)
    media_dir = project_file.resolve().parent / f"{project_file.stem}.media" / "shots" if project_file else None
    return VideoOptions.from_values(args.video_backend, args.video_model, args.steps, width, height, args.frames,
                                    settings=settings, visitor=False, media_dir=media_dir)


def script_request(args: argparse.Namespace) -> ScriptRequest:
    script = ""
    if getattr(args, "script_file", None):
        try:
            script = Path(args.script_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise StudioError(f"cannot read the script file {args.script_file!r}: {err.__class__.__name__}") from None
    if args.shots != "auto" and not (args.shots.isdigit() and int(args.shots) > 0):
        raise StudioError(f"--shots must be a positive number or auto, not {args.shots!r}")
    return ScriptRequest.from_values(args.idea, args.seconds, args.preset, args.style, args.lang, args.notes, script,
                                     args.shots, args.seed)


def make_options(args: argparse.Namespace) -> MakeOptions:
    from studio.sound.library import music_source

    music_file, music_library = music_source(args.music)
    return MakeOptions.from_values(script_backend=args.backend, caption_style=args.caption_style, music=music_file,
                                   music_library=music_library, beat_sync=args.beat_sync,
                                   visible_label=not args.no_visible_label, voice=args.voice,
                                   voice_name=args.voice_name, voice_speed=args.voice_speed,
                                   keyframes=getattr(args, "keyframes", "auto"),
                                   image_model=getattr(args, "image_model", None))


def services(args: argparse.Namespace | None = None) -> Services:
    """This run's services, from the environment's settings and the script flags' overrides (``--llm-url``,
    ``--llm-model``, ``--model``): one per run, so a batch loads its script model once."""
    from studio.safety.inputs import check_llm_url, check_model_ref

    settings = Settings.from_env()
    overrides: dict[str, Any] = {}
    if args is not None and getattr(args, "llm_url", None) is not None:
        check_llm_url(args.llm_url, settings)
        overrides["llm_url"] = args.llm_url
    if args is not None and getattr(args, "llm_model", None):
        overrides["llm_model"] = args.llm_model
    if args is not None and getattr(args, "model", None) is not None:
        check_model_ref(args.model, what="script model")
        overrides["script_model"] = args.model
    if args is not None and getattr(args, "ray", None):
        overrides["ray_address"] = args.ray.strip()
    return Services(dataclasses.replace(settings, **overrides))


def progress_bar(unit: str = "frame", desc: str = "rendering"):
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


def generation_bar():
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


def report(result) -> None:
    """What a compose wrote, one line each, and its warnings on stderr."""
    print(f"wrote {result.video} ({result.duration_ms / 1000:.1f} s, {result.frames} frames, "
          f"preset {result.preset}, {result.elapsed_s:.1f} s)")
    for label, path in (("captions", result.srt), ("captions", result.vtt), ("karaoke captions", result.ass),
                        ("cover", result.cover),
                        ("project", result.project_file)):
        if path is not None:
            print(f"  {label}: {path}")
    if result.beat_sync:
        print(f"  {result.beat_sync}")
    if result.signed:
        print("  content credentials: signed C2PA manifest embedded")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if result.loudness is not None and result.loudness.input_lufs > float("-inf"):
        print(f"  sound: mastered to {result.loudness.output_lufs:.1f} LUFS, true peak "
              f"{result.loudness.true_peak_dbtp:.1f} dBTP")


def shots_summary(result) -> str:
    label = " (draft: still-image motion)" if result.draft and (result.generated or result.cached) else ""
    return f"{len(result.generated)} generated, {len(result.cached)} from the cache{label}"
