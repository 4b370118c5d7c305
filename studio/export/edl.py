"""CMX 3600 EDL: the oldest exchange format, one picture track of events, for editors that read nothing newer.

It carries the shots' cuts with their in and out points (source timecode counted from each file's first frame,
record timecode from 00:00:00:00, non-drop), crossfades as dissolves (``D nnn``, starting where the centred
transition starts), fades through black as dissolves to and from the black reel (``BL``), and shots not rendered
yet as black events. Each event names its file (``* FROM CLIP NAME``) and its shot (``* COMMENT``); reels are
``SHOT01``... Everything else (texts, sound, the canvas) is listed in the README with its frames, and the texts
travel as the MP4's own pictures in ``media/text/``.
"""

from __future__ import annotations

from pathlib import Path

from studio.export.timeline import EditTimeline, Piece, spine

FILE = "project.edl"


class _Events:
    def __init__(self, fps: int):
        self.fps = fps
        self.lines: list[str] = []
        self.number = 0

    def tc(self, frame: int) -> str:
        seconds, frames = divmod(frame, self.fps)
        minutes, seconds = divmod(seconds, 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"

    def line(self, reel: str, how: str, source_in: int, source_out: int, record_in: int, record_out: int) -> str:
        return (f"{self.number:03d}  {reel:<8} V     {how:<8} {self.tc(source_in)} {self.tc(source_out)} "
                f"{self.tc(record_in)} {self.tc(record_out)}")

    def event(self, lines: list[str], comments: list[str]) -> None:
        self.lines += ["", *lines, *comments]

    def cut(self, reel: str, source_in: int, record_in: int, record_out: int, comments: list[str]) -> None:
        self.number += 1
        length = record_out - record_in
        self.event([self.line(reel, "C", source_in, source_in + length, record_in, record_out)], comments)

    def dissolve(self, from_reel: str, from_source: int, reel: str, source_in: int, frames: int, record_in: int,
                 record_out: int, comments: list[str]) -> None:
        """From ``from_reel`` (at ``from_source``) to ``reel`` over ``frames``, the incoming event ending at
        ``record_out``."""
        self.number += 1
        length = record_out - record_in
        self.event([self.line(from_reel, "C", from_source, from_source, record_in, record_in),
                    self.line(reel, f"D    {frames:03d}", source_in, source_in + length, record_in, record_out)],
                   comments)


def _reel(piece: Piece) -> str:
    return "BL" if piece.shot.clip is None else f"SHOT{piece.shot.index + 1:02d}"[:8]


def _comments(piece: Piece) -> list[str]:
    shot = piece.shot
    if shot.clip is None:
        return [f"* COMMENT: SHOT {shot.index + 1} NOT RENDERED YET: {shot.name}"]
    return [f"* FROM CLIP NAME: {shot.clip.name}", f"* COMMENT: {shot.name}"]


def write(edit: EditTimeline, folder: Path) -> tuple[list[str], list[str]]:
    """Write ``project.edl`` into ``folder``; returns (files written, what this file could not carry)."""
    events = _Events(edit.canvas.fps)
    notes: list[str] = []
    title = "".join(c if 32 <= ord(c) < 127 else "_" for c in edit.name)[:60] or "SHORT"
    pieces = spine(edit)
    for k, piece in enumerate(pieces):
        shot, reel = piece.shot, _reel(piece)
        nxt = pieces[k + 1] if k + 1 < len(pieces) else None
        # where this piece's own event ends: at the next dissolve's start, or before its own fade to black
        end = piece.end - (nxt.dissolve_before if nxt is not None and nxt.dissolve else 0)
        fade_out = shot.fade_out.frames if shot.fade_out is not None and shot.clip is not None else 0
        fade_in = shot.fade_in.frames if shot.fade_in is not None and shot.clip is not None else 0
        source = lambda frame, p=piece: p.source_in + frame - p.start  # noqa: E731
        if piece.dissolve:
            previous = pieces[k - 1]
            start = piece.start - piece.dissolve_before
            if shot.transition.value != "crossfade":
                notes.append(f"shot {shot.index + 1} enters with {shot.transition.value.replace('_', ' ')}: "
                             "written as a dissolve")
            events.dissolve(_reel(previous), previous.source_in + start - previous.start, reel, source(start),
                            piece.dissolve, start, end - fade_out, _comments(piece))
        elif fade_in:
            events.dissolve("BL", 0, reel, source(piece.start), fade_in, piece.start, end - fade_out,
                            _comments(piece))
        else:
            events.cut(reel, source(piece.start), piece.start, end - fade_out, _comments(piece))
        if fade_out:
            events.dissolve(reel, source(end - fade_out), "BL", 0, fade_out, end - fade_out, end,
                            [f"* COMMENT: {shot.name}: FADE TO BLACK"])
    text = f"TITLE: {title}\nFCM: NON-DROP FRAME\n" + "\n".join(events.lines) + "\n"
    (folder / FILE).write_text(text, encoding="utf-8")
    return [FILE], notes
