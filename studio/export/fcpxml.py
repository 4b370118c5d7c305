"""FCPXML 1.10: Final Cut Pro 10.6+ (and DaVinci Resolve's FCPXML import), our own writer.

OpenTimelineIO's FCPXML adapters write a landscape preset and drop transitions, so this writes the document
itself, in the element order of Apple's FCPXML 1.10 DTD:

- a custom ``format`` with the canvas's width, height and frame duration (no preset name exists for 1080x1920);
- the shots on the primary storyline (``spine``): ``asset-clip`` with its in-point (``start``) and length, a
  ``gap`` named after a shot not rendered yet, a ``Cross Dissolve`` transition centred on each crossfade's cut;
  a fade through black is ``adjust-blend`` opacity keyframes on the clip (no media handles needed); a clip's own
  sound is muted with ``srcEnable="video"`` or set with ``adjust-volume``;
- captions, the title and the AI label as Basic Titles on lanes 1-3 (text with its style: font, size, colour,
  outline, box colour, alignment, and the MP4's position), connected to the clip they start over;
- narration, voice-over and music as connected audio clips on negative lanes with their roles; the music's gain,
  ``fadeIn``/``fadeOut`` and the ducking as volume keyframes.

Every time is a whole number of frames written as a rational ("7/30s"). Media are referenced relative to the
file (``media/...``); Final Cut asks to relink when it does not resolve them, and the README says so.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path
from urllib.parse import quote

from studio.export.timeline import Clip, EditAudio, EditText, EditTimeline, Piece, Role, spine
from studio.media import MediaKind

FILE = "project.fcpxml"
BASIC_TITLE = ".../Titles.localized/Bumper:Opener.localized/Basic Title.localized/Basic Title.moti"
CROSS_DISSOLVE = "FxPlug:4731E73A-8DAC-4113-9A30-AE85B1761265"
AUDIO_CROSSFADE = "FFAudioTransition"
POSITION_KEY = "9999/999166631/999166633/1/100/101"
FONTS = {"sans": "PingFang SC", "serif": "Songti SC"}
TEXT_LANES = {Role.CAPTION: 1, Role.TITLE: 2, Role.LABEL: 3}


def _color(rgba: str | None) -> str:
    """"#RRGGBBAA" as FCPXML's "r g b a" (0-1)."""
    rgba = rgba or "#00000000"
    return " ".join(f"{int(rgba[k:k + 2], 16) / 255:.4g}" for k in (1, 3, 5, 7))


