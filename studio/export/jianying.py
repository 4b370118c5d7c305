"""Jianying (剪映) / CapCut draft, experimental: a plain-JSON draft written with pyJianYingDraft (Apache-2.0).

The folder itself is the draft (``draft_content.json``, ``draft_meta_info.json``, ``media/``): copied into the
app's draft folder it shows up as a draft named after the folder. Times are microseconds, each a canvas frame's
own time rounded to the microsecond (``round(frame * 1e6 / fps)``), so segments stay back to back and every cut
falls on the frame our MP4 has it on.

- shots on the main video track with their in-points; crossfades as 叠化 (dissolve) on the outgoing segment,
  centred on the cut; a fade through black as opacity (alpha) keyframes over the black canvas; a clip's sound at
  its gain (0 for a muted one); a shot not rendered yet is left empty (the main track's magnet is turned off so
  the gap stays) and named in the README;
- captions, the title and the AI label as text segments on their own tracks, with the MP4's line breaks, colours,
  outline, box and position;
- narration, voice-over and music as audio segments; the music with its gain, fades and ducking keyframes.

Media paths use the draft-folder placeholder Jianying writes for media inside a draft
(``##_draftpath_placeholder_<uuid>_##/media/...``), so the draft does not name this machine's folders. The
format is undocumented and changes between app versions; newer Jianying versions encrypt drafts when they save
them, and only the desktop app can truly check one: hence "experimental".
"""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pyJianYingDraft as jy
from pyJianYingDraft import (
    AudioMaterial,
    AudioSegment,
    ClipSettings,
    KeyframeProperty,
    TextBackground,
    TextBorder,
    TextSegment,
    TextStyle,
    Timerange,
    TrackSpec,
    TrackType,
    TransitionType,
    VideoMaterial,
    VideoSegment,
)

from studio.export.timeline import EditAudio, EditText, EditTimeline, Piece, Role, spine

FILES = ("draft_content.json", "draft_meta_info.json")
PLACEHOLDER = "##_draftpath_placeholder_0E685133-18CE-45ED-8CB8-2904A212EC80_##"
# The studio's transitions and their nearest Jianying transition (by name, in pyJianYingDraft's table).
TRANSITIONS = {
    "crossfade": "叠化", "slide_left": "向左", "slide_right": "向右", "slide_up": "向上", "slide_down": "向下",
    "zoom_in": "推近", "zoom_out": "拉远", "whip_left": "横向模糊", "whip_right": "横向模糊", "whip_up": "竖向模糊",
    "whip_down": "竖向模糊", "flash": "闪白",
}
REFERENCE_TEXT_PX = 8  # a Jianying text size of 8 (its default) is about this many pixels per 1080-wide frame


def _rgb(color: str) -> tuple[float, float, float]:
    return tuple(int(color[k:k + 2], 16) / 255 for k in (1, 3, 5))  # type: ignore[return-value]


