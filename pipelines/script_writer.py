"""The script writer: from one idea to a storyboard a video model can follow.

The contract shared by the three backends (``script_local``, ``script_openai``, ``script_template``)
and everything that does not depend on which one wrote the draft:

1. ``ScriptRequest`` is checked (``check_request``) and turned into a ``ShotPlan``: how many shots,
   how long each may be, how long a caption may be on this platform.
2. A backend returns a ``DraftStoryboard`` (the model-facing schema in ``script_prompts``).
3. ``storyboard_from_draft`` treats that draft as untrusted data: every string is sanitised (markup,
   control characters, links, paths, settings and shell removed), captions are shortened to the
   platform's limit, durations are refitted to the target length inside the shot limits, the bible
   is carried into every shot prompt, and only text fields are ever filled from it: ids, media,
   seeds and status come from here, never from a model.
4. ``ScriptWriters.write`` picks the backend (``auto`` never touches the network to decide), runs it,
   and when the user chose ``auto`` and a model backend fails, falls back to the template writer and
   says so in ``ScriptResult.notes``.

``make`` and the UI call::

    result = write_storyboard(ScriptRequest(idea="...", seconds=30), settings, progress=..., cancel=...)
    project = project.model_copy(update={"storyboard": result.storyboard})
"""

from __future__ import annotations

import importlib.util
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from pipelines.script_prompts import (
    EN_WORDS_PER_S,
    STYLE_LOOKS,
    ZH_CHARS_PER_S,
    DraftLimits,
    DraftStoryboard,
    ScriptStyle,
)
from studio.errors import ScriptBackendError, ScriptCancelled, ScriptInputError, ScriptOutputError
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
from studio.safety.prompts import check_fields, check_script_request, check_storyboard
from studio.settings import Settings

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

MIN_SECONDS = 15
MAX_SECONDS = 90
TRANSITION_MS = 400  # crossfades and fades the writer asks for; a crossfade overlaps its two shots by this
CAPTION_LINES = 2  # a short's caption is read at a glance: two lines at the default caption size
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NO_BIBLE = Bible()  # frozen, so one shared default is safe


class ScriptBackendName(StrEnum):
    AUTO = "auto"
    LOCAL = "local"
    OPENAI = "openai"
    TEMPLATE = "template"


@dataclass(frozen=True)
class ScriptRequest:
    """What the user asks for. Text is the user's own; ``check_request`` validates and cleans it."""

    idea: str
    seconds: int = 30
    preset: PresetName = PresetName.DOUYIN
    style: ScriptStyle = ScriptStyle.CINEMATIC
    language: Language = Language.AUTO
    reference_notes: str = ""
    script: str = ""  # a user-written script: the writer only splits it into shots and writes the prompts
    shots: int | None = None  # None: chosen from the length
    min_shot_ms: int = 1500
    max_shot_ms: int = 8000  # the longest clip the video backend makes well; the caller passes its own
    seed: int | None = None

    def caption_language(self) -> Language:
        """``auto`` follows the idea (and script): any Han character means Chinese."""
        if self.language is not Language.AUTO:
            return self.language
        return Language.ZH if _HAN.search(self.idea + self.script) else Language.EN