class _Writer:
    def __init__(self, edit: EditTimeline):
        self.edit, self.fps = edit, edit.canvas.fps
        self.notes: list[str] = []
        self.root = ET.Element("fcpxml", version="1.10")
        self.resources = ET.SubElement(self.root, "resources")
        canvas = edit.canvas
        # A custom format: no preset name exists for a vertical frame, so width and height carry it.
        ET.SubElement(self.resources, "format", id="r1", frameDuration=self.t(1), width=str(canvas.width),
                      height=str(canvas.height), colorSpace="1-1-1 (Rec. 709)")
        self.ids = 1
        self.assets: dict[str, str] = {}
        self.title_effect = self.effect("Basic Title", BASIC_TITLE)
        self.dissolve_effect = self.effect("Cross Dissolve", CROSS_DISSOLVE)
        self.crossfade_effect = self.effect("Audio Crossfade", AUDIO_CROSSFADE)
        self.styles = 0

    def t(self, frames: int) -> str:
        value = Fraction(frames, self.fps)
        return f"{value.numerator}s" if value.denominator == 1 else f"{value.numerator}/{value.denominator}s"

    def rid(self) -> str:
        self.ids += 1
        return f"r{self.ids}"

    def effect(self, name: str, uid: str) -> str:
        rid = self.rid()
        ET.SubElement(self.resources, "effect", id=rid, name=name, uid=uid)
        return rid

    def asset(self, clip: Clip) -> str:
        if clip.path in self.assets:
            return self.assets[clip.path]
        rid = self.rid()
        video = clip.kind is not MediaKind.AUDIO
        attrs = {"id": rid, "name": Path(clip.path).stem, "start": "0s", "duration": self.t(clip.frames),
                 "hasVideo": "1" if video else "0", "hasAudio": "1" if clip.has_audio else "0"}
        if video:
            attrs |= {"format": "r1", "videoSources": "1"}
        if clip.has_audio:
            attrs |= {"audioSources": "1", "audioChannels": str(clip.channels), "audioRate": "48000"}
        asset = ET.SubElement(self.resources, "asset", attrs)
        ET.SubElement(asset, "media-rep", kind="original-media", src=quote(clip.path))
        self.assets[clip.path] = rid
        return rid

    # -- the primary storyline ----------------------------------------------------------------------

    def spine(self, sequence: ET.Element) -> list[tuple[Piece, ET.Element, int]]:
        """The storyline; returns each piece with its element and the element's own time at its first frame."""
        line = ET.SubElement(sequence, "spine")
        items: list[tuple[Piece, ET.Element, int]] = []
        cursor = 0
        for piece in spine(self.edit):
            if piece.start > cursor:  # nothing on screen (cannot happen with the studio's timelines; kept exact)
                ET.SubElement(line, "gap", name="Gap", offset=self.t(cursor), start="0s",
                              duration=self.t(piece.start - cursor))
            if piece.dissolve:
                self.transition(line, piece)
            items.append((piece, self.piece(line, piece), piece.source_in if piece.shot.clip else 0))
            cursor = piece.end
        return items

    def transition(self, line: ET.Element, piece: Piece) -> None:
        kind = piece.shot.transition.value
        if kind != "crossfade":
            self.notes.append(f"shot {piece.shot.index + 1} enters with {kind.replace('_', ' ')}: written as a "
                              "Cross Dissolve (pick another transition in Final Cut)")
        transition = ET.SubElement(line, "transition", name="Cross Dissolve",
                                   offset=self.t(piece.start - piece.dissolve_before), duration=self.t(piece.dissolve))
        ET.SubElement(transition, "filter-video", ref=self.dissolve_effect, name="Cross Dissolve")
        ET.SubElement(transition, "filter-audio", ref=self.crossfade_effect, name="Audio Crossfade")

    def piece(self, line: ET.Element, piece: Piece) -> ET.Element:
        shot = piece.shot
        if shot.clip is None:
            return ET.SubElement(line, "gap", name=f"{shot.name} (not rendered yet)", offset=self.t(piece.start),
                                 start="0s", duration=self.t(piece.frames))
        attrs = {"ref": self.asset(shot.clip), "name": shot.name, "offset": self.t(piece.start),
                 "start": self.t(piece.source_in), "duration": self.t(piece.frames), "format": "r1",
                 "tcFormat": "NDF"}
        if shot.audio_gain_db is None:
            attrs["srcEnable"] = "video"
        clip = ET.SubElement(line, "asset-clip", attrs)
        keys = []  # opacity: the compositor's own levels on the first and last frame of each fade
        local = lambda frame: piece.source_in + frame - piece.start  # noqa: E731
        for ramp in (shot.fade_in, shot.fade_out):
            if ramp is not None:
                first, last = max(ramp.first, piece.start), min(ramp.last, piece.end - 1)
                if last >= first:
                    keys += [(local(first), ramp.at(first)), (local(last), ramp.at(last))]
        if keys:
            blend = ET.SubElement(clip, "adjust-blend", amount="1")
            animation = ET.SubElement(ET.SubElement(blend, "param", name="amount"), "keyframeAnimation")
            for frame, value in keys:
                ET.SubElement(animation, "keyframe", time=self.t(frame), value=f"{value:.4f}", interp="linear",
                              curve="linear")
        if shot.audio_gain_db:
            ET.SubElement(clip, "adjust-volume", amount=f"{shot.audio_gain_db:g}dB")
        return clip

    # -- connected items ----------------------------------------------------------------------------

    def anchor(self, items: list[tuple[Piece, ET.Element, int]], frame: int) -> tuple[ET.Element, str]:
        """The storyline item ``frame`` falls on, and ``frame`` in that item's own time."""
        piece, element, local = next((item for item in items if item[0].start <= frame < item[0].end), items[-1])
        return element, self.t(local + frame - piece.start)

    def title(self, items: list[tuple[Piece, ET.Element, int]], text: EditText) -> None:
        parent, offset = self.anchor(items, text.start)
        look, (x, y, w, h) = text.look, text.box
        canvas = self.edit.canvas
        title = ET.Element("title", ref=self.title_effect, lane=str(TEXT_LANES[text.role]), offset=offset,
                           name=text.name, start="0s", duration=self.t(text.frames), role=f"titles.{text.role.value}")
        # Basic Title's Position: pixels from the frame's centre, y up.
        ET.SubElement(title, "param", name="Position", key=POSITION_KEY,
                      value=f"{x + w / 2 - canvas.width / 2:g} {canvas.height / 2 - (y + h / 2):g}")
        self.styles += 1
        style_id = f"ts{self.styles}"
        body = ET.SubElement(title, "text")
        ET.SubElement(body, "text-style", ref=style_id).text = text.text
        definition = ET.SubElement(title, "text-style-def", id=style_id)
        attrs = {"font": FONTS.get(look.family, FONTS["sans"]), "fontSize": str(look.size_px),
                 "fontFace": "Bold" if look.bold else "Regular", "fontColor": _color(look.color),
                 "bold": "1" if look.bold else "0", "alignment": "center"}
        if look.stroke_px:
            attrs |= {"strokeColor": _color(look.stroke_color), "strokeWidth": str(look.stroke_px)}
        if look.box_color:
            attrs["backgroundColor"] = _color(look.box_color)
        ET.SubElement(definition, "text-style", attrs)
        if text.fade_out:
            blend = ET.SubElement(title, "adjust-blend", amount="1")
            animation = ET.SubElement(ET.SubElement(blend, "param", name="amount"), "keyframeAnimation")
            for frame, value in ((text.frames - text.fade_out, 1.0), (text.frames - 1, 0.0)):
                ET.SubElement(animation, "keyframe", time=self.t(frame), value=f"{value:g}", interp="linear",
                              curve="linear")
        parent.append(title)

    def audio(self, items: list[tuple[Piece, ET.Element, int]], audio: EditAudio, lane: int, role: str,
              fade_in: int = 0, fade_out: int = 0, keys: tuple[tuple[int, float], ...] = ()) -> None:
        parent, offset = self.anchor(items, audio.start)
        clip = ET.Element("asset-clip", ref=self.asset(audio.clip), lane=str(lane), offset=offset, name=audio.name,
                          start=self.t(audio.source_in), duration=self.t(audio.frames), audioRole=role)
        volume = ET.SubElement(clip, "adjust-volume", amount=f"{audio.gain_db:g}dB")
        if fade_in or fade_out or keys:
            param = ET.SubElement(volume, "param", name="amount")
            if fade_in:
                ET.SubElement(param, "fadeIn", type="easeIn", duration=self.t(fade_in))
            if fade_out:
                ET.SubElement(param, "fadeOut", type="easeOut", duration=self.t(fade_out))
            if keys:
                animation = ET.SubElement(param, "keyframeAnimation")
                for frame, db in keys:  # clip-local time, absolute level
                    ET.SubElement(animation, "keyframe", time=self.t(audio.source_in + frame - audio.start),
                                  value=f"{audio.gain_db + db:.2f}dB", interp="linear", curve="linear")
        parent.append(clip)  # after the parent's own adjustments, as the DTD orders them

    def build(self) -> ET.Element:
        edit = self.edit
        event = ET.SubElement(ET.SubElement(self.root, "library"), "event", name="shortstudio")
        project = ET.SubElement(event, "project", name=edit.name)
        sequence = ET.SubElement(project, "sequence", format="r1", duration=self.t(edit.frames), tcStart="0s",
                                 tcFormat="NDF", audioLayout="stereo", audioRate="48k")
        items = self.spine(sequence)
        for text in (*edit.captions, *((edit.title,) if edit.title else ()), edit.label):
            self.title(items, text)
        narration: list[int] = []  # per lane below the music, the frame where it is free again
        for voice in sorted(edit.voices, key=lambda v: v.start):
            if voice.role is Role.VOICEOVER:
                self.audio(items, voice, -1, "dialogue")
                continue
            k = next((k for k, end in enumerate(narration) if end <= voice.start), len(narration))
            narration[k:k + 1] = [voice.end]
            self.audio(items, voice, -3 - k, "dialogue")
        if edit.music is not None:
            bed = edit.music
            for k, piece in enumerate(bed.pieces):
                keys = tuple((f, db) for f, db in bed.duck if piece.start <= f < piece.end)
                self.audio(items, piece, -2, "music", bed.fade_in if k == 0 else 0,
                           bed.fade_out if k == len(bed.pieces) - 1 else 0, keys)
        metadata = ET.SubElement(sequence, "metadata")
        ET.SubElement(metadata, "md", key="com.apple.proapps.studio.aigc", value=f"AI-generated: {edit.label.text}")
        return self.root


def write(edit: EditTimeline, folder: Path) -> tuple[list[str], list[str]]:
    """Write ``project.fcpxml`` into ``folder``; returns (files written, what this file could not carry)."""
    writer = _Writer(edit)
    root = writer.build()
    ET.indent(root)
    for text in root.iter("text"):  # mixed content: indentation there would become part of the title's words
        text.text = None
        for run in text:
            run.tail = None
    body = ET.tostring(root, encoding="unicode")
    (folder / FILE).write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE fcpxml>\n{body}\n',
                               encoding="utf-8")
    return [FILE], writer.notes
