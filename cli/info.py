"""The commands that say what the studio has: ``music`` (the bundled tracks), ``effects`` (effects, transitions and
looks), ``schema`` (the project file format) and ``settings`` (every setting, its value here and its default)."""

from __future__ import annotations

import argparse
import json


def add_music(commands) -> None:
    commands.add_parser("music", help="list the bundled music").set_defaults(handler=run_music)


def add_effects(commands) -> None:
    commands.add_parser("effects", help="list the effects, transitions and bundled looks").set_defaults(
        handler=run_effects)


def add_schema(commands) -> None:
    commands.add_parser("schema", help="print the JSON Schema of project files").set_defaults(handler=run_schema)


def add_settings(commands) -> None:
    commands.add_parser("settings", help="list every setting: its environment variable, value here and default"
                        ).set_defaults(handler=run_settings)


def run_music(args: argparse.Namespace) -> int:
    from studio.sound.library import library

    for track in library().values():
        print(f"{track.id:<16} {track.bpm:>5g} BPM  {track.bars:>2} bars  {track.duration_ms / 1000:4.1f} s  "
              f"{track.title}: {track.mood}")
    print("use one with: compose ... --music NAME   (made by scripts/make_music.py, CC0)")
    return 0


def run_effects(args: argparse.Namespace) -> int:
    import dataclasses

    from studio.project.effects import CLIP_WIDE, OURS, bundled_looks, moviepy_names
    from studio.project.model import Transition

    print("effects (moviepy.video.fx names and parameters; seconds for durations):")
    for name, cls in OURS.items():
        params = ", ".join(f.name if f.default is dataclasses.MISSING else f"{f.name}={f.default!r}"
                           for f in dataclasses.fields(cls))
        where = "shot or clip" if cls.KIND in CLIP_WIDE else "shot"
        print(f"  {name}({params})  [{cls.KIND.value}, {where}]")
    print(f"  through MoviePy itself (slow path, per shot): {', '.join(moviepy_names())}")
    print(f"transitions: {', '.join(t.value for t in Transition)}")
    print("looks (bundled 3D LUTs, CC0, made by scripts/make_looks.py):")
    for look in bundled_looks().values():
        print(f"  {look['id']:<14} {look['title']}: {look['mood']}")
    print("use them with: compose ... --transition slide_left --look teal_orange --effect 'GammaCorrection(0.9)'; "
          "per shot: \"effects\" in the project file")
    return 0


def run_schema(args: argparse.Namespace) -> int:
    from studio.project.files import project_schema

    print(json.dumps(project_schema(), indent=2, ensure_ascii=False))
    return 0


def run_settings(args: argparse.Namespace) -> int:
    from studio.settings import SETTINGS, Settings

    settings = Settings.from_env()
    for spec in SETTINGS:
        value = getattr(settings, spec.field)
        shown = "(set)" if spec.secret and value else ("(none)" if value in (None, ()) else str(
            value.value if hasattr(value, "value") else value))
        print(f"{spec.env:<28} {shown:<40} default {spec.shown_default}")
        print(f"    {spec.help}")
    return 0