class _Writer:
    def __init__(self, edit: EditTimeline, folder: Path):
        self.edit, self.folder, self.fps = edit, folder, edit.canvas.fps
        self.notes: list[str] = []
        canvas = edit.canvas
        self.script = jy.ScriptFile(canvas.width, canvas.height, self.fps, maintrack_adsorb=not edit.gaps)
        self.videos: dict[str, VideoMaterial] = {}
        self.audios: dict[str, AudioMaterial] = {}

    def us(self, frame: int) -> int:
        return round(frame * 1_000_000 / self.fps)

    def span(self, start: int, end: int) -> Timerange:
        return Timerange(self.us(start), self.us(end) - self.us(start))

    def video(self, path: str) -> VideoMaterial:
        if path not in self.videos:
            material = VideoMaterial(str(self.folder / path))  # probed by pymediainfo for its size and length
            material.path = f"{PLACEHOLDER}/{path}"
            self.videos[path] = material
        return self.videos[path]

    def audio(self, path: str) -> AudioMaterial:
        if path not in self.audios:
            material = AudioMaterial(str(self.folder / path))
            material.path = f"{PLACEHOLDER}/{path}"
            self.audios[path] = material
        return self.audios[path]

    def shots(self) -> None:
        self.script.append_track(TrackSpec(TrackType.video, "shots"))
        pieces = spine(self.edit)
        for k, piece in enumerate(pieces):
            if piece.shot.clip is None:
                continue
            segment = self.segment(piece)
            nxt = pieces[k + 1] if k + 1 < len(pieces) else None
            if nxt is not None and nxt.dissolve:
                kind = nxt.shot.transition.value
                name = TRANSITIONS.get(kind)
                if name is None:
                    name = TRANSITIONS["crossfade"]
                    self.notes.append(f"shot {nxt.shot.index + 1} enters with {kind.replace('_', ' ')}: written as "
                                      "叠化 (dissolve)")
                if nxt.shot.clip is not None:
                    segment.add_transition(TransitionType[name], duration=self.us(nxt.dissolve))
            self.script.add_segment(segment, "shots")

    def segment(self, piece: Piece) -> VideoSegment:
        shot = piece.shot
        material = self.video(shot.clip.path)
        target = self.span(piece.start, piece.end)
        source_start = self.us(piece.source_in)
        length = min(target.duration, material.duration - source_start)  # the file's own µs rounding
        volume = 0.0 if shot.audio_gain_db is None else 10 ** (shot.audio_gain_db / 20)
        segment = VideoSegment(material, Timerange(target.start, length),
                               source_timerange=Timerange(source_start, length), speed=1.0, volume=volume)
        for ramp in (shot.fade_in, shot.fade_out):
            if ramp is None:
                continue
            for frame in (max(ramp.first, piece.start), min(ramp.last, piece.end - 1)):
                segment.add_keyframe(KeyframeProperty.alpha, self.us(frame) - target.start, round(ramp.at(frame), 4))
        return segment

    def texts(self, track: str, items: tuple[EditText, ...]) -> None:
        self.script.append_track(TrackSpec(TrackType.text, track))
        canvas = self.edit.canvas
        for item in items:
            look, (x, y, w, h) = item.look, item.box
            size = round(look.size_px * 1080 / canvas.width / REFERENCE_TEXT_PX, 2)
            style = TextStyle(size=size, bold=look.bold, color=_rgb(look.color), alpha=int(look.color[7:9], 16) / 255,
                              align=1, auto_wrapping=True)
            border = TextBorder(color=_rgb(look.stroke_color), width=min(100.0, look.stroke_px * 8.0)) \
                if look.stroke_px else None
            background = TextBackground(color=look.box_color[:7], alpha=int(look.box_color[7:9], 16) / 255) \
                if look.box_color else None
            # position: the MP4's centre of the text, in half-canvas units from the middle, up positive
            place = ClipSettings(transform_x=round((x + w / 2) / (canvas.width / 2) - 1, 4),
                                 transform_y=round(1 - (y + h / 2) / (canvas.height / 2), 4))
            segment = TextSegment(item.text, self.span(item.start, item.end), style=style, border=border,
                                  background=background, clip_settings=place)
            self.script.add_segment(segment, track)

    def sounds(self) -> None:
        edit = self.edit
        lanes: list[list] = []  # [track name, free from frame, role]
        for voice in sorted(edit.voices, key=lambda v: (v.role is not Role.VOICEOVER, v.start)):
            lane = next((lane for lane in lanes if lane[2] is voice.role and lane[1] <= voice.start), None)
            if lane is None:
                base = "voiceover" if voice.role is Role.VOICEOVER else "narration"
                count = sum(1 for other in lanes if other[2] is voice.role)
                lane = [base + (f" {count + 1}" if count else ""), 0, voice.role]
                self.script.append_track(TrackSpec(TrackType.audio, lane[0]))
                lanes.append(lane)
            self.script.add_segment(self.sound(voice, 10 ** (voice.gain_db / 20)), lane[0])
            lane[1] = voice.end
        if edit.music is None:
            return
        bed = edit.music
        self.script.append_track(TrackSpec(TrackType.audio, "music"))
        gain = 10 ** (bed.gain_db / 20)
        for k, piece in enumerate(bed.pieces):
            segment = self.sound(piece, gain)
            fade_in = self.us(bed.fade_in) if k == 0 else 0
            fade_out = self.us(bed.fade_out) if k == len(bed.pieces) - 1 else 0
            if fade_in or fade_out:
                segment.add_fade(fade_in, fade_out)
            for frame, db in bed.duck:
                if piece.start <= frame < piece.end:
                    segment.add_keyframe(self.us(frame) - self.us(piece.start), round(gain * 10 ** (db / 20), 4))
            self.script.add_segment(segment, "music")

    def sound(self, audio: EditAudio, volume: float) -> AudioSegment:
        material = self.audio(audio.clip.path)
        target = self.span(audio.start, audio.end)
        source_start = self.us(audio.source_in)
        length = min(target.duration, material.duration - source_start)
        return AudioSegment(material, Timerange(target.start, length),
                            source_timerange=Timerange(source_start, length), volume=volume)

    def build(self) -> jy.ScriptFile:
        edit = self.edit
        self.shots()
        self.texts("captions", edit.captions)
        if edit.title is not None:
            self.texts("title", (edit.title,))
        self.texts("AI label", (edit.label,))
        self.sounds()
        self.script.duration = max(self.script.duration, self.us(edit.frames))
        return self.script


def write(edit: EditTimeline, folder: Path) -> tuple[list[str], list[str]]:
    """Write the draft's two JSON files into ``folder``; returns (files written, what they could not carry)."""
    from pyJianYingDraft import assets

    writer = _Writer(edit, folder)
    script = writer.build()
    (folder / FILES[0]).write_text(script.dumps(), encoding="utf-8")
    shutil.copyfile(assets.get_asset_path("DRAFT_META_TEMPLATE"), folder / FILES[1])
    meta = json.loads((folder / FILES[1]).read_text(encoding="utf-8"))
    meta |= {"draft_id": str(uuid.uuid4()).upper(), "draft_name": edit.name,
             "tm_duration": writer.us(edit.frames)}
    (folder / FILES[1]).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")
    notes = list(writer.notes)
    if edit.gaps:
        notes.append("shots not rendered yet are empty time on the main track (a draft has no gap item)")
    return list(FILES), notes
