"""Captions from the creator's own voice: a recording (a voice-over, or a clip with speech) to timed captions, as an
SRT file or as the storyboard's per-shot captions with their word timings (editable in the storyboard afterwards).

    transcribe_media     a file to words, cues and SRT text (nothing written)
    write_subtitles      those cues as an SRT or VTT file, written atomically
    captions_from_voice  the project's voice-over (or a recording given) to each shot's caption and caption words
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from pipelines.services import Services
from pipelines.transcribe.captions import (
    PAUSE_MS,
    ChineseScript,
    Cue,
    caption_cues,
    convert_script,
    group_chinese_words,
    srt_text,
)
from pipelines.transcribe.contract import Transcript
from pipelines.voice.contract import WordTime
from studio.errors import ProjectValidationError, TranscriptionError
from studio.project.model import MAX_CAPTION_CHARS, Language, Project, Shot

Cancel = Callable[[], bool]
MAX_WORDS_PER_SHOT = 200  # the project file's own limit on a shot's caption words
MAX_WORD_CHARS = 64


@dataclass(frozen=True)
class Captioned:
    """A recording as captions: what was said, its words (in the chosen Chinese script, Hanzi grouped into words)
    and the cues they make."""

    transcript: Transcript
    words: tuple[WordTime, ...]
    cues: tuple[Cue, ...]

    def srt(self) -> str:
        return srt_text(self.cues)

    def vtt(self) -> str:
        from studio.project.timeline import CaptionSpan, Timeline
        from studio.text.subtitles import subtitle_text

        spans = tuple(CaptionSpan(i, c.text, c.start_ms, c.end_ms) for i, c in enumerate(self.cues))
        return subtitle_text(Timeline((), spans, self.cues[-1].end_ms if self.cues else 0), "vtt")


@dataclass(frozen=True)
class VoiceCaptions:
    """The project with captions from the voice, and what the user should know about how they were made."""

    project: Project
    captioned_shots: tuple[int, ...]  # 1-based numbers of the shots whose captions came from the voice
    notes: tuple[str, ...]


def chinese_script(value: str | ChineseScript | None) -> ChineseScript:
    """``simplified`` (the default) or ``traditional``; anything else is refused with the choices."""
    try:
        return ChineseScript((value or ChineseScript.SIMPLIFIED).strip().lower())
    except ValueError:
        raise TranscriptionError(f"unknown Chinese script {value!r}; choose simplified or traditional") from None


def _language(value: str | Language | None) -> str | None:
    text = str(value or "").strip().lower()
    return None if text in ("", "auto") else text


def captioned(transcript: Transcript, chinese: ChineseScript) -> Captioned:
    words = tuple(WordTime(unicodedata.normalize("NFC", w.text), w.start_ms, w.end_ms) for w in transcript.words)
    if transcript.language in ("zh", "yue"):
        words = group_chinese_words(convert_script(words, chinese))
    return Captioned(transcript, words, caption_cues(words, transcript.language))


def transcribe_media(services: Services, media: str | Path, *, language: str | Language | None = None,
                     chinese: str | ChineseScript | None = None, model: str | None = None,
                     cancel: Cancel | None = None) -> Captioned:
    """What ``media`` says, as captions (``language`` None or ``auto``: the model hears which). Writes nothing."""
    script = chinese_script(chinese)
    transcript = services.transcriber.transcribe(Path(media), _language(language), model=model, cancel=cancel)
    return captioned(transcript, script)


def write_subtitles(result: Captioned, output: str | Path) -> Path:
    """The cues as ``output`` (``.srt``, or ``.vtt``), written atomically: the old file or the new one, never half."""
    from studio.project.files import write_atomic

    output = Path(output)
    suffix = output.suffix.lower()
    if suffix not in (".srt", ".vtt"):
        raise TranscriptionError(f"{output.name}: captions are written as .srt or .vtt")
    write_atomic(output, (result.vtt() if suffix == ".vtt" else result.srt()).encode("utf-8"))
    return output


# -- a project's captions ---------------------------------------------------------------------------------------

def _caption_windows(project: Project) -> list[tuple[int, int, int]]:
    """Per shot: (shot start, caption start, caption end) on the clip's timeline, in ms; captions change at the
    middle of a transition (``studio.project.timeline``), so a word belongs to the shot on screen under it."""
    from studio.project.timeline import build_timeline

    spans = build_timeline(project).spans
    overlaps = [s.fade_in_ms if i and s.transition_in.overlaps else 0 for i, s in enumerate(spans)]
    windows = []
    for i, span in enumerate(spans):
        following = overlaps[i + 1] if i + 1 < len(spans) else 0
        windows.append((span.start_ms, span.start_ms + overlaps[i] // 2, span.end_ms - (following - following // 2)))
    return windows


def _shot_caption(words: list[WordTime], pause_ms: int = PAUSE_MS) -> str:
    """The words as one caption: their own spacing, a line break where the speaker paused."""
    parts: list[str] = []
    for i, w in enumerate(words):
        if i and w.start_ms - words[i - 1].end_ms >= pause_ms:
            parts.append("\n" + w.text.lstrip())
        else:
            parts.append(w.text)
    return "\n".join(line.strip() for line in "".join(parts).strip().split("\n"))


def _fill_shot(shot: Shot, number: int, words: list[WordTime], notes: list[str]) -> Shot:
    """``shot`` with ``words`` (times inside the shot) as its caption and caption words, within the file's limits."""
    kept: list[WordTime] = []
    for w in words:
        if len(w.text.strip()) > MAX_WORD_CHARS:
            continue
        if len(kept) >= MAX_WORDS_PER_SHOT or len(_shot_caption([*kept, w])) > MAX_CAPTION_CHARS:
            notes.append(f"shot {number}: the voice says more than one caption holds ({MAX_CAPTION_CHARS} "
                         f"characters); {len(words) - len(kept)} words at its end were left out: split the shot")
            break
        kept.append(w)
    timings = [{"text": w.text.strip(), "start_ms": w.start_ms,
                "end_ms": min(max(w.end_ms, w.start_ms + 1), shot.duration_ms)} for w in kept]
    data = {**shot.model_dump(), "caption": _shot_caption(kept), "caption_words": timings}
    return Shot.model_validate(data)


