"""The editor formats: what each one is called, which module writes it, how to open it and what it cannot carry.

One entry per format, in the order the studio recommends them. Each writer module has
``write(edit, folder) -> (files, notes)``; it is imported only when its format is chosen, so a missing optional
library (OpenTimelineIO, pyJianYingDraft) affects only its own format. ``cannot_carry`` is what the format loses
whatever the project holds; the writer's notes add what it lost of this project (a transition it has no
equivalent for), and the README lists both with the project's own notes: nothing is dropped silently.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import StrEnum
from types import ModuleType

from studio.errors import EnvironmentProblem, ProjectValidationError


class EditFormat(StrEnum):
    MLT = "mlt"
    OTIO = "otio"
    FCPXML = "fcpxml"
    FCP7 = "fcp7"
    EDL = "edl"
    JIANYING = "jianying"


@dataclass(frozen=True)
class FormatSpec:
    format: EditFormat
    label: str
    module: str
    opens: tuple[str, ...]  # one line per editor: how to open the folder there
    cannot_carry: tuple[str, ...]
    pictures: bool = False  # the texts go along as PNGs too (the format cannot hold text, or may drop it)
    experimental: str = ""  # why it is labelled experimental, when it is
    package: str = ""  # the Python package the writer needs, for the error when it is missing

    def writer(self) -> ModuleType:
        try:
            return importlib.import_module(self.module)
        except ImportError as err:
            raise EnvironmentProblem(f"the {self.format.value} export needs the Python package {self.package} "
                                     f"({err.name} is not installed): pip install -r requirements.txt") from None


FORMATS: dict[EditFormat, FormatSpec] = {spec.format: spec for spec in (
    FormatSpec(
        EditFormat.MLT, "MLT XML (Shotcut)", "studio.export.mlt",
        opens=(
            "Shotcut: File > Open File... and choose project.mlt (the project's 9:16 video mode comes with it).",
            "melt (the MLT engine, any OS): `melt project.mlt -consumer avformat:out.mp4` renders it as it is.",
            "Kdenlive: it removes the clips of an MLT file it did not write; export the OTIO format for Kdenlive "
            "25.04 or newer instead.",
        ),
        cannot_carry=(
            "caption styles beyond font, size, colour, outline and box (Shotcut's simple text has no rounded box "
            "corners or blurred shadow); text is drawn by Qt, so it is close to, not identical with, the MP4's",
        ),
    ),
    FormatSpec(
        EditFormat.OTIO, "OpenTimelineIO bundle (.otioz)", "studio.export.otio", pictures=True,
        package="opentimelineio",
        opens=(
            "DaVinci Resolve 18.5 or newer: File > Import > Timeline... and choose project.otioz; then set the "
            "timeline to 1080x1920 (Timeline > Timeline Settings): OTIO has no canvas size.",
            "Premiere Pro 25.6 or newer: File > Import, choose project.otioz; set the sequence to 1080x1920.",
            "Kdenlive 25.04 or newer: File > Open, choose project.otio from the unpacked bundle (or import the "
            ".otioz); set the project profile to vertical 1080x1920.",
            "Any tool: `python -m opentimelineio.console.otiocat project.otioz` prints it; the bundle is a zip "
            "with content.otio and media/.",
        ),
        cannot_carry=(
            "the canvas size (set 1080x1920 in the editor; it is recorded in the timeline's metadata)",
            "text: captions, title and label are OTIO Text generator clips, which some editors show as gaps or "
            "offline clips; the same texts are in media/text/ as the MP4's own PNGs and in captions.srt",
            "fades through black: written as clip effects fade_to_black / fade_from_black with their length "
            "(Kdenlive reads them; elsewhere add a dip to black)",
            "clip and music gains, fades and ducking: in each clip's metadata (studio) and as Volume effects, "
            "which editors may ignore",
        ),
    ),
    FormatSpec(
        EditFormat.FCPXML, "FCPXML 1.10 (Final Cut Pro)", "studio.export.fcpxml",
        opens=(
            "Final Cut Pro 10.6 or newer: File > Import > XML... and choose project.fcpxml; media are found in "
            "media/ next to it (relink to that folder if asked).",
            "DaVinci Resolve: File > Import > Timeline... and choose project.fcpxml.",
        ),
        cannot_carry=(
            "the caption style beyond font, size, colour, outline and alignment (Basic Title)",
            "equal-power audio fades: Final Cut's own fade shape is used",
        ),
    ),
    FormatSpec(
        EditFormat.FCP7, "FCP7 XML (Premiere Pro, Resolve)", "studio.export.fcp7",
        opens=(
            "Premiere Pro: File > Import, choose project.xml; it opens as a 1080x1920 sequence (relink to media/ "
            "if asked).",
            "DaVinci Resolve: File > Import > Timeline... and choose project.xml.",
        ),
        cannot_carry=(
            "caption outline, box and exact font size: captions are the FCP7 Text generator (text, font, size, "
            "colour, position)",
            "audio fades: written as level keyframes (FCP7 XML has no fade element)",
        ),
    ),
    FormatSpec(
        EditFormat.EDL, "CMX 3600 EDL (cuts only)", "studio.export.edl", pictures=True,
        opens=(
            "Any editor: import project.edl (Premiere: File > Import; Resolve: File > Import > Timeline; Avid), "
            "at 30 fps, non-drop frame; point it at media/ when it asks for the clips.",
        ),
        cannot_carry=(
            "everything but the picture cuts: an EDL is one video track of events with reel names",
            "captions, title and AI label: not in the EDL; they are in media/text/ as the MP4's PNGs (frame "
            "windows in this README) and in captions.srt",
            "music, narration and voice-over: not in the EDL; their files are in media/ with their start times "
            "listed in this README",
            "fades through black: written as dissolves from and to black (BL) where the format allows",
            "the canvas size and the clip names beyond 8-character reels (names are in comments)",
        ),
    ),
    FormatSpec(
        EditFormat.JIANYING, "Jianying / CapCut draft (experimental)", "studio.export.jianying",
        package="pyJianYingDraft",
        experimental=("the draft format is undocumented and changes with each app version; newer Jianying "
                      "versions encrypt drafts when they save them, and only the desktop app can truly check one"),
        opens=(
            "Jianying Pro (剪映专业版) on Windows or macOS: close it, copy this whole folder into its draft folder "
            "(Settings > Draft location, e.g. ...\\JianyingPro Drafts\\), start it again and open the draft named "
            "after the folder. Media paths point into the draft's media/ folder; relink there if asked.",
            "CapCut desktop: the same, into CapCut's draft folder (newer versions may ask to relink media or "
            "refuse drafts they did not register).",
        ),
        cannot_carry=(
            "the title's and captions' exact fonts (the app's default font is used)",
            "ducking is written as volume keyframes on the music, which older app versions ignore",
        ),
    ),
)}


def format_spec(value: str | EditFormat) -> FormatSpec:
    try:
        return FORMATS[EditFormat(str(value).strip().lower())]
    except ValueError:
        raise ProjectValidationError(f"unknown editor format {value!r}; choose one of: "
                                     f"{', '.join(f.value for f in EditFormat)}") from None
