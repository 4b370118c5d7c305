"""OpenTimelineIO: the neutral timeline (DaVinci Resolve, Premiere Pro 25.6+, Kdenlive 25.04+), as an ``.otioz``
bundle that holds the timeline and its media in one file.

OTIO itself is lossless, but it has no schema for a canvas size, for text or for audio levels, so those travel as
what OTIO does have: the canvas in the timeline's metadata (the README says to set 1080x1920), texts as ``Text``
generator clips (their words, font, size, colours and box in the generator's parameters) plus one marker per
caption (the form most importers keep), fades through black as clip effects named as Kdenlive reads them, and
gains, fades and the ducking keyframes as ``Volume`` effects and in each clip's ``studio`` metadata.
Crossfades are ``SMPTE_Dissolve`` transitions centred on a cut (``studio.export.timeline.spine``).

The bundle is written by OpenTimelineIO's own ``otioz`` adapter from absolute file URLs, which it rewrites to
``media/<name>`` inside the zip; the media files it took in are then removed from the folder (they are in the
bundle), and the texts' PNGs stay beside it.
"""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from studio.export.timeline import EditAudio, EditText, EditTimeline, MusicBed, Piece, Role, spine

FILE = "project.otioz"


def _rt(frames: int, fps: int) -> otio.opentime.RationalTime:
    return otio.opentime.RationalTime(frames, fps)


def _range(start: int, frames: int, fps: int) -> otio.opentime.TimeRange:
    return otio.opentime.TimeRange(_rt(start, fps), _rt(frames, fps))


