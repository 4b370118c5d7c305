"""MLT XML: the project file of Shotcut (and the engine of Kdenlive), rendered headless by ``melt``.

Written the way Shotcut writes its own projects, so it opens there as an editable timeline:

- the profile is the canvas (e.g. 1080x1920, 30 fps, square pixels, BT.709);
- every producer has a ``length`` (without one, ``avformat-novalidate`` lasts a single frame) and a path relative
  to the file, so the folder can move;
- shots sit on one track; a crossfade is Shotcut's transition (a small tractor with ``luma`` and ``mix`` over the
  two shots' overlapping frames); a fade through black is the clip's opacity over the black background (a
  ``brightness`` filter's ``alpha``) whose keyframes are the compositor's own levels on its first and last faded
  frame (linear between, as the MP4 has it);
- captions, the title and the AI label are Shotcut's "Text: Simple" (a transparent colour clip with a
  ``dynamictext`` filter), each kind on its own named track; they are blended with ``composite``: ``qtblend`` over
  a transparent clip renders opaque black in MLT 7.12;
- music is one track whose volume filter holds the gain, the ducking keyframes and the equal-power fades as dB
  keyframes; narration and the voice-over have tracks of their own; every track is summed by a ``mix``.

Kdenlive removes clips of a generic MLT file (it wants its own bin conventions): the README sends Kdenlive users
to the OTIO export instead.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from studio.export.timeline import Clip, EditShot, EditText, EditTimeline, MusicBed, Ramp, Role
from studio.media import MediaKind

FILE = "project.mlt"
FAMILIES = {"sans": "Noto Sans CJK SC", "serif": "Noto Serif CJK SC"}


def _prop(element: ET.Element, name: str, value: object) -> None:
    ET.SubElement(element, "property", name=name).text = str(value)


def _argb(color: str | None) -> str:
    """"#RRGGBBAA" as MLT's "#AARRGGBB"."""
    if not color:
        return "#00000000"
    return f"#{color[7:9]}{color[1:7]}".lower()


def _keyframes(points: list[tuple[int, float]]) -> str:
    return ";".join(f"{frame}={value:.4f}" for frame, value in points)


