"""Caption sidecars: SRT and WebVTT files timed from the timeline, for platforms' own captions."""

from __future__ import annotations

import pysubs2

from studio.project.timeline import Timeline


def subtitle_file(timeline: Timeline) -> pysubs2.SSAFile:
    subs = pysubs2.SSAFile()
    for cue in timeline.captions:
        subs.append(pysubs2.SSAEvent(start=cue.start_ms, end=cue.end_ms, text=cue.text.replace("\n", r"\N")))
    return subs


def subtitle_text(timeline: Timeline, fmt: str) -> str:
    """``fmt`` is ``srt`` or ``vtt``."""
    return subtitle_file(timeline).to_string(fmt)
