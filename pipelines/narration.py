"""Narration: every shot's voice-over line spoken, its words timed on the caption, and the shots fitted to it.

    result = narrate(services, project, root, NarrationOptions(backend="auto"), progress=..., cancel=...)

    0. check    the voice (backend, voice name, speed) before anything is spoken
    1. lines    the shots to speak: a voice-over line and no recording of the user's own (unless that shot is
                asked to be spoken again); a line "Name: words" whose Name is a bible character is spoken in that
                character's voice, without the name; a shot whose line was removed loses its old narration
    2. speak    each line through ``services.voice`` into ``root/<folder>/`` (cached by text, voice, speed and
                backend: editing one line re-speaks that line only)
    3. fit      ``studio.sound.fit``: every shot at least its line plus a breath; when the total must hold (a chosen
                length, beat sync) or stay under the platform's longest clip, time moves between shots, then the
                lines are spoken faster (up to 1.25x), then stretched with a pitch-preserving tempo change, then
                (a chosen length only) shots grow
    4. words    the speech's words grouped as a reader reads them (Chinese by words, with rjieba, not one Hanzi at a
                time) and matched onto the caption, offset to where the compositor starts the voice; written with
                ``voiceover_audio``, ``narration`` and the fitted ``duration_ms`` into the returned project

Beat sync runs later, in the compositor, on the fitted lengths (it never cuts inside a timed word).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.backends import VoiceBackendName
from studio.errors import ProjectValidationError, RenderCancelled, VoiceError
from studio.project.model import Language, Narration, Project, Shot, WordTiming
from studio.project.presets import get_preset
from studio.project.timeline import build_timeline
from studio.sound import fit as fitting
from studio.text.layout import word_spans

if TYPE_CHECKING:
    from pipelines.services import Services
    from pipelines.voice.contract import Speech, WordTime

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

MIN_SPEED, MAX_SPEED = 0.5, 2.0  # what a voice accepts (pipelines.voice.contract)
MIN_CAPTION_COVERAGE = 0.5  # a caption whose words are mostly not spoken is not the line: no word timing on it
MAX_WORD_CHARS = 64  # WordTiming's limit
MAX_WORDS = 200
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SPEAKER = re.compile(r"^\s*([^:：\n]{1,80}?)\s*[:：]\s*(\S.*)$", re.S)


@dataclass(frozen=True)
class NarrationOptions:
    """Which voice speaks, how fast, and what must hold. ``regenerate``: shot ids spoken again even over the user's
    own recording; ``only``: narrate these shots alone (None: every shot); ``hold_length``: the clip's total length
    holds (a chosen length; beat sync holds it anyway); ``folder``: where the speech goes, inside the project
    folder."""

    backend: VoiceBackendName = VoiceBackendName.AUTO
    voice: str | None = None
    speed: float = 1.0
    regenerate: frozenset[str] = frozenset()
    only: frozenset[str] | None = None
    hold_length: bool = False
    folder: str = "voice"

    @classmethod
    def from_values(cls, backend: Any = None, voice: Any = None, speed: Any = None, **extra: Any) -> NarrationOptions:
        """The one parser of the voice choice for every face (``none`` is the caller's: no narration at all)."""
        try:
            name = VoiceBackendName(str(backend).strip().lower()) if backend else VoiceBackendName.AUTO
        except ValueError:
            raise VoiceError(f"unknown voice backend {backend!r}; choose one of: "
                             f"{', '.join(VoiceBackendName)} or none") from None
        try:
            rate = float(speed) if speed not in (None, "") else 1.0
        except (TypeError, ValueError):
            raise VoiceError(f"voice speed must be a number such as 1.1, not {speed!r}") from None
        if not MIN_SPEED <= rate <= MAX_SPEED:
            raise VoiceError(f"voice speed {rate:g} is outside {MIN_SPEED:g}-{MAX_SPEED:g} (1 is natural)")
        return cls(backend=name, voice=(str(voice).strip() or None) if voice else None, speed=rate, **extra)


@dataclass(frozen=True)
class ShotNarration:
    """What happened to one shot's line."""

    shot_id: str
    index: int  # 0-based
    backend: str
    voice: str
    timing: str
    cached: bool  # the speech came from the voice cache
    speech_ms: int
    words: int  # timed words on the caption


@dataclass(frozen=True)
class NarrationResult:
    project: Project
    shots: tuple[ShotNarration, ...] = ()
    speed: float = 1.0  # the speaking rate the lines were asked for
    tempo: float = 1.0  # the tempo change after it
    lengthened: bool = False
    notes: tuple[str, ...] = ()
    elapsed_s: float = 0.0

    @property
    def spoken(self) -> int:
        """Lines synthesised in this run (not from the cache)."""
        return sum(1 for s in self.shots if not s.cached)


@dataclass
class _Line:
    index: int
    shot: Shot
    text: str
    voice: str | None
    backend: VoiceBackendName
    speech: Speech | None = None
    audio: Path | None = None  # after a tempo change
    notes: list[str] = field(default_factory=list)


# -- 1. lines ---------------------------------------------------------------------------------------------------

def speaker_line(project: Project, line: str) -> tuple[str, str | None, str | None]:
    """``(words, voice, who)``: a line written ``Name: words`` whose Name is a bible character is spoken without the
    name, in that character's voice (None: the narrator's)."""
    match = _SPEAKER.match(line)
    if match:
        name = match.group(1).strip().casefold()
        for entry in project.storyboard.bible.characters:
            if entry.name.strip().casefold() == name:
                return match.group(2).strip(), entry.voice, entry.name
    return line, None, None


def voice_choice(voice: str | None, default: VoiceBackendName) -> tuple[VoiceBackendName, str | None]:
    """A voice name, or ``backend:voice`` naming the backend too."""
    if voice and ":" in voice:
        head, _, rest = voice.partition(":")
        if head.strip().lower() in {b.value for b in VoiceBackendName}:
            return VoiceBackendName(head.strip().lower()), rest.strip() or None
    return default, voice


def _lines(project: Project, options: NarrationOptions) -> tuple[list[_Line], list[Shot]]:
    """The lines to speak, and the shots with stale narration cleared (a removed line, a changed one)."""
    lines, shots = [], list(project.shots)
    for i, shot in enumerate(project.shots):
        if options.only is not None and shot.id not in options.only:
            continue
        own_recording = shot.voiceover_audio is not None and shot.narration is None
        if own_recording and shot.id not in options.regenerate:
            continue
        if not shot.voiceover.strip():
            if shot.narration is not None:  # the line was removed: so is its speech
                shots[i] = shot.model_copy(update={"voiceover_audio": None, "narration": None, "caption_words": ()})
            continue
        text, character_voice, _who = speaker_line(project, shot.voiceover)
        backend, voice = voice_choice(character_voice or options.voice, options.backend)
        lines.append(_Line(i, shot, text, voice, backend))
    return lines, shots


# -- 2. speak ---------------------------------------------------------------------------------------------------

def _speak(services: Services, lines: Sequence[_Line], language: Language, speed: float, folder: Path,
           progress: Progress | None, cancel: Cancel | None, done: list[int], total: int) -> None:
    from pipelines.voice.contract import SpeechRequest

    for line in lines:
        if cancel is not None and cancel():
            raise RenderCancelled("narration was cancelled and the project is unchanged")
        lang = Language.ZH if _HAN.search(line.text) else Language.EN  # each line in the language it is written in
        request = SpeechRequest(text=line.text, language=lang, voice=line.voice, speed=round(speed, 4))
        try:
            line.speech = services.voice.speak(request, folder, backend=line.backend)
        except VoiceError as err:
            raise type(err)(f"shot {line.index + 1}: {err}") from None
        line.audio = line.speech.audio
        done[0] += 1
        if progress is not None:
            progress(min(done[0], total), total)


# -- 3. fit -----------------------------------------------------------------------------------------------------

def _overlaps(shots: Sequence[Shot]) -> list[int]:
    """Each shot's entering transition length if it overlaps the previous shot (the most it can be), else 0."""
    return [shot.transition_ms if i and shot.transition.overlaps else 0 for i, shot in enumerate(shots)]


def _needs(shots: Sequence[Shot], speech_ms: dict[int, int], fixed: frozenset[int]) -> list[fitting.ShotNeed]:
    over = _overlaps(shots) + [0]
    return [fitting.ShotNeed(duration_ms=s.duration_ms, speech_ms=speech_ms.get(i, 0), lead_ms=over[i] // 2,
                             tail_ms=over[i + 1] - over[i + 1] // 2, fixed=i in fixed) for i, s in enumerate(shots)]


def _timeline_total(shots: Sequence[Shot], project: Project) -> tuple[int, int]:
    """(the clip's length, how much its transitions overlap) for these shots."""
    timeline = build_timeline(project.with_shots(list(shots)))
    return timeline.duration_ms, sum(s.duration_ms for s in shots) - timeline.duration_ms


def _fit(shots: list[Shot], project: Project, speech_ms: dict[int, int], factors: Sequence[float],
         hold_ms: int | None, cap_ms: int, lengthen: bool = False,
         fixed: frozenset[int] = frozenset()) -> fitting.ShotFit | None:
    """The fit in clip time: holding or capping the timeline's length, whose transitions overlap shots."""
    _, overlap = _timeline_total(shots, project)
    needs = _needs(shots, speech_ms, fixed)
    found = None
    for _ in range(3):  # a shot's effective transition depends on its length: settle the overlap
        hold_sum = hold_ms + overlap if hold_ms is not None else None
        found = fitting.fit_shots(needs, factors=factors, hold_ms=hold_sum, cap_ms=cap_ms + overlap,
                                  lengthen=lengthen)
        if found is None:
            return None
        trial = [s.model_copy(update={"duration_ms": d}) for s, d in zip(shots, found.durations, strict=True)]
        _, settled = _timeline_total(trial, project)
        if settled == overlap:
            break
        overlap = settled
    return found


# -- 4. words ---------------------------------------------------------------------------------------------------

def reading_words(words: Sequence[WordTime]) -> list[tuple[str, int, int]]:
    """Speech units as a reader reads them: runs of Hanzi (voices time one character at a time) regrouped into
    words with the studio's segmentation (``studio.text.segment``: 霓虹灯, not 霓|虹|灯), each from its first
    character's start to its last one's end; other units as they are."""
    from studio.text.segment import words as segment

    out: list[tuple[str, int, int]] = []
    run: list[WordTime] = []

    def flush() -> None:
        if not run:
            return
        text = "".join(w.text for w in run)
        owner = [k for k, w in enumerate(run) for _ in w.text]  # character -> unit
        at, last_unit = 0, -1
        for piece in segment(text):
            a, b = at, at + len(piece)
            at = b
            if not piece.strip():
                continue
            first, last = owner[a], owner[b - 1]
            if first == last_unit and out:  # a unit split across two words: keep it whole in the first
                prev = out[-1]
                out[-1] = (prev[0] + piece, prev[1], max(prev[2], run[last].end_ms))
            else:
                out.append((piece, run[first].start_ms, run[last].end_ms))
            last_unit = last
        run.clear()

    for word in words:
        if _HAN.search(word.text) and all(_HAN.match(ch) for ch in word.text):
            run.append(word)
            continue
        flush()
        out.append((word.text, word.start_ms, word.end_ms))
    flush()
    return out


def _alnum(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def caption_timings(caption: str, words: Sequence[tuple[str, int, int]], offset_ms: int,
                    duration_ms: int) -> tuple[WordTiming, ...] | None:
    """The spoken words found in the caption, in order (words the caption does not show are skipped), as caption
    word timings ``offset_ms`` into the shot, each starting before the shot ends; None when the caption is not the
    line (under half its letters are spoken)."""
    if not caption.strip():
        return None
    kept: list[tuple[str, int, int]] = []
    covered = 0
    for text, start, end in words:
        text = text.strip()
        if not text or len(text) > MAX_WORD_CHARS or len(kept) >= MAX_WORDS:
            continue
        start, end = offset_ms + start, offset_ms + max(end, start + 1)
        if start >= duration_ms:
            break
        try:
            spans = word_spans(caption, [w[0] for w in kept] + [text])
        except ValueError:
            continue  # not in the caption (a shortened caption, a word it leaves out)
        covered += _alnum(caption[spans[-1][0]:spans[-1][1]])
        kept.append((text, start, min(end, duration_ms)))
    if not kept or covered < MIN_CAPTION_COVERAGE * max(1, _alnum(caption)):
        return None
    return tuple(WordTiming(text=t, start_ms=s, end_ms=max(e, s + 1)) for t, s, e in kept)


def _caption_limit(project: Project, language: Language) -> int:
    from pipelines.script.storyboard import caption_limit

    return caption_limit(project.preset, language)


# -- the whole flow ---------------------------------------------------------------------------------------------

def narrate(services: Services, project: Project, root: Path, options: NarrationOptions = NarrationOptions(), *,
            progress: Progress | None = None, cancel: Cancel | None = None) -> NarrationResult:
    """Speak every shot's voice-over line (see the module's steps); returns the project with the speech, the word
    timings and the fitted shot lengths. Raises a VoiceError for a voice that cannot speak (before anything is
    written into the project) and RenderCancelled when cancelled."""
    from pipelines.script.storyboard import shorten
    from studio.project.files import resolve_media

    started = time.monotonic()
    root = Path(root).resolve()
    folder = resolve_media(options.folder, root)
    language = project.resolved_language()

    # 0. check: the same parser as every face, so a bad speed from Python is refused too
    NarrationOptions.from_values(options.backend, options.voice, options.speed)

    # 1. lines
    lines, shots = _lines(project, options)
    if not lines:
        changed = project.with_shots(shots)
        return NarrationResult(changed, notes=(), elapsed_s=time.monotonic() - started)
    folder.mkdir(parents=True, exist_ok=True)

    # 2. speak, at the chosen speed
    total, done = len(lines), [0]
    _speak(services, lines, language, options.speed, folder, progress, cancel, done, total)

    # 3. fit: what must hold, and how fast the lines may go
    preset = get_preset(project.preset)
    cap_ms = min(preset.max_duration_s, services.settings.max_total_s) * 1000
    length, _ = _timeline_total(shots, project)
    beat_sync = project.music is not None and project.music.beat_sync
    hold_ms = length if (options.hold_length or beat_sync) else None
    notes: list[str] = []
    if hold_ms is not None and hold_ms > cap_ms:
        hold_ms = cap_ms

    spoken_now = {line.index for line in lines}
    kept = {}  # shots not spoken in this run keep room for the voice and the timed words they already have
    for i, shot in enumerate(shots):
        if i in spoken_now:
            continue
        lead = _overlaps(shots)[i] // 2
        last_word = max((w.end_ms for w in shot.caption_words), default=0) - lead
        kept[i] = max(shot.narration.speech_ms if shot.narration is not None else 0, last_word, 0)

    def measured() -> dict[int, int]:
        return {**kept, **{line.index: line.speech.duration_ms for line in lines}}

    speed, tempo, lengthened = options.speed, 1.0, False
    fixed = frozenset(kept)
    found = _fit(shots, project, measured(), fitting.rate_steps(options.speed, max(options.speed, fitting.MAX_RATE)),
                 hold_ms, cap_ms, fixed=fixed)
    if found is None or found.factor > 1.0:
        # faster speech: the quickest natural rate when nothing fits, else the rate that fits
        factor = found.factor if found is not None else max(fitting.rate_steps(options.speed, max(
            options.speed, fitting.MAX_RATE)))
        speed = round(options.speed * factor, 4)
        if speed != options.speed:
            total += len(lines)
            _speak(services, lines, language, speed, folder, progress, cancel, done, total)
        found = _fit(shots, project, measured(), fitting.tempo_steps(), hold_ms, cap_ms, fixed=fixed)
        if found is not None and found.factor > 1.0:
            tempo = found.factor
        elif found is None:
            found = _fit(shots, project, measured(), (1.0,), hold_ms, cap_ms, lengthen=hold_ms is not None,
                         fixed=fixed)
            if found is None:
                need = sum(fitting.ShotNeed(s.duration_ms, measured().get(i, 0)).minimum_ms(fitting.MAX_TEMPO)
                           for i, s in enumerate(shots))
                raise ProjectValidationError(
                    f"the narration needs about {need / 1000:.0f} s even spoken {speed * fitting.MAX_TEMPO:.2f}x as "
                    f"fast; {preset.label} takes at most {cap_ms // 1000} s: shorten the voice-over lines")
            lengthened = True
    if tempo > 1.0:
        for line in lines:
            source = line.speech.audio
            out = source.with_name(f"{source.stem}.x{tempo:.2f}.wav")
            if not out.exists():
                fitting.stretch(source, out, tempo, services.settings.ffmpeg_exe())
            line.audio = out
    shots = [s.model_copy(update={"duration_ms": d}) for s, d in zip(shots, found.durations, strict=True)]
    timeline = build_timeline(project.with_shots(shots))
    after = timeline.duration_ms
    if lengthened:
        notes.append(f"the narration is longer than the chosen length even spoken {speed:.2f}x as fast: the clip is "
                     f"{after / 1000:.1f} s instead of {length / 1000:.1f} s")
    elif speed != options.speed or tempo > 1.0:
        notes.append(f"the narration was spoken {speed * tempo / options.speed:.2f}x as fast to fit the clip's "
                     f"{after / 1000:.1f} s")

    # 4. words and the project
    reports = []
    for line in lines:
        span = timeline.spans[line.index]
        shot = shots[line.index]
        offset = span.fade_in_ms // 2 if span.transition_in.overlaps else 0
        speech = line.speech
        units = [(text, fitting.scale_ms(a, tempo), fitting.scale_ms(b, tempo)) for text, a, b in
                 reading_words(speech.words)]
        caption = shot.caption
        if not caption.strip():
            caption = shorten(line.text, _caption_limit(project, language))
        words = caption_timings(caption, units, offset, shot.duration_ms)
        if words is None:
            notes.append(f"shot {line.index + 1}: the caption is not what the voice says, so its words are not "
                         "highlighted")
        speech_ms = fitting.stretched_ms(speech.duration_ms, tempo) if tempo > 1.0 else speech.duration_ms
        narration = Narration(backend=speech.backend, voice=speech.voice[:200], speed=speed, tempo=tempo,
                              timing=str(speech.timing.value), text=line.text[:2000], speech_ms=speech_ms,
                              offset_ms=offset)
        shots[line.index] = shot.model_copy(update={
            "caption": caption, "caption_words": words or (), "narration": narration,
            "voiceover_audio": line.audio.relative_to(root).as_posix()})
        reports.append(ShotNarration(shot.id, line.index, speech.backend, speech.voice, str(speech.timing.value),
                                     speech.cached, speech_ms, len(words or ())))
    narrated = Project.model_validate(project.with_shots(shots).model_dump())  # every validator, once more
    return NarrationResult(narrated, tuple(reports), speed, tempo, lengthened, tuple(notes),
                           time.monotonic() - started)


__all__ = ["NarrationOptions", "NarrationResult", "ShotNarration", "caption_timings", "narrate", "reading_words",
           "speaker_line", "voice_choice"]
