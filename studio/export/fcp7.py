"""FCP7 XML (xmeml 5): the exchange file Premiere Pro and DaVinci Resolve import, our own writer.

- the sequence's ``samplecharacteristics`` carry the canvas (1080x1920, square pixels) and its timebase;
- shots are ``clipitem`` elements on V1 with their in and out points; a crossfade is a centred ``Cross Dissolve``
  ``transitionitem``, and the clips beside it say ``-1`` for the edge the transition owns (xmeml's convention:
  the cut is the transition's middle, and in/out reach into it); a shot not rendered yet is a named ``Slug``;
- a fade through black is an Opacity filter with keyframes (``when`` counts source frames, like in/out);
- captions, the title and the AI label are FCP7 ``Text`` generators on V2-V4 (text, font, size, colour, origin);
  a marker per caption too, which importers keep when they drop generators;
- audio: the shots' own sound (where the project keeps it) on its own track, narration, voice-over and music,
  each with an Audio Levels filter; the music's fades and ducking are level keyframes (xmeml has no fade element).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote

from studio.export.timeline import Clip, EditText, EditTimeline, Piece, Role, spine
from studio.media import MediaKind

FILE = "project.xml"
FONTS = {"sans": "Microsoft YaHei", "serif": "SimSun"}
MAX_LEVEL = 3.98109  # +12 dB, xmeml's ceiling for Audio Levels


def _sub(parent: ET.Element, tag: str, text: object | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = str(text)
    return element


def _gain(db: float) -> float:
    return min(MAX_LEVEL, 10 ** (db / 20))


class _Writer:
    def __init__(self, edit: EditTimeline):
        self.edit, self.fps = edit, edit.canvas.fps
        self.notes: list[str] = []
        self.files: dict[str, str] = {}
        self.count = 0

    def _id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}-{self.count}"

    def rate(self, parent: ET.Element) -> None:
        rate = _sub(parent, "rate")
        _sub(rate, "timebase", self.fps)
        _sub(rate, "ntsc", "FALSE")

    def file(self, parent: ET.Element, clip: Clip) -> None:
        if clip.path in self.files:  # later uses name the file by id only
            _sub(parent, "file", id=self.files[clip.path])
            return
        self.files[clip.path] = self._id("file")
        element = _sub(parent, "file", id=self.files[clip.path])
        _sub(element, "name", clip.name)
        _sub(element, "pathurl", quote(clip.path))
        self.rate(element)
        _sub(element, "duration", clip.frames)
        media = _sub(element, "media")
        if clip.kind is not MediaKind.AUDIO:
            characteristics = _sub(_sub(media, "video"), "samplecharacteristics")
            _sub(characteristics, "width", clip.width or self.edit.canvas.width)
            _sub(characteristics, "height", clip.height or self.edit.canvas.height)
        if clip.has_audio:
            audio = _sub(media, "audio")
            characteristics = _sub(audio, "samplecharacteristics")
            _sub(characteristics, "depth", 16)
            _sub(characteristics, "samplerate", 48000)
            _sub(audio, "channelcount", clip.channels)

    def timing(self, item: ET.Element, start: int | str, end: int | str, first: int, last: int) -> None:
        _sub(item, "start", start)
        _sub(item, "end", end)
        _sub(item, "in", first)
        _sub(item, "out", last)

    @staticmethod
    def effect(parent: ET.Element, name: str, effect_id: str, category: str, kind: str, media: str) -> ET.Element:
        effect = _sub(parent, "effect")
        _sub(effect, "name", name)
        _sub(effect, "effectid", effect_id)
        _sub(effect, "effectcategory", category)
        _sub(effect, "effecttype", kind)
        _sub(effect, "mediatype", media)
        return effect

    @staticmethod
    def parameter(effect: ET.Element, pid: str, name: str, value: object, low: float | None = None,
                  high: float | None = None, keys: list[tuple[int, float]] = ()) -> ET.Element:
        """A parameter; ``value`` a dict writes its items as sub-elements (a colour, an origin)."""
        parameter = _sub(effect, "parameter")
        _sub(parameter, "parameterid", pid)
        _sub(parameter, "name", name)
        if low is not None:
            _sub(parameter, "valuemin", low)
            _sub(parameter, "valuemax", high)
        if isinstance(value, dict):
            holder = _sub(parameter, "value")
            for key, part in value.items():
                _sub(holder, key, part)
        else:
            _sub(parameter, "value", value)
        for when, key_value in keys:
            keyframe = _sub(parameter, "keyframe")
            _sub(keyframe, "when", when)
            _sub(keyframe, "value", key_value)
        return parameter

    # -- picture ------------------------------------------------------------------------------------

    def shots(self, video: ET.Element) -> list[Piece]:
        track = _sub(video, "track")
        pieces = spine(self.edit)
        for k, piece in enumerate(pieces):
            if piece.dissolve:
                self.transition(track, piece)
            nxt = pieces[k + 1] if k + 1 < len(pieces) else None
            self.piece(track, piece, nxt)
        return list(pieces)

    def transition(self, track: ET.Element, piece: Piece) -> None:
        kind = piece.shot.transition.value
        if kind != "crossfade":
            self.notes.append(f"shot {piece.shot.index + 1} enters with {kind.replace('_', ' ')}: written as a "
                              "Cross Dissolve (replace it in Premiere or Resolve)")
        item = _sub(track, "transitionitem")
        _sub(item, "start", piece.start - piece.dissolve_before)
        _sub(item, "end", piece.start + piece.dissolve_after)
        _sub(item, "alignment", "center")
        self.rate(item)
        self.effect(item, "Cross Dissolve", "Cross Dissolve", "Dissolve", "transition", "video")

    def piece(self, track: ET.Element, piece: Piece, nxt: Piece | None) -> None:
        shot = piece.shot
        # xmeml: the edge a transition owns is -1, and in/out reach into the transition
        start: int | str = -1 if piece.dissolve else piece.start
        end: int | str = -1 if nxt is not None and nxt.dissolve else piece.end
        first = piece.source_in - piece.dissolve_before
        last = piece.source_in + piece.frames + (nxt.dissolve_after if nxt is not None and nxt.dissolve else 0)
        if shot.clip is None:
            item = _sub(track, "generatoritem", id=self._id("generatoritem"))
            _sub(item, "name", f"{shot.name} (not rendered yet)")
            _sub(item, "enabled", "TRUE")
            _sub(item, "duration", piece.frames)
            self.rate(item)
            self.timing(item, start, end, first, last)
            self.effect(item, "Slug", "Slug", "Matte", "generator", "video")
            return
        item = _sub(track, "clipitem", id=self._id("clipitem"))
        _sub(item, "name", shot.name)
        _sub(item, "enabled", "TRUE")
        _sub(item, "duration", shot.clip.frames)
        self.rate(item)
        self.timing(item, start, end, first, last)
        self.file(item, shot.clip)
        keys = []
        for ramp in (shot.fade_in, shot.fade_out):
            if ramp is not None:
                for frame in (max(ramp.first, piece.start), min(ramp.last, piece.end - 1)):
                    keys.append((piece.source_in + frame - piece.start, round(100 * ramp.at(frame), 2)))
        if keys:
            effect = self.effect(_sub(item, "filter"), "Opacity", "opacity", "motion", "motion", "video")
            self.parameter(effect, "opacity", "Opacity", 100, 0, 100, keys)

    def texts(self, video: ET.Element, items: tuple[EditText, ...]) -> None:
        track = _sub(video, "track")
        canvas = self.edit.canvas
        for text in items:
            item = _sub(track, "generatoritem", id=self._id("generatoritem"))
            _sub(item, "name", text.name)
            _sub(item, "enabled", "TRUE")
            _sub(item, "duration", text.frames)
            self.rate(item)
            self.timing(item, text.start, text.end, 0, text.frames)
            effect = self.effect(item, "Text", "Text", "Text", "generator", "video")
            look, (x, y, w, h) = text.look, text.box
            self.parameter(effect, "str", "Text", text.text)
            self.parameter(effect, "fontname", "Font", FONTS.get(look.family, FONTS["sans"]))
            self.parameter(effect, "fontsize", "Size", look.size_px, 0, 1000)
            self.parameter(effect, "fontstyle", "Style", 2 if look.bold else 1, 1, 4)
            self.parameter(effect, "fontalign", "Alignment", 2, 1, 3)
            # origin: the text's centre, from the frame's centre, in fractions of the frame
            self.parameter(effect, "origin", "Origin", {"horiz": f"{(x + w / 2) / canvas.width - 0.5:.4f}",
                                                        "vert": f"{(y + h / 2) / canvas.height - 0.5:.4f}"})
            self.parameter(effect, "fontcolor", "Font Color", {channel: int(look.color[k:k + 2], 16) for channel, k
                                                               in (("alpha", 7), ("red", 1), ("green", 3),
                                                                   ("blue", 5))})
            if text.fade_out:
                fade = self.effect(_sub(item, "filter"), "Opacity", "opacity", "motion", "motion", "video")
                self.parameter(fade, "opacity", "Opacity", 100, 0, 100,
                               [(text.frames - text.fade_out, 100), (text.frames - 1, 0)])

    # -- sound --------------------------------------------------------------------------------------

    def audio_item(self, track: ET.Element, *, clip: Clip, name: str, start: int,
                   end: int, first: int, gain_db: float, keys: list[tuple[int, float]] = ()) -> None:
        item = _sub(track, "clipitem", id=self._id("clipitem"))
        _sub(item, "name", name)
        _sub(item, "enabled", "TRUE")
        _sub(item, "duration", clip.frames)
        self.rate(item)
        self.timing(item, start, end, first, first + end - start)
        self.file(item, clip)
        source = _sub(item, "sourcetrack")
        _sub(source, "mediatype", "audio")
        _sub(source, "trackindex", 1)
        effect = self.effect(_sub(item, "filter"), "Audio Levels", "audiolevels", "audiolevels", "audiolevels",
                             "audio")
        self.parameter(effect, "level", "Level", f"{_gain(gain_db):.5f}", 0.00001, MAX_LEVEL,
                       [(first + f - start, round(_gain(db), 5)) for f, db in keys])

    def sound(self, audio: ET.Element, pieces: list[Piece]) -> None:
        edit = self.edit
        voiced = [p for p in pieces if p.shot.clip is not None and p.shot.audio_gain_db is not None]
        if voiced:
            track = _sub(audio, "track")
            for piece in voiced:
                self.audio_item(track, clip=piece.shot.clip, name=piece.shot.name, start=piece.start,
                                end=piece.end, first=piece.source_in, gain_db=piece.shot.audio_gain_db)
        lanes: list[list] = []  # [track, free from frame, role]
        for voice in sorted(edit.voices, key=lambda v: (v.role is not Role.VOICEOVER, v.start)):
            lane = next((lane for lane in lanes if lane[2] is voice.role and lane[1] <= voice.start), None)
            if lane is None:
                lane = [_sub(audio, "track"), 0, voice.role]
                lanes.append(lane)
            self.audio_item(lane[0], clip=voice.clip, name=voice.name, start=voice.start, end=voice.end,
                            first=voice.source_in, gain_db=voice.gain_db)
            lane[1] = voice.end
        if edit.music is not None:
            bed = edit.music
            track = _sub(audio, "track")
            levels = bed.levels_db()
            for piece in bed.pieces:
                keys = [(f, db) for f, db in levels if piece.start <= f < piece.end]
                self.audio_item(track, clip=piece.clip, name=piece.name, start=piece.start, end=piece.end,
                                first=piece.source_in, gain_db=bed.gain_db, keys=keys)

    def build(self) -> ET.Element:
        edit, canvas = self.edit, self.edit.canvas
        root = ET.Element("xmeml", version="5")
        sequence = _sub(root, "sequence", id="sequence-1")
        _sub(sequence, "name", edit.name)
        _sub(sequence, "duration", edit.frames)
        self.rate(sequence)
        timecode = _sub(sequence, "timecode")
        self.rate(timecode)
        _sub(timecode, "string", "00:00:00:00")
        _sub(timecode, "frame", 0)
        _sub(timecode, "displayformat", "NDF")
        media = _sub(sequence, "media")
        video = _sub(media, "video")
        characteristics = _sub(_sub(video, "format"), "samplecharacteristics")
        self.rate(characteristics)
        for tag, value in (("width", canvas.width), ("height", canvas.height), ("anamorphic", "FALSE"),
                           ("pixelaspectratio", "square"), ("fielddominance", "none"), ("colordepth", 24)):
            _sub(characteristics, tag, value)
        pieces = self.shots(video)
        self.texts(video, edit.captions)
        if edit.title is not None:
            self.texts(video, (edit.title,))
        self.texts(video, (edit.label,))
        audio = _sub(media, "audio")
        characteristics = _sub(_sub(audio, "format"), "samplecharacteristics")
        _sub(characteristics, "depth", 16)
        _sub(characteristics, "samplerate", 48000)
        self.sound(audio, pieces)
        for caption in edit.captions:
            marker = _sub(sequence, "marker")
            _sub(marker, "name", caption.text.replace("\n", " "))
            _sub(marker, "comment", caption.name)
            _sub(marker, "in", caption.start)
            _sub(marker, "out", caption.end)
        return root


def write(edit: EditTimeline, folder: Path) -> tuple[list[str], list[str]]:
    """Write ``project.xml`` into ``folder``; returns (files written, what this file could not carry)."""
    writer = _Writer(edit)
    root = writer.build()
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    (folder / FILE).write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE xmeml>\n{body}\n',
                               encoding="utf-8")
    return [FILE], writer.notes
