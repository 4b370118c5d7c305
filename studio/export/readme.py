"""The export folder's README.md: how to open the folder in each editor, what is in it, where things are on the
timeline, and everything the chosen format cannot carry (the format's own limits, what its writer had to change in
this project, and what no format carries), so nothing is dropped without being said."""

from __future__ import annotations

import datetime
from pathlib import Path

from studio.export.formats import FormatSpec
from studio.export.media import MediaPlan, Stage
from studio.export.timeline import EditText, EditTimeline


def _time(edit: EditTimeline, frame: int) -> str:
    """A frame as the editors' timecode (HH:MM:SS:FF, non-drop) with seconds."""
    fps = edit.canvas.fps
    seconds, frames = divmod(frame, fps)
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours:02d}:{minutes:02d}:{seconds:02d}:{frames:02d}"


def _window(edit: EditTimeline, start: int, end: int) -> str:
    return f"{_time(edit, start)}-{_time(edit, end)} (frames {start}-{end - 1})"


def _one_line(text: str) -> str:
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def _media_lines(plan: MediaPlan, folder: Path, bundle: str) -> list[str]:
    how = {Stage.LINK: "the project's file (hard link)", Stage.TAG: "the project's file, colours tagged",
           Stage.STEREO: "converted", Stage.FIT: "rendered by the studio", Stage.IMAGE: "the MP4's picture of it"}
    lines = []
    for item in sorted(plan.items, key=lambda i: i.target):
        reason = f": {item.reason}" if item.reason and item.stage is not Stage.IMAGE else ""
        what = f"{item.picture}, " if item.stage is Stage.IMAGE else ""
        inside = "" if (folder / item.target).exists() else f" (inside `{bundle}`)"
        lines.append(f"- `{item.target}`{inside}: {what}{how[item.stage]}{reason}")
    return lines


def readme_text(spec: FormatSpec, edit: EditTimeline, plan: MediaPlan, folder: Path, files: list[str],
                notes: list[str], *, version: str, project_id: str) -> str:
    """The README of ``folder`` (the media it lists are looked up there: a bundle may have taken some in)."""
    canvas = edit.canvas
    when = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        f"# {edit.name}: {spec.label}",
        "",
        f"Exported by shortstudio {version} on {when} from project `{project_id}`. Canvas {canvas.width}x"
        f"{canvas.height} (9:16), {canvas.fps} fps, {edit.frames} frames ({edit.seconds(edit.frames):.2f} s), "
        "the same cuts, captions and fades, frame for frame, as the studio's MP4.",
    ]
    if spec.experimental:
        out += ["", f"**Experimental:** {spec.experimental}."]
    out += ["", "## Open it", "", *(f"- {line}" for line in spec.opens)]
    out += ["", "## In this folder", "", *(f"- `{name}`" + (": the timeline" if k == 0 else "")
                                           for k, name in enumerate(files))]
    out += ["- `captions.srt`, `captions.vtt`: the captions as subtitles, timed as in the MP4" if edit.captions
            else "- no captions in this project", "- `README.md`: this file", *_media_lines(plan, folder, files[0])]
    out += ["", "## On the timeline", ""]
    for shot in edit.shots:
        enters = "" if not shot.index else f", enters with {shot.transition.value.replace('_', ' ')}"
        if shot.overlap:
            enters += f" over {shot.overlap} frames"
        if shot.clip is None:
            out.append(f"- Shot {shot.name}: {_window(edit, shot.start, shot.end)}{enters}; **not rendered yet** "
                       "(a gap)")
            continue
        sound = "muted" if shot.audio_gain_db is None else f"its sound at {shot.audio_gain_db:+g} dB"
        out.append(f"- Shot {shot.name}: {_window(edit, shot.start, shot.end)}, `{shot.clip.path}` from frame "
                   f"{shot.source_in}{enters}; {sound}")
    texts: list[EditText] = [*edit.captions, *((edit.title,) if edit.title else ()), edit.label]
    for text in texts:
        picture = f" (picture: `{text.image}`)" if text.image else ""
        out.append(f"- {text.name}: {_window(edit, text.start, text.end)}: \u201c{_one_line(text.text)}\u201d"
                   f"{picture}")
    for voice in edit.voices:
        out.append(f"- {voice.name}: `{voice.clip.path}` at {_time(edit, voice.start)} for {voice.frames} frames, "
                   f"{voice.gain_db:+g} dB")
    if edit.music is not None:
        bed = edit.music
        duck = f", dips by {bed.duck_db:g} dB under the voice ({len(bed.duck)} keyframes)" if bed.duck else ""
        out.append(f"- Music: `{bed.pieces[0].clip.path}` in {len(bed.pieces)} piece(s), "
                   f"{_window(edit, bed.start, bed.end)}, {bed.gain_db:+g} dB, fades {bed.fade_in} and {bed.fade_out} "
                   f"frames{duck}")
    out += ["", "## The AI label", "",
            "The clip is AI-generated. The label is its own full-length text track named \u201cAI label\u201d: keep "
            "it visible in the opening seconds (platform rules and GB 45438-2025 in China ask for a visible label) "
            "and keep the `AIGC` metadata the studio writes into its MP4s when you export."]
    out += ["", "## What this format cannot carry", ""]
    out += [f"- {line}" for line in (*spec.cannot_carry, *edit.notes, *notes)]
    return "\n".join(out) + "\n"