class _Writer:
    def __init__(self, edit: EditTimeline):
        self.edit = edit
        self.root = ET.Element("mlt", LC_NUMERIC="C", version="7.12.0", title=edit.name, producer="main_tractor")
        canvas = edit.canvas
        ET.SubElement(self.root, "profile", description=f"{canvas.width}x{canvas.height} {canvas.fps} fps",
                      width=str(canvas.width), height=str(canvas.height), progressive="1",
                      sample_aspect_num="1", sample_aspect_den="1", display_aspect_num=str(canvas.width),
                      display_aspect_den=str(canvas.height), frame_rate_num=str(canvas.fps), frame_rate_den="1",
                      colorspace="709")
        self.count = 0
        self.notes: list[str] = []

    def _id(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    # -- producers ----------------------------------------------------------------------------------

    def media(self, clip: Clip, name: str, *, audio: bool, video: bool = True) -> ET.Element:
        producer = ET.SubElement(self.root, "producer", id=self._id("producer"), attrib={
            "in": "0", "out": str(clip.frames - 1)})
        _prop(producer, "length", clip.frames)
        _prop(producer, "eof", "pause")
        _prop(producer, "resource", clip.path)
        _prop(producer, "mlt_service", "avformat-novalidate")
        _prop(producer, "seekable", 1)
        _prop(producer, "shotcut:caption", name)
        if not video or clip.kind is MediaKind.AUDIO:
            _prop(producer, "video_index", -1)
        if not audio or not clip.has_audio:
            _prop(producer, "audio_index", -1)
        return producer

    def gain(self, producer: ET.Element, gain_db: float) -> None:
        if gain_db:
            volume = ET.SubElement(producer, "filter", id=self._id("filter"))
            _prop(volume, "mlt_service", "volume")
            _prop(volume, "level", f"{gain_db:g}")
            _prop(volume, "shotcut:filter", "audioGain")

    def brightness(self, producer: ET.Element, shot: EditShot, ramp: Ramp, kind: str) -> None:
        first = shot.source_in + ramp.first - shot.start
        last = shot.source_in + ramp.last - shot.start
        fade = ET.SubElement(producer, "filter", id=self._id("filter"), attrib={"in": str(first), "out": str(last)})
        _prop(fade, "mlt_service", "brightness")
        # Opacity over the black background, not brightness: MLT's level scales limited-range luma with its
        # offset (frames come out darker than the MP4's), while alpha over black is the MP4's own RGB blend.
        _prop(fade, "level", 1)
        _prop(fade, "alpha", _keyframes([(0, ramp.start_value), (last - first, ramp.end_value)]))
        _prop(fade, "shotcut:filter", kind)
        _prop(fade, "kdenlive_id", "fade_from_black" if kind == "fadeInBrightness" else "fade_to_black")

    def text(self, item: EditText) -> str:
        producer = ET.SubElement(self.root, "producer", id=self._id("text"), attrib={
            "in": "0", "out": str(item.frames - 1)})
        _prop(producer, "length", item.frames)
        _prop(producer, "eof", "pause")
        _prop(producer, "resource", "#00000000")
        _prop(producer, "mlt_service", "color")
        _prop(producer, "mlt_image_format", "rgba")
        _prop(producer, "shotcut:caption", item.name)
        look = item.look
        text = ET.SubElement(producer, "filter", id=self._id("filter"))
        _prop(text, "mlt_service", "dynamictext")
        _prop(text, "argument", item.text.replace("\\", "\\\\").replace("#", "\\#"))
        x, y, w, h = item.box
        _prop(text, "geometry", f"{x} {y} {w} {h} 1")
        _prop(text, "family", FAMILIES.get(look.family, FAMILIES["sans"]))
        _prop(text, "size", look.size_px)
        _prop(text, "weight", 700 if look.bold else 400)
        _prop(text, "style", "normal")
        _prop(text, "fgcolour", _argb(look.color))
        _prop(text, "olcolour", _argb(look.stroke_color))
        _prop(text, "outline", look.stroke_px)
        _prop(text, "bgcolour", _argb(look.box_color))
        _prop(text, "pad", look.box_padding_px)
        _prop(text, "halign", "center")
        _prop(text, "valign", "middle")
        _prop(text, "shotcut:filter", "dynamicText")
        _prop(text, "shotcut:usePointSize", 0)
        _prop(text, "kdenlive_id", "dynamictext")
        if item.fade_out:
            fade = ET.SubElement(producer, "filter", id=self._id("filter"), attrib={
                "in": str(item.frames - item.fade_out), "out": str(item.frames - 1)})
            _prop(fade, "mlt_service", "brightness")
            _prop(fade, "level", 1)
            _prop(fade, "alpha", _keyframes([(0, 1.0), (item.fade_out - 1, 0.0)]))  # fades out over the picture
            _prop(fade, "shotcut:filter", "fadeOutBrightness")
        return producer.get("id")

    # -- tracks -------------------------------------------------------------------------------------

    def playlist(self, name: str, *, audio: bool = False) -> ET.Element:
        playlist = ET.Element("playlist", id=self._id("playlist"))
        _prop(playlist, "shotcut:name", name)
        if audio:
            _prop(playlist, "shotcut:audio", 1)
        return playlist

    @staticmethod
    def entry(playlist: ET.Element, producer: str, first: int, last: int) -> None:
        ET.SubElement(playlist, "entry", producer=producer, attrib={"in": str(first), "out": str(last)})

    @staticmethod
    def blank(playlist: ET.Element, frames: int) -> None:
        if frames > 0:
            ET.SubElement(playlist, "blank", length=str(frames))

    def shots(self) -> ET.Element:
        edit = self.edit
        playlist = self.playlist("V1 Shots")
        producers: dict[int, str] = {}
        for shot in edit.shots:
            if shot.clip is None:
                gap = ET.SubElement(self.root, "producer", id=self._id("gap"), attrib={
                    "in": "0", "out": str(shot.frames - 1)})
                _prop(gap, "length", shot.frames)
                _prop(gap, "resource", "#FF000000")
                _prop(gap, "mlt_service", "color")
                _prop(gap, "shotcut:caption", f"{shot.name} (not rendered yet)")
                producers[shot.index] = gap.get("id")
                continue
            producer = self.media(shot.clip, shot.name, audio=shot.audio_gain_db is not None)
            if shot.audio_gain_db is not None:
                self.gain(producer, shot.audio_gain_db)
            if shot.fade_in is not None:
                self.brightness(producer, shot, shot.fade_in, "fadeInBrightness")
            if shot.fade_out is not None:
                self.brightness(producer, shot, shot.fade_out, "fadeOutBrightness")
            producers[shot.index] = producer.get("id")
        cursor = 0
        for i, shot in enumerate(edit.shots):
            nxt = edit.shots[i + 1] if i + 1 < len(edit.shots) else None
            head = shot.overlap  # frames already shown inside the transition from the previous shot
            tail = nxt.overlap if nxt is not None else 0
            self.blank(playlist, shot.start + head - cursor)
            first, last = shot.source_in + head, shot.source_in + shot.frames - tail - 1
            if last >= first:
                self.entry(playlist, producers[shot.index], first, last)
            cursor = shot.end - tail
            if nxt is not None and nxt.overlap:
                self.dissolve(playlist, shot, nxt, producers)
                cursor = shot.end
        return playlist

    def dissolve(self, playlist: ET.Element, a: EditShot, b: EditShot, producers: dict[int, str]) -> None:
        n = b.overlap
        a_in, b_in = a.source_in + a.frames - n, b.source_in
        tractor = ET.SubElement(self.root, "tractor", id=self._id("transition"), attrib={"in": "0", "out": str(n - 1)})
        _prop(tractor, "shotcut:transition", "lumaMix")
        for shot, first in ((a, a_in), (b, b_in)):
            ET.SubElement(tractor, "track", producer=producers[shot.index],
                          attrib={"in": str(first), "out": str(first + n - 1)})
        for service in ("luma", "mix"):
            transition = ET.SubElement(tractor, "transition", id=self._id("transition"), attrib={"out": str(n - 1)})
            _prop(transition, "a_track", 0)
            _prop(transition, "b_track", 1)
            _prop(transition, "mlt_service", service)
            if service == "luma":
                _prop(transition, "factory", "loader")  # no luma file: a plain dissolve
            else:
                _prop(transition, "start", -1)  # the sound crossfades with the picture
        if b.transition.value != "crossfade":
            self.notes.append(f"shot {b.index + 1} enters with {b.transition.value.replace('_', ' ')}: written as a "
                              "dissolve (Shotcut's nearest); pick another transition there")
        self.entry(playlist, tractor.get("id"), 0, n - 1)

    def texts(self, name: str, items: tuple[EditText, ...]) -> ET.Element:
        playlist = self.playlist(name)
        cursor = 0
        for item in items:
            self.blank(playlist, item.start - cursor)
            self.entry(playlist, self.text(item), 0, item.frames - 1)
            cursor = item.end
        return playlist

    def music(self, bed: MusicBed) -> ET.Element:
        playlist = self.playlist("Music", audio=True)
        producer = self.media(bed.pieces[0].clip, "Music", audio=True, video=False)
        cursor = 0
        for piece in bed.pieces:
            self.blank(playlist, piece.start - cursor)
            self.entry(playlist, producer.get("id"), piece.source_in, piece.source_in + piece.frames - 1)
            cursor = piece.end
        volume = ET.SubElement(playlist, "filter", id=self._id("filter"), attrib={
            "in": "0", "out": str(bed.end - 1)})
        _prop(volume, "mlt_service", "volume")
        _prop(volume, "level", _keyframes([(f - bed.start, db) for f, db in bed.levels_db()]))
        _prop(volume, "shotcut:filter", "audioGain")
        return playlist

    def voices(self) -> list[ET.Element]:
        """The voice-over on its track; narration on as many tracks as its recordings overlap (a recording longer
        than its shot runs into the next shot's, and one track holds one clip at a time)."""
        lanes: list[list] = []  # [playlist, frame where it is free]
        for voice in sorted(self.edit.voices, key=lambda v: (v.role is not Role.VOICEOVER, v.start)):
            producer = self.media(voice.clip, voice.name, audio=True, video=False)
            self.gain(producer, voice.gain_db)
            kind = "Voice-over" if voice.role is Role.VOICEOVER else "Narration"
            lane = next((lane for lane in lanes if lane[2] == kind and lane[1] <= voice.start), None)
            if lane is None:
                count = sum(1 for other in lanes if other[2] == kind)
                lane = [self.playlist(kind + (f" {count + 1}" if count else ""), audio=True), 0, kind]
                lanes.append(lane)
            self.blank(lane[0], voice.start - lane[1])
            self.entry(lane[0], producer.get("id"), voice.source_in, voice.source_in + voice.frames - 1)
            lane[1] = voice.end
        return [lane[0] for lane in lanes]

    # -- the whole file -----------------------------------------------------------------------------

    def build(self) -> ET.Element:
        edit = self.edit
        background = ET.SubElement(self.root, "producer", id="black", attrib={"in": "0", "out": str(edit.frames - 1)})
        _prop(background, "length", edit.frames)
        _prop(background, "eof", "pause")
        _prop(background, "resource", "black")
        _prop(background, "aspect_ratio", 1)
        _prop(background, "mlt_service", "color")
        _prop(background, "mlt_image_format", "rgba")
        _prop(background, "set.test_audio", 0)
        base = ET.Element("playlist", id="background")
        self.entry(base, "black", 0, edit.frames - 1)
        video = [self.shots(), self.texts("V2 Captions", edit.captions)]
        if edit.title is not None:
            video.append(self.texts("V3 Title", (edit.title,)))
        video.append(self.texts("AI label", (edit.label,)))
        audio = self.voices()
        if edit.music is not None:
            audio.append(self.music(edit.music))
        tracks = [base, *video, *audio]
        self.root.extend(tracks)  # playlists after every producer and tractor they name
        main = ET.SubElement(self.root, "tractor", id="main_tractor", attrib={"in": "0", "out": str(edit.frames - 1)})
        _prop(main, "shotcut", 1)
        _prop(main, "shotcut:projectAudioChannels", 2)
        _prop(main, "shotcut:projectFolder", 0)
        for k, playlist in enumerate(tracks):
            hide = {"hide": "video"} if k > len(video) else {}  # sound tracks show no picture
            ET.SubElement(main, "track", producer=playlist.get("id"), attrib=hide)
        for b in range(1, len(tracks)):
            mix = ET.SubElement(main, "transition", id=self._id("transition"))
            _prop(mix, "a_track", 0)
            _prop(mix, "b_track", b)
            _prop(mix, "mlt_service", "mix")
            _prop(mix, "always_active", 1)
            _prop(mix, "sum", 1)
        for b in range(1, len(video) + 1):
            blend = ET.SubElement(main, "transition", id=self._id("transition"))
            _prop(blend, "a_track", 0)
            _prop(blend, "b_track", b)
            _prop(blend, "mlt_service", "composite")
            _prop(blend, "always_active", 1)
            _prop(blend, "fill", 1)
            _prop(blend, "aligned", 1)
        return self.root


def write(edit: EditTimeline, folder: Path) -> tuple[list[str], list[str]]:
    """Write ``project.mlt`` into ``folder``; returns (files written, what this file could not carry)."""
    writer = _Writer(edit)
    root = writer.build()
    ET.indent(root)
    (folder / FILE).write_bytes(b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8"))
    return [FILE], writer.notes
