"""Command line: ``shortstudio`` (or ``python -m studio``) ``batch|bundle|compose|doctor|effects|enhance|export-edit|
make|models|music|render|schema|script|settings|transcribe|voice|voices``.

Every command runs the same actions as the UI (``actions``), on one ``Services`` per run. Bad input prints one
line starting with "error:" and exits non-zero (2 for bad input, 1 for a failed render, 3 for a missing tool,
130 when cancelled); ``--debug`` shows the traceback of unexpected errors instead of the one-line summary.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cli import ideas, info, machine, media, transcribe, voice
from studio.errors import StudioError

COMMANDS = (media.add_compose, ideas.add_make, ideas.add_batch, media.add_render, media.add_bundle,
            media.add_export_edit, info.add_music, info.add_effects, info.add_schema, info.add_settings,
            ideas.add_script, ideas.add_enhance, machine.add_doctor, machine.add_models,
            voice.add_voice, voice.add_voices, transcribe.add_transcribe)


class Parser(argparse.ArgumentParser):
    """Argument mistakes get the same one-line treatment as every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def _prog() -> str:
    name = Path(sys.argv[0]).name
    return "shortstudio" if name.startswith("shortstudio") else "python -m studio"


def parser() -> argparse.ArgumentParser:
    root = Parser(prog=_prog(), description="Short vertical video studio.")
    root.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    commands = root.add_subparsers(dest="command", required=True, parser_class=Parser)
    for add_command in COMMANDS:
        add_command(commands)
    return root


def run(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
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
    except BrokenPipeError:  # the reader went away (``| head``): nothing more to say, and no one to say it to
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as err:  # the CLI edge: one line, unless asked for the traceback
        if debug:
            raise
        print(_printable(f"error: unexpected {type(err).__name__}: {err} (rerun with --debug for details)"),
              file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