class _Builder:
    def __init__(self, edit: EditTimeline, folder: Path):
        self.edit, self.folder, self.fps = edit, folder, edit.canvas.fps
        self.notes: list[str] = []

    def reference(self, path: str, frames: int) -> otio.schema.ExternalReference:
        url = otio.url_utils.url_from_filepath(str((self.folder / path).resolve()))
        return otio.schema.ExternalReference(target_url=url, available_range=_range(0, frames, self.fps))

    def gap(self, frames: int, name: str = "") -> otio.schema.Gap:
        return otio.schema.Gap(name=name, source_range=_range(0, frames, self.fps))

    def fade(self, name: str, frames: int, first: float, last: float) -> otio.schema.Effect:
        return otio.schema.Effect(name=name, effect_name=name,
                                  metadata={"duration": _rt(frames, self.fps), "studio": {"levels": [first, last]}})

    def shots(self) -> otio.schema.Track:
        track = otio.schema.Track(name="Shots", kind=otio.schema.TrackKind.Video)
        cursor = 0
        for piece in spine(self.edit):
            if piece.start > cursor:
                track.append(self.gap(piece.start - cursor))
            if piece.dissolve:
                track.append(self.transition(piece))
            track.append(self.piece(piece))
            cursor = piece.end
        return track

    def transition(self, piece: Piece) -> otio.schema.Transition:
        kind = piece.shot.transition.value
        if kind != "crossfade":
            self.notes.append(f"shot {piece.shot.index + 1} enters with {kind.replace('_', ' ')}: written as a "
                              "dissolve (OTIO's one standard transition)")
        dissolve = otio.schema.TransitionTypes.SMPTE_Dissolve
        return otio.schema.Transition(name="Cross Dissolve", transition_type=dissolve,
                                      in_offset=_rt(piece.dissolve_before, self.fps),
                                      out_offset=_rt(piece.dissolve_after, self.fps),
                                      metadata={"studio": {"transition": kind}})

    def piece(self, piece: Piece):
        shot = piece.shot
        meta = {"shot_id": shot.id, "shot": shot.index + 1}
        if shot.clip is None:
            return self.gap(piece.frames, f"{shot.name} (not rendered yet)")
        clip = otio.schema.Clip(name=shot.name, media_reference=self.reference(shot.clip.path, shot.clip.frames),
                                source_range=_range(piece.source_in, piece.frames, self.fps))
        meta["audio_gain_db"] = shot.audio_gain_db
        meta["muted"] = shot.audio_gain_db is None
        if shot.baked:
            meta["rendered"] = list(shot.baked)
        if shot.fade_in is not None:
            clip.effects.append(self.fade("fade_from_black", shot.fade_in.frames, shot.fade_in.start_value,
                                          shot.fade_in.end_value))
        if shot.fade_out is not None:
            clip.effects.append(self.fade("fade_to_black", shot.fade_out.frames, shot.fade_out.start_value,
                                          shot.fade_out.end_value))
        if shot.audio_gain_db is not None and shot.audio_gain_db:
            clip.effects.append(otio.schema.Effect(name="Volume", effect_name="Volume",
                                                   metadata={"studio": {"gain_db": shot.audio_gain_db}}))
        clip.metadata["studio"] = meta
        return clip

    def texts(self, name: str, items: tuple[EditText, ...]) -> otio.schema.Track:
        track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Video)
        cursor = 0
        for item in items:
            if item.start > cursor:
                track.append(self.gap(item.start - cursor))
            look, (x, y, w, h) = item.look, item.box
            parameters = {"text": item.text, "role": item.role.value, "font_family": look.family,
                          "bold": look.bold, "size_px": look.size_px, "color": look.color,
                          "stroke_color": look.stroke_color, "stroke_px": look.stroke_px,
                          "box_color": look.box_color or "", "box": [x, y, w, h], "fade_out_frames": item.fade_out}
            reference = otio.schema.GeneratorReference(name=item.name, generator_kind="Text", parameters=parameters,
                                                       available_range=_range(0, item.frames, self.fps))
            track.append(otio.schema.Clip(name=f"{item.name}: {item.text.splitlines()[0]}" if item.text else item.name,
                                          media_reference=reference, source_range=_range(0, item.frames, self.fps),
                                          metadata={"studio": {"role": item.role.value, "picture": item.image}}))
            cursor = item.end
        return track

    def audio_clip(self, audio: EditAudio, extra: dict) -> otio.schema.Clip:
        clip = otio.schema.Clip(name=audio.name, media_reference=self.reference(audio.clip.path, audio.clip.frames),
                                source_range=_range(audio.source_in, audio.frames, self.fps))
        clip.metadata["studio"] = {"role": audio.role.value, "gain_db": audio.gain_db, **extra}
        if audio.gain_db:
            clip.effects.append(otio.schema.Effect(name="Volume", effect_name="Volume",
                                                   metadata={"studio": {"gain_db": audio.gain_db}}))
        return clip

    def voices(self) -> list[otio.schema.Track]:
        lanes: list[list] = []  # [track, free from frame, kind]
        for voice in sorted(self.edit.voices, key=lambda v: (v.role is not Role.VOICEOVER, v.start)):
            kind = "Voice-over" if voice.role is Role.VOICEOVER else "Narration"
            lane = next((lane for lane in lanes if lane[2] == kind and lane[1] <= voice.start), None)
            if lane is None:
                count = sum(1 for other in lanes if other[2] == kind)
                lane = [otio.schema.Track(name=kind + (f" {count + 1}" if count else ""),
                                          kind=otio.schema.TrackKind.Audio), 0, kind]
                lanes.append(lane)
            if voice.start > lane[1]:
                lane[0].append(self.gap(voice.start - lane[1]))
            lane[0].append(self.audio_clip(voice, {}))
            lane[1] = voice.end
        return [lane[0] for lane in lanes]

    def music(self, bed: MusicBed) -> otio.schema.Track:
        track = otio.schema.Track(name="Music", kind=otio.schema.TrackKind.Audio)
        cursor = 0
        for k, piece in enumerate(bed.pieces):
            if piece.start > cursor:
                track.append(self.gap(piece.start - cursor))
            keys = [[f - piece.start, db] for f, db in bed.duck if piece.start <= f < piece.end]
            clip = self.audio_clip(piece, {"duck_keyframes_db": keys})
            if k == 0 and bed.fade_in:
                clip.effects.append(otio.schema.Effect(name="fadein", effect_name="fadein",
                                                       metadata={"duration": _rt(bed.fade_in, self.fps)}))
            if k == len(bed.pieces) - 1 and bed.fade_out:
                clip.effects.append(otio.schema.Effect(name="fadeout", effect_name="fadeout",
                                                       metadata={"duration": _rt(bed.fade_out, self.fps)}))
            track.append(clip)
            cursor = piece.end
        return track

    def timeline(self) -> otio.schema.Timeline:
        edit, fps = self.edit, self.fps
        timeline = otio.schema.Timeline(name=edit.name, global_start_time=_rt(0, fps))
        timeline.metadata["studio"] = {
            "canvas": {"width": edit.canvas.width, "height": edit.canvas.height, "fps": fps},
            "frames": edit.frames, "ai_label": edit.label.text, "aigc": True,
        }
        tracks = [self.shots(), self.texts("Captions", edit.captions)]
        if edit.title is not None:
            tracks.append(self.texts("Title", (edit.title,)))
        tracks.append(self.texts("AI label", (edit.label,)))
        tracks += self.voices()
        if edit.music is not None:
            tracks.append(self.music(edit.music))
        for track in tracks:
            if track.duration().to_frames() < edit.frames and track.kind == otio.schema.TrackKind.Video:
                track.append(self.gap(edit.frames - int(track.duration().to_frames())))
        timeline.tracks.extend(tracks)
        for caption in edit.captions:
            timeline.tracks.markers.append(otio.schema.Marker(
                name=caption.text.replace("\n", " "), marked_range=_range(caption.start, caption.frames, fps),
                color=otio.schema.MarkerColor.YELLOW, metadata={"studio": {"role": "caption"}}))
        for shot in edit.gaps:
            timeline.tracks.markers.append(otio.schema.Marker(
                name=f"shot {shot.index + 1} not rendered yet", marked_range=_range(shot.start, shot.frames, fps),
                color=otio.schema.MarkerColor.RED))
        return timeline


def write(edit: EditTimeline, folder: Path) -> tuple[list[str], list[str]]:
    """Write ``project.otioz`` into ``folder`` (moving the media it bundles into it); returns (files, notes)."""
    builder = _Builder(edit, folder)
    timeline = builder.timeline()
    otio.adapters.write_to_file(timeline, str(folder / FILE), adapter_name="otioz")
    bundled = {c.path for c in (*(s.clip for s in edit.shots if s.clip), *(v.clip for v in edit.voices),
                                *((edit.music.pieces[0].clip,) if edit.music else ()))}
    for path in bundled:
        (folder / path).unlink(missing_ok=True)
    return [FILE], builder.notes