def _spoken_by_studio(shot: Shot) -> bool:
    return getattr(shot, "narration", None) is not None


def _whole_clip(project: Project, words: tuple[WordTime, ...], offset_ms: int,
                notes: list[str]) -> tuple[list[Shot], tuple[int, ...]]:
    windows = _caption_windows(project)
    per_shot: list[list[WordTime]] = [[] for _ in project.shots]
    late = 0
    for w in words:
        at = offset_ms + w.start_ms
        index = next((i for i, (_, start, end) in enumerate(windows) if start <= at < end), None)
        if index is None:
            late += at >= windows[-1][2]
            continue
        shot_start = windows[index][0]
        per_shot[index].append(WordTime(w.text, at - shot_start, offset_ms + w.end_ms - shot_start))
    if late:
        notes.append(f"the voice-over runs past the clip's end: its last {late} words have no shot to show them "
                     "(make the shots longer)")
    shots, filled, silent = [], [], []
    for i, (shot, shot_words) in enumerate(zip(project.shots, per_shot, strict=True)):
        if shot_words:
            shots.append(_fill_shot(shot, i + 1, shot_words, notes))
            filled.append(i + 1)
        else:
            if shot.caption or shot.caption_words:
                silent.append(i + 1)
            shots.append(Shot.model_validate({**shot.model_dump(), "caption": "", "caption_words": []}))
    if silent:
        notes.append(f"no speech under shot(s) {', '.join(map(str, silent))}: their captions were cleared")
    return shots, tuple(filled)


def captions_from_voice(services: Services, project: Project, root: Path | None, *, voice: str | Path | None = None,
                        language: str | Language | None = None, chinese: str | ChineseScript | None = None,
                        model: str | None = None, cancel: Cancel | None = None) -> VoiceCaptions:
    """The project with every shot's caption and word timings taken from the creator's own voice.

    The voice is ``voice`` (a recording given now, placed where the project's voice-over starts, else at 0), else
    the project's voice-over, else each shot's own voice-over recording. Words belong to the shot on screen when
    they start; a shot with no speech under it loses its caption. ``language`` None or ``auto``: the project's
    language when it has one, else the model hears which. The project passed in is never changed.
    """
    from studio.project.files import resolve_media

    script = chinese_script(chinese)
    if not project.shots:
        raise ProjectValidationError("the project has no shots; add shots before taking captions from the voice")
    lang = _language(language) or _language(project.language)
    notes: list[str] = []

    def hear(path: Path) -> Captioned:
        result = captioned(services.transcriber.transcribe(path, lang, model=model, cancel=cancel), script)
        t = result.transcript
        notes.append(f"{Path(path).name}: {len(result.words)} words in {t.language} ({t.backend}, {t.model})")
        return result

    if voice is not None or project.voiceover is not None:
        path = Path(voice) if voice is not None else resolve_media(project.voiceover.path, root)
        offset = project.voiceover.start_ms if project.voiceover is not None else 0
        shots, filled = _whole_clip(project, hear(path).words, offset, notes)
    elif any(s.voiceover_audio and not _spoken_by_studio(s) for s in project.shots):
        windows = _caption_windows(project)
        shots, numbers = list(project.shots), []
        for i, shot in enumerate(project.shots):
            if not shot.voiceover_audio or _spoken_by_studio(shot):
                continue  # a line the studio spoke has its words and times from the voice already
            lead = windows[i][1] - windows[i][0]  # a shot's recording starts at its cut (studio.sound.mix)
            heard = hear(resolve_media(shot.voiceover_audio, root)).words
            inside = [WordTime(w.text, lead + w.start_ms, lead + w.end_ms) for w in heard
                      if lead + w.start_ms < shot.duration_ms]
            if len(inside) < len(heard):
                notes.append(f"shot {i + 1}: its voice-over is longer than the shot; {len(heard) - len(inside)} "
                             "words after its end were left out")
            shots[i] = _fill_shot(shot, i + 1, inside, notes) if inside else shot
            if inside:
                numbers.append(i + 1)
        filled = tuple(numbers)
    else:
        raise ProjectValidationError("the project has no voice-over to take captions from: record or upload one "
                                     "(the Finish tab's voice-over, or a shot's own)")
    return VoiceCaptions(project.with_shots(shots), filled, tuple(notes))
