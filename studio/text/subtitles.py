"""Caption sidecars: SRT and WebVTT files timed from the timeline, for platforms' own captions (one cue a phrase);
and an ASS file for editors (Aegisub, Premiere, Resolve, Jianying read it) with karaoke timing: each spoken word of
a caption carries a ``\\k`` tag of its length, so the editor lights words up as they are spoken."""

from __future__ import annotations

import pysubs2

from studio.project.model import CaptionPosition, CaptionStyle
from studio.project.timeline import CaptionSpan, Timeline
from studio.text.layout import word_spans

ASS_WIDTH, ASS_HEIGHT = 1080, 1920  # the 1080-wide reference where caption sizes are given


def subtitle_file(timeline: Timeline) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for cue in timeline.captions:
        subs.append(pysubs2.SSAEvent(start=cue.start_ms, end=cue.end_ms, text=cue.text.replace("\n", r"\N")))
    return subs


def subtitle_text(timeline: Timeline, fmt: str, style: CaptionStyle | None = None) -> str:
    """``fmt`` is ``srt``, ``vtt`` or ``ass`` (karaoke timing where the shot has word timings, in ``style``)."""
    if fmt == "ass":
        return karaoke_file(timeline, style or CaptionStyle()).to_string("ass")
    return subtitle_file(timeline).to_string(fmt)


def _escape(text: str) -> str:
    """Text as ASS shows it literally: braces would start override tags, a backslash an escape."""
    return text.replace("\\", "\u29f5").replace("{", "\uff5b").replace("}", "\uff5d").replace("\n", r"\N")


def _color(value: str) -> pysubs2.Color:
    value = value.lstrip("#")
    alpha = 255 - int(value[6:8], 16) if len(value) == 8 else 0  # ASS alpha: 0 is opaque
    return pysubs2.Color(int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16), alpha)


def _karaoke_text(cue: CaptionSpan, timeline: Timeline) -> str:
    """The cue's text with a ``{\\kN}`` (centiseconds) before every piece: silences and unspoken text get their own
    piece, each spoken word lasts from its start to the next piece's; the pieces add up to the cue's length."""
    shot = timeline.spans[cue.index].shot
    if not shot.caption_words:
        return _escape(cue.text)
    try:
        spans = word_spans(cue.text, [w.text for w in shot.caption_words])
    except ValueError:  # the compositor refuses such a project; a sidecar never invents timings
        return _escape(cue.text)
    shot_start = timeline.spans[cue.index].start_ms
    marks: list[tuple[int, int]] = []  # (time in the cue, character offset) where each piece begins
    for word, (a, b) in zip(shot.caption_words, spans, strict=True):
        start = min(max(shot_start + word.start_ms, cue.start_ms), cue.end_ms) - cue.start_ms
        if b <= a or (marks and (start < marks[-1][0] or a < marks[-1][1])):
            continue
        marks.append((start, a))
    if not marks:
        return _escape(cue.text)
    if marks[0][1] > 0 or marks[0][0] > 0:
        marks.insert(0, (0, 0))
    pieces, elapsed_cs = [], 0
    for k, (_start, offset) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else cue.end_ms - cue.start_ms
        stop = marks[k + 1][1] if k + 1 < len(marks) else len(cue.text)
        cs = round(end / 10) - elapsed_cs  # whole centiseconds that never drift from the cue's clock
        elapsed_cs += cs
        pieces.append(f"{{\\k{cs}}}{_escape(cue.text[offset:stop])}")
    return "".join(pieces)


def karaoke_file(timeline: Timeline, style: CaptionStyle) -> pysubs2.SSAFile:
    """An ASS file at 1080x1920 in the caption style's font size, colours and position: a word's colour changes
    from the caption colour (secondary) to the highlight colour (primary) when it is spoken."""
    subs = pysubs2.SSAFile()
    subs.info["PlayResX"], subs.info["PlayResY"] = str(ASS_WIDTH), str(ASS_HEIGHT)
    subs.info["WrapStyle"] = "0"
    alignment = {CaptionPosition.BOTTOM: pysubs2.Alignment.BOTTOM_CENTER, CaptionPosition.MIDDLE:
                 pysubs2.Alignment.MIDDLE_CENTER, CaptionPosition.TOP: pysubs2.Alignment.TOP_CENTER}[style.position]
    subs.styles["Default"] = pysubs2.SSAStyle(
        fontname="Noto Sans CJK SC" if style.font == "sans" else "Noto Serif CJK SC", fontsize=style.size_px,
        primarycolor=_color(style.highlight_color), secondarycolor=_color(style.color),
        outlinecolor=_color(style.stroke_color), backcolor=_color(style.shadow_color or "#00000000"),
        bold=style.bold, outline=style.stroke_px, shadow=style.shadow_offset_px if style.shadow_color else 0,
        alignment=alignment, marginl=60, marginr=160, marginv=460 if style.position is CaptionPosition.BOTTOM else 130)
    for cue in timeline.captions:
        subs.append(pysubs2.SSAEvent(start=cue.start_ms, end=cue.end_ms, text=_karaoke_text(cue, timeline)))
    return subs