@dataclass(frozen=True)
class ShotPlan:
    """The non-creative frame every backend writes into."""

    shots: int
    target_ms: int
    min_shot_ms: int
    max_shot_ms: int
    caption_chars: int
    language: Language

    def limits(self) -> DraftLimits:
        return DraftLimits(shots=self.shots, caption_chars=self.caption_chars,
                           min_seconds=max(1, math.ceil(self.min_shot_ms / 1000)),
                           max_seconds=max(1, self.max_shot_ms // 1000))


@dataclass(frozen=True)
class ScriptResult:
    storyboard: Storyboard
    backend_used: ScriptBackendName
    notes: tuple[str, ...] = ()
    elapsed_s: float = 0.0


@dataclass(frozen=True)
class EnhanceResult:
    visual_prompt: str
    backend_used: ScriptBackendName
    notes: tuple[str, ...] = ()


@dataclass
class DraftReply:
    """What a backend's ``__call__`` returns: the draft plus what the user should know about how it was made."""

    draft: DraftStoryboard
    notes: list[str] = field(default_factory=list)


class ScriptWriter(Protocol):
    """One backend: one class, one ``__call__`` for a storyboard draft, one ``enhance`` for a single prompt."""

    name: ScriptBackendName

    def __call__(self, request: ScriptRequest, plan: ShotPlan, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> DraftReply: ...

    def enhance(self, prompt: str, bible: Bible, *, cancel: Cancel | None = None) -> str: ...


# ---------------------------------------------------------------------------------------------- 1. request, plan


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
                    language=language)


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
    han = len(_HAN.findall(text))
    words = len(re.findall(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*", _HAN.sub(" ", text)))
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
        if one_line:
            text = " ".join(text.split())
        text = re.sub(r"[ \t]+", " ", text).strip(" ,;:-")
        if _normalise(text) != _normalise(before):
            self.removed += 1
        return shorten(text, max_chars)


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
    overlap = sum(s.transition_ms for s in shots if s.transition is Transition.CROSSFADE)
    weights = [max(d.seconds, speech_seconds(s.voiceover, plan.language)) for d, s in zip(draft.shots, shots,
                                                                                           strict=True)]
    durations = fit_durations(weights, plan.target_ms + overlap, plan.min_shot_ms, plan.max_shot_ms)
    shots = [s.model_copy(update={"duration_ms": d}) for s, d in zip(shots, durations, strict=True)]
    spoken = sum(speech_seconds(s.voiceover, plan.language) for s in shots)
    if spoken > plan.target_ms / 1000 * 1.1:
        notes.append(f"the voice-over needs about {spoken:.0f} s at a natural pace; the clip is "
                     f"{plan.target_ms // 1000} s, so it will sound rushed")
    if plan.language is Language.ZH and not any(_HAN.search(s.caption) for s in shots):
        notes.append("the captions are not in Chinese")

    tags: list[str] = []
    for tag in draft.hashtags:
        tag = re.sub(r"\s+", "", clean(tag, 40)).lstrip("#")
        if tag and tag not in tags:
            tags.append(tag)
    if clean.removed:
        notes.append(f"removed links, paths, markup or commands from {clean.removed} field(s) of the model's text")
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


@dataclass(frozen=True)
class ModelReply:
    """One chat reply: its text, and whether the backend stopped it at a token limit."""

    text: str
    truncated: bool = False


Message = dict[str, str]


def ask_with_repair(ask: Callable[[list[Message]], ModelReply], messages: list[Message],
                    accept: Callable[[object], object], *, backend: str) -> tuple[object, list[str]]:
    """Ask once; when the reply does not parse or validate, show the model its problem once; then give up.

    ``accept`` turns decoded JSON into the wanted value or raises ``ValueError`` with a short reason.
    """
    from pipelines.script_prompts import extract_json, repair_prompt

    def attempt(reply: ModelReply) -> object:
        if reply.truncated:
            raise ValueError(f"the reply was cut off at the token limit after {len(reply.text)} characters")
        return accept(extract_json(reply.text))

    reply = ask(messages)
    try:
        return attempt(reply), []
    except ValueError as err:
        problem = str(err)
    repair = [*messages, {"role": "assistant", "content": reply.text[:6000]},
              {"role": "user", "content": repair_prompt(problem)}]
    try:
        return attempt(ask(repair)), [f"the first reply was unusable ({problem}); one repair round fixed it"]
    except ValueError as err:
        raise ScriptOutputError(f"the {backend} writer's reply was unusable twice: first {problem}; "
                                f"then, after a repair round, {err}") from None


def draft_messages(request: ScriptRequest, plan: ShotPlan) -> list[Message]:
    from pipelines.script_prompts import system_prompt, user_prompt

    return [
        {"role": "system", "content": system_prompt(plan.limits(), plan.target_ms // 1000)},
        {"role": "user", "content": user_prompt(
            idea=request.idea, seconds=request.seconds, platform=get_preset(request.preset).label,
            style=request.style, language=plan.language, shots=plan.shots,
            reference_notes=request.reference_notes, script=request.script)},
    ]


def draft_acceptor(request: ScriptRequest, plan: ShotPlan) -> Callable[[object], DraftStoryboard]:
    """Strict parsing plus a dry run of the conversion, so a draft the studio cannot use goes to the repair round."""
    def accept(value: object) -> DraftStoryboard:
        draft = parse_draft(value)
        try:
            storyboard_from_draft(draft, request, plan)
        except ValidationError as err:
            raise ValueError(f"{err.errors()[0]['msg']}") from None
        return draft

    return accept


def enhance_messages(prompt: str, bible: Bible) -> list[Message]:
    from pipelines.script_prompts import ENHANCE_SYSTEM_PROMPT, enhance_user_prompt

    return [{"role": "system", "content": ENHANCE_SYSTEM_PROMPT.format(max_chars=400)},
            {"role": "user", "content": enhance_user_prompt(
                prompt, look=bible.look, characters=tuple((c.name, c.description) for c in bible.characters))}]


def accept_prompt(value: object) -> str:
    from pipelines.script_prompts import DraftPrompt

    try:
        return DraftPrompt.model_validate(value).visual_prompt
    except ValidationError as err:
        raise ValueError(f"{err.errors()[0]['msg']}") from None


def check_cancel(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise ScriptCancelled("script writing was cancelled")


# ------------------------------------------------------------------------------------------- 4. backends


def local_weights_available(model_ref: str) -> bool:
    """Whether ``model_ref`` can load without the network: a folder with a config, or a complete HF cache entry.

    Looks only at disk (huggingface_hub's cache lookup makes no request), so ``auto`` never waits on a network.
    """
    for module in ("torch", "transformers", "xgrammar", "huggingface_hub"):
        if importlib.util.find_spec(module) is None:
            return False
    path = Path(model_ref).expanduser()
    if path.is_dir():
        return (path / "config.json").is_file()
    if model_ref.count("/") != 1 or model_ref.startswith((".", "/", "~")):
        return False
    from huggingface_hub import try_to_load_from_cache

    try:
        found = [try_to_load_from_cache(model_ref, name) for name in
                 ("config.json", "tokenizer_config.json", "model.safetensors", "model.safetensors.index.json")]
    except Exception:  # an id huggingface_hub refuses as malformed is simply not available
        return False
    has_weights = isinstance(found[2], str) or isinstance(found[3], str)
    return isinstance(found[0], str) and isinstance(found[1], str) and has_weights


def choose_backend(settings: Settings,
                   requested: str | ScriptBackendName | None = None) -> tuple[ScriptBackendName, str]:
    """The backend to run and why. ``auto``: local weights present > LLM URL configured > template."""
    try:
        name = ScriptBackendName(requested or settings.script_backend)
    except ValueError:
        raise ScriptInputError(f"unknown script backend {requested!r}; choose one of: "
                               f"{', '.join(b.value for b in ScriptBackendName)}") from None
    if name is not ScriptBackendName.AUTO:
        return name, "chosen"
    if local_weights_available(settings.script_model):
        return ScriptBackendName.LOCAL, f"the weights of {settings.script_model} are on this machine"
    if settings.llm_url:
        return ScriptBackendName.OPENAI, f"an LLM endpoint is configured ({settings.llm_url})"
    return ScriptBackendName.TEMPLATE, "no local model weights and no LLM endpoint are configured"


def _build_writer(name: ScriptBackendName, settings: Settings) -> ScriptWriter:
    if name is ScriptBackendName.LOCAL:
        from pipelines.script_local import LocalScriptWriter

        return LocalScriptWriter(settings.script_model)
    if name is ScriptBackendName.OPENAI:
        from pipelines.script_openai import OpenAIScriptWriter

        return OpenAIScriptWriter.from_settings(settings)
    from pipelines.script_template import TemplateScriptWriter

    return TemplateScriptWriter()


class ScriptWriters:
    """The studio's script service: builds each backend once (a local model loads once), runs and falls back.

    Hold one per process (the UI's services); the CLI and ``make`` may use ``write_storyboard`` instead.
    """

    def __init__(self, settings: Settings, writers: dict[ScriptBackendName, ScriptWriter] | None = None):
        self.settings = settings
        self._writers: dict[ScriptBackendName, ScriptWriter] = dict(writers or {})

    def writer(self, name: ScriptBackendName) -> ScriptWriter:
        if name not in self._writers:
            self._writers[name] = _build_writer(name, self.settings)
        return self._writers[name]

    def write(self, request: ScriptRequest, *, backend: str | ScriptBackendName | None = None,
              progress: Progress | None = None, cancel: Cancel | None = None) -> ScriptResult:
        started = time.perf_counter()
        # 1. check the request, 2. pick the backend
        request = check_request(request)
        check_script_request(request, self.settings)  # prompt safety: before any backend sees the text
        name, reason = choose_backend(self.settings, backend)
        is_auto = ScriptBackendName(backend or self.settings.script_backend) is ScriptBackendName.AUTO
        notes = [f"backend {name.value}: {reason}"]
        # 3. write, 4. convert; under auto a failing model backend falls back to the template writer
        try:
            storyboard, more = self._write_with(name, request, progress, cancel)
        except (ScriptBackendError, ScriptOutputError) as err:
            if not is_auto or name is ScriptBackendName.TEMPLATE:
                raise
            notes.append(f"the {name.value} writer failed ({err}); used the template writer instead")
            name = ScriptBackendName.TEMPLATE
            storyboard, more = self._write_with(name, request, progress, cancel)
        check_storyboard(storyboard, self.settings)  # what the writer made, before any video model sees it
        return ScriptResult(storyboard=storyboard, backend_used=name, notes=tuple(notes + more),
                            elapsed_s=round(time.perf_counter() - started, 3))

    def _write_with(self, name: ScriptBackendName, request: ScriptRequest, progress: Progress | None,
                    cancel: Cancel | None) -> tuple[Storyboard, list[str]]:
        writer = self.writer(name)
        plan = plan_shots(request, beats=_script_beats(request))
        check_cancel(cancel)
        reply = writer(request, plan, progress=progress, cancel=cancel)
        try:
            storyboard, notes = storyboard_from_draft(reply.draft, request, plan)
        except (ValueError, ValidationError) as err:
            raise ScriptOutputError(f"the {name.value} writer's storyboard is unusable: {err}") from None
        return storyboard, reply.notes + notes

    def enhance(self, prompt: str, bible: Bible = _NO_BIBLE, *, backend: str | ScriptBackendName | None = None,
                cancel: Cancel | None = None) -> EnhanceResult:
        """Rewrite one user-written shot prompt with the same backend the storyboard would use."""
        text = clean_text(prompt or "")
        if not text:
            raise ScriptInputError("the shot prompt is empty; write what the shot shows first")
        if len(text) > 2000:
            raise ScriptInputError(f"the shot prompt has {len(text)} characters; the limit is 2000")
        check_fields((("shot prompt", text),), self.settings)
        name, reason = choose_backend(self.settings, backend)
        is_auto = ScriptBackendName(backend or self.settings.script_backend) is ScriptBackendName.AUTO
        notes = [f"backend {name.value}: {reason}"]
        try:
            rewritten = self.writer(name).enhance(text, bible, cancel=cancel)
        except (ScriptBackendError, ScriptOutputError) as err:
            if not is_auto or name is ScriptBackendName.TEMPLATE:
                raise
            notes.append(f"the {name.value} writer failed ({err}); used the template writer instead")
            name = ScriptBackendName.TEMPLATE
            rewritten = self.writer(name).enhance(text, bible, cancel=cancel)
        clean = Sanitizer()
        result = carry_bible(clean(rewritten, 1200), bible)
        if clean.removed:
            notes.append("removed links, paths, markup or commands from the rewritten prompt")
        check_fields((("enhanced prompt", result),), self.settings)
        return EnhanceResult(visual_prompt=result, backend_used=name, notes=tuple(notes))


def _script_beats(request: ScriptRequest) -> int | None:
    if not request.script:
        return None
    from pipelines.script_template import split_sentences

    return len(split_sentences(request.script))


def write_storyboard(request: ScriptRequest, settings: Settings, *, backend: str | ScriptBackendName | None = None,
                     progress: Progress | None = None, cancel: Cancel | None = None) -> ScriptResult:
    """One idea to one ``Storyboard``; ``result.backend_used`` and ``result.notes`` say how it was made."""
    return ScriptWriters(settings).write(request, backend=backend, progress=progress, cancel=cancel)


def enhance_prompt(prompt: str, settings: Settings, bible: Bible = _NO_BIBLE, *,
                   backend: str | ScriptBackendName | None = None, cancel: Cancel | None = None) -> EnhanceResult:
    """One user-written shot prompt made concrete for a video model, carrying the bible."""
    return ScriptWriters(settings).enhance(prompt, bible, backend=backend, cancel=cancel)
