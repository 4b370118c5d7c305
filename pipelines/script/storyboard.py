"""From a request to a storyboard, whatever backend wrote the draft.

1. ``check_request`` validates and cleans the ``ScriptRequest``; ``plan_shots`` turns it into a ``ShotPlan``:
   how many shots, how long each may be, how long a caption may be on this platform.
2. A backend returns a ``DraftReply`` (the model-facing schema in ``pipelines.script.prompts``).
3. ``storyboard_from_draft`` treats that draft as untrusted data: every string is sanitised (markup,
   control characters, links, paths, settings and shell removed), captions are shortened to the
   platform's limit, durations are refitted to the target length inside the shot limits, the bible
   is carried into every shot prompt, and only text fields are ever filled from it: ids, media,
   seeds and status come from here, never from a model.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from pydantic import ValidationError

from pipelines.script.contract import HAN, MAX_SECONDS, MIN_SECONDS, ScriptRequest, ShotPlan
from pipelines.script.prompts import (
    EN_WORDS_PER_S,
    STYLE_LOOKS,
    ZH_CHARS_PER_S,
    DraftStoryboard,
    ScriptStyle,
)
from studio.errors import ScriptInputError
from studio.project.model import (
    MAX_SHOT_MS,
    MIN_SHOT_MS,
    Bible,
    BibleEntry,
    CameraMove,
    CaptionStyle,
    Language,
    Shot,
    Storyboard,
    Transition,
    clean_text,
)
from studio.project.presets import PresetName, get_preset

TRANSITION_MS = 400  # crossfades and fades the writer asks for; a crossfade overlaps its two shots by this
CAPTION_LINES = 2  # a short's caption is read at a glance: two lines at the default caption size


def check_request(request: ScriptRequest) -> ScriptRequest:
    """Validate first, quoting the bad value; returns the request with its text cleaned."""
    idea = clean_text(request.idea or "")
    script = clean_text(request.script or "")
    if not idea and not script:
        raise ScriptInputError("the idea is empty; describe the video in a sentence or two")
    if len(idea) > 2000:
        raise ScriptInputError(f"the idea has {len(idea)} characters; keep it under 2000 (or pass it as a script)")
    if len(script) > 6000:
        raise ScriptInputError(f"the script has {len(script)} characters; the limit is 6000")
    if len(clean_text(request.reference_notes or "")) > 1000:
        raise ScriptInputError("the reference notes are longer than 1000 characters")
    if not isinstance(request.seconds, int) or not MIN_SECONDS <= request.seconds <= MAX_SECONDS:
        raise ScriptInputError(f"length {request.seconds!r} s is out of range; choose {MIN_SECONDS} to "
                               f"{MAX_SECONDS} seconds")
    preset = get_preset(request.preset)
    if request.seconds > preset.max_duration_s:
        raise ScriptInputError(f"length {request.seconds} s is longer than {preset.label} allows "
                               f"({preset.max_duration_s} s)")
    if not MIN_SHOT_MS <= request.min_shot_ms <= request.max_shot_ms <= MAX_SHOT_MS:
        raise ScriptInputError(f"shot length limits {request.min_shot_ms}-{request.max_shot_ms} ms are invalid; "
                               f"they must lie within {MIN_SHOT_MS}-{MAX_SHOT_MS} ms, shortest first")
    try:
        style, language = ScriptStyle(request.style), Language(request.language)
    except ValueError as err:
        raise ScriptInputError(f"{err}; styles: {', '.join(s.value for s in ScriptStyle)}") from None
    return ScriptRequest(idea=idea or script[:200], seconds=request.seconds, preset=preset.name, style=style,
                         language=language, reference_notes=clean_text(request.reference_notes or ""),
                         script=script, shots=request.shots, min_shot_ms=request.min_shot_ms,
                         max_shot_ms=request.max_shot_ms, seed=request.seed)


def caption_limit(preset: PresetName, language: Language) -> int:
    """Characters of caption that fit two lines at the default caption size inside the platform's safe zone."""
    zone = get_preset(preset).safe_zone
    width = 1080 - zone.left - zone.right  # safe width at the 1080-wide reference, where caption sizes are given
    em = 1.0 if language is Language.ZH else 0.5  # a Han character is one em wide; Latin text averages half
    return CAPTION_LINES * int(width // (CaptionStyle().size_px * em))


def _transition_ms(min_shot_ms: int) -> int:
    return min(TRANSITION_MS, min_shot_ms // 2)  # never more than timeline.effective_transition_ms allows


def _feasible(count: int, target_ms: int, min_ms: int, max_ms: int) -> bool:
    """Whether ``count`` shots can make ``target_ms`` whatever their transitions (0 to count-1 crossfades)."""
    return count * min_ms <= target_ms and count * max_ms >= target_ms + (count - 1) * _transition_ms(min_ms)


def plan_shots(request: ScriptRequest, beats: int | None = None) -> ShotPlan:
    """How many shots: the user's number, else one per beat of a given script, else about one per 5 s."""
    target_ms = request.seconds * 1000
    low = next((n for n in range(1, 200) if _feasible(n, target_ms, request.min_shot_ms, request.max_shot_ms)), None)
    high = next((n for n in range(target_ms // request.min_shot_ms, 0, -1)
                 if _feasible(n, target_ms, request.min_shot_ms, request.max_shot_ms)), None)
    if low is None or high is None or low > high:
        raise ScriptInputError(f"no number of shots of {request.min_shot_ms}-{request.max_shot_ms} ms makes "
                               f"{request.seconds} s")
    if request.shots is not None:
        if not low <= request.shots <= high:
            raise ScriptInputError(f"{request.shots} shots cannot make {request.seconds} s with shots of "
                                   f"{request.min_shot_ms / 1000:g}-{request.max_shot_ms / 1000:g} s; "
                                   f"choose {low} to {high} shots")
        count = request.shots
    elif beats:
        count = min(max(beats, low), high)
    else:
        count = min(max(round(request.seconds / 5), 3, low), high)
    language = request.caption_language()
    return ShotPlan(shots=count, target_ms=target_ms, min_shot_ms=request.min_shot_ms,
                    max_shot_ms=request.max_shot_ms, caption_chars=caption_limit(request.preset, language),
                    language=language, fewest_shots=low, count_fixed=request.shots is not None)


def fit_durations(weights: list[float], total_ms: int, min_ms: int, max_ms: int, step_ms: int = 100) -> list[int]:
    """Split ``total_ms`` in proportion to ``weights`` with every part in [min_ms, max_ms], in ``step_ms`` steps.

    Water-filling: parts that would break a bound are pinned to it and the rest is shared again by
    weight. Raises ``ValueError`` when no split exists.
    """
    count = len(weights)
    if not count or not count * min_ms <= total_ms <= count * max_ms:
        raise ValueError(f"{count} parts of {min_ms}-{max_ms} ms cannot make {total_ms} ms")
    weights = [w if w > 0 and math.isfinite(w) else 1.0 for w in weights]
    pinned: dict[int, float] = {}
    while True:
        free = [i for i in range(count) if i not in pinned]
        left = total_ms - sum(pinned.values())
        share = {i: left * weights[i] / sum(weights[j] for j in free) for i in free}
        low = {i: min_ms - v for i, v in share.items() if v < min_ms}
        high = {i: v - max_ms for i, v in share.items() if v > max_ms}
        if not low and not high:
            break
        # pin the side that is more wrong; the other side's violations may vanish once it is pinned
        if sum(low.values()) >= sum(high.values()):
            pinned.update({i: min_ms for i in low})
        else:
            pinned.update({i: max_ms for i in high})
    exact = [pinned.get(i, share.get(i, 0.0)) for i in range(count)]
    parts = [min(max_ms, max(min_ms, int(v // step_ms * step_ms))) for v in exact]
    # hand out what rounding down left, step by step, to the parts that lost most and still have room
    rest = total_ms - sum(parts)
    order = sorted(range(count), key=lambda i: parts[i] - exact[i])
    while rest > 0:
        moved = False
        for i in order:
            give = min(step_ms, rest, max_ms - parts[i])
            if give > 0:
                parts[i] += give
                rest -= give
                moved = True
            if rest <= 0:
                break
        if not moved:
            raise ValueError(f"{count} parts of {min_ms}-{max_ms} ms cannot make {total_ms} ms")
    return parts


def speech_seconds(text: str, language: Language) -> float:
    """How long a natural voice-over of ``text`` takes (about 4 Chinese characters or 2.5 English words a second)."""
    han = len(HAN.findall(text))
    words = len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", HAN.sub(" ", text)))
    if language is Language.ZH or han > words:
        return han / ZH_CHARS_PER_S + words / EN_WORDS_PER_S
    return words / EN_WORDS_PER_S + han / ZH_CHARS_PER_S


# -------------------------------------------------------------------------------------- 3. untrusted text


_TAG = re.compile(r"<[^<>\n]{0,200}>")
_URL = re.compile(r"(?i)\b(?:[a-z][a-z0-9+.-]{1,15}://|www\.|mailto:|file:|data:|javascript:)\S*")
_PATH = re.compile(r"(?:(?<![\w.])(?:~|\.{1,2})?/[^\s/]+(?:/[^\s/]*)*|\b[A-Za-z]:\\\S*|\\\\\S+|(?:\.\.[/\\])+\S*)")
_ASSIGNMENT = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*_[A-Za-z0-9_]*\s*=\s*\S*|\b[A-Z][A-Z0-9]{2,}\s*=\s*\S*")
_SHELL = re.compile(r"\$\([^)]*\)?|\$\{[^}]*\}?|`[^`]*`?|&&|\|\||;\s*(?:rm|curl|wget|sh|bash)\b|\|\s*(?:sh|bash)\b")
_MARKDOWN = re.compile(r"\*\*|__|~~|^#{1,6}\s+|^\s*[-*+]\s+|^\s*>\s+|\[([^\]]*)\]\([^)]*\)", re.MULTILINE)
_LEFTOVER = re.compile(r"[<>{}`$|\\]")


@dataclass
class Sanitizer:
    """Cleans model text and counts what it removed, so the result can say so."""

    removed: int = 0

    def __call__(self, value: str, max_chars: int, *, one_line: bool = True) -> str:
        text = clean_text(value)
        before = text
        text = _MARKDOWN.sub(lambda m: m.group(1) or "", text)
        text = _TAG.sub(" ", text)
        for pattern in (_URL, _SHELL, _PATH, _ASSIGNMENT):
            text = pattern.sub(" ", text)
        text = _LEFTOVER.sub(" ", text)
        text = "".join(ch for ch in text if _meaningful(ch))
        if one_line:
            text = " ".join(text.split())
        text = re.sub(r"[ \t]+", " ", text).strip(" ,;:-")
        if _normalise(text) != _normalise(before):
            self.removed += 1
        return shorten(text, max_chars)


def _meaningful(ch: str) -> bool:
    """Private-use, surrogate and unassigned code points mean nothing to a viewer and no font draws them (a
    model's byte-level tokens can spell them); unassigned ones in the emoji blocks stay, as emoji newer than
    this Python's Unicode tables."""
    category = unicodedata.category(ch)
    if category in ("Co", "Cs"):
        return False
    return category != "Cn" or 0x1F000 <= ord(ch) <= 0x1FAFF


def _normalise(text: str) -> str:
    return " ".join(text.split()).strip(" ,;:-")


def shorten(text: str, max_chars: int) -> str:
    """``text`` cut to ``max_chars`` at the last clause or word boundary, with an ellipsis when it was cut."""
    if len(text) <= max_chars:
        return text
    cut = text[: max_chars - 1]
    boundary = max(cut.rfind(ch) for ch in "，。！？；、,.!?; ")
    if boundary >= max_chars // 2:
        cut = cut[:boundary]
    return cut.rstrip(" ，、,;；:") + "…"


# ------------------------------------------------------------------------------------ 3. draft -> storyboard


def storyboard_from_draft(draft: DraftStoryboard, request: ScriptRequest,
                          plan: ShotPlan) -> tuple[Storyboard, list[str]]:
    """The studio's ``Storyboard`` from a model's draft, with the notes the user should read."""
    notes: list[str] = []
    clean = Sanitizer()
    count = len(draft.shots)
    if count != plan.shots:
        if not _feasible(count, plan.target_ms, plan.min_shot_ms, plan.max_shot_ms):
            raise ValueError(f"it has {count} shots; {plan.shots} were asked for")
        notes.append(f"the writer made {count} shots instead of the {plan.shots} asked for")

    # the bible: canonical descriptions and the look line, each cleaned once and then carried into every prompt
    characters: list[BibleEntry] = []
    for entry in draft.characters[:6]:
        name, description = clean(entry.name, 80), clean(entry.description, 600)
        if name and description and all(c.name.lower() != name.lower() for c in characters):
            characters.append(BibleEntry(name=name, description=description))
    if request.reference_notes and not any(request.reference_notes in c.description for c in characters):
        notes_text = clean(request.reference_notes, 600)
        if characters:
            first = characters[0]
            merged = shorten(f"{first.description}; {notes_text}", 1000)
            characters[0] = BibleEntry(name=first.name, description=merged)
        elif notes_text:
            characters.append(BibleEntry(name="subject", description=notes_text))
    look = clean(draft.look, 600) or STYLE_LOOKS[request.style]
    bible = Bible(characters=tuple(characters), look=look)

    shots: list[Shot] = []
    transition_ms = _transition_ms(plan.min_shot_ms)
    for index, drafted in enumerate(draft.shots):
        caption = clean(drafted.caption, 400)
        if len(caption) > plan.caption_chars:
            caption = shorten(caption, plan.caption_chars)
            notes.append(f"shot {index + 1}'s caption was shortened to {plan.caption_chars} characters")
        transition = Transition(drafted.transition) if index else Transition.CUT
        shots.append(Shot(
            id=f"shot-{index + 1:02d}",
            visual_prompt=carry_bible(clean(drafted.visual_prompt, 1200), bible),
            caption=caption,
            voiceover=clean(drafted.voiceover, 800),
            camera_move=CameraMove(drafted.camera_move),
            transition=transition,
            transition_ms=transition_ms if transition is not Transition.CUT else 0,
            duration_ms=plan.min_shot_ms,  # refitted below, once every shot's transition is known
        ))
    if not any(s.visual_prompt for s in shots):
        raise ValueError("no shot has a visual prompt")

    # durations: the writer's seconds as weights, never less than the voice-over needs, refitted to the target
    overlap = sum(s.transition_ms for s in shots if s.transition.overlaps)
    weights = [max(d.seconds, speech_seconds(s.voiceover, plan.language)) for d, s in zip(draft.shots, shots,
                                                                                           strict=True)]
    durations = fit_durations(weights, plan.target_ms + overlap, plan.min_shot_ms, plan.max_shot_ms)
    shots = [s.model_copy(update={"duration_ms": d}) for s, d in zip(shots, durations, strict=True)]
    spoken = sum(speech_seconds(s.voiceover, plan.language) for s in shots)
    if spoken > plan.target_ms / 1000 * 1.1:
        notes.append(f"the voice-over needs about {spoken:.0f} s at a natural pace; the clip is "
                     f"{plan.target_ms // 1000} s, so it will sound rushed")
    if plan.language is Language.ZH and not any(HAN.search(s.caption) for s in shots):
        notes.append("the captions are not in Chinese")

    tags: list[str] = []
    for tag in draft.hashtags:
        tag = re.sub(r"\s+", "", clean(tag, 40)).lstrip("#")
        if tag and tag not in tags:
            tags.append(tag)
    if clean.removed:
        notes.append(f"removed links, paths, markup, commands or undrawable characters from {clean.removed} "
                     "field(s) of the model's text")
    storyboard = Storyboard(
        title=clean(draft.title, 200) or shorten(request.idea, 60),
        hook=clean(draft.hook, 120),
        bible=bible,
        shots=tuple(shots),
        description=clean(draft.description, 2000, one_line=False),
        hashtags=tuple(tags[:10]),
    )
    return storyboard, notes


def carry_bible(prompt: str, bible: Bible) -> str:
    """Append each named character's canonical description and the look line, unless the prompt already has them."""
    additions = []
    lowered = prompt.lower()
    for entry in bible.characters:
        if entry.name.lower() in lowered and entry.description.lower() not in lowered:
            additions.append(f"{entry.name}: {entry.description}")
    if bible.look and bible.look.lower() not in lowered:
        additions.append(bible.look)
    text = ". ".join([prompt.rstrip(". ")] + [a.rstrip(". ") for a in additions]) + "."
    return shorten(text.lstrip(". "), 4000)


def parse_draft(value: object) -> DraftStoryboard:
    """Strict validation of a decoded reply; ``ValueError`` carries a short reason for the repair round."""
    try:
        return DraftStoryboard.model_validate(value)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the object"
        raise ValueError(f"{where}: {first['msg']} ({err.error_count()} problem(s))") from None
