"""The offline template writer: a sensible storyboard from the idea alone, with no model, always available.

Deterministic (the same request gives the same storyboard), fast (well under 50 ms) and honest about
what it cannot do: it does not invent plot and does not translate. It

1. splits the idea (or the user's script) into beats: sentences on 。！？；!?; and line breaks, then
   clauses on ，、,: when more beats are needed, merging the shortest neighbours when there are too many;
2. lays the beats on a short-video arc: hook, setup, build, turn, payoff, each with its own framing,
   lens, light, camera move and transition;
3. sizes each shot by how long its voice-over takes to say (about 4 Chinese characters or 2.5 English
   words a second), leaving the exact fit to the target length to ``storyboard_from_draft``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.script.contract import Cancel, DraftReply, Progress, ScriptRequest, ShotPlan, check_cancel
from pipelines.script.prompts import STYLE_LOOKS, DraftCharacter, DraftShot, DraftStoryboard, ScriptStyle
from pipelines.script.storyboard import shorten, speech_seconds
from studio.backends import ScriptBackendName
from studio.project.model import Bible, Language
from studio.settings import Settings
from studio.text.segment import keywords, split_at_words

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;…])\s*|(?<=[.])\s+|\n+")
_CLAUSE = re.compile(r"[，、,：:—]")
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_TRAILING = " 。！？；，、.!?;,:：…"


def split_sentences(text: str) -> list[str]:
    """Sentences of Chinese or English text, punctuation kept, empty pieces dropped."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip(_TRAILING)]


def _join(left: str, right: str) -> str:
    return left + right if _HAN.search(left[-1:] + right[:1]) else f"{left} {right}"


def _split_one(beat: str) -> tuple[str, str] | None:
    """Split a beat at the clause boundary nearest its middle; never inside a clause."""
    middle = len(beat) / 2
    cuts = [m.end() for m in _CLAUSE.finditer(beat) if 0 < m.end() < len(beat) - 1]
    if not cuts:
        return None
    cut = min(cuts, key=lambda c: abs(c - middle))
    return beat[:cut].strip(), beat[cut:].strip()


def fit_beats(beats: list[str], count: int) -> list[str]:
    """Merge the shortest neighbours or split the longest beat until there are ``count`` (or no clause is left)."""
    beats = [b for b in beats if b]
    while len(beats) > count:
        i = min(range(len(beats) - 1), key=lambda k: len(beats[k]) + len(beats[k + 1]))
        beats[i:i + 2] = [_join(beats[i], beats[i + 1])]
    while len(beats) < count:
        for i in sorted(range(len(beats)), key=lambda k: -len(beats[k])):
            parts = _split_one(beats[i])
            if parts:
                beats[i:i + 1] = list(parts)
                break
        else:
            break
    return beats


@dataclass(frozen=True)
class _Role:
    framing: str
    lens: str
    light: str
    camera_move: str
    transition: str
    pace: float  # relative screen time before the voice-over is counted


_ROLES = {
    "hook": _Role("Extreme close-up, striking opening image", "macro 100mm lens", "high-contrast key light",
                  "push_in", "cut", 0.7),
    "setup": _Role("Wide establishing shot", "wide 24mm lens", "soft natural light", "pan_right", "cut", 1.0),
    "build": _Role("Medium shot following the action", "35mm lens", "motivated practical light", "pan_left",
                   "cut", 1.0),
    "detail": _Role("Close-up on a telling detail", "85mm lens, shallow depth of field", "soft side light",
                    "tilt_up", "cut", 0.9),
    "turn": _Role("Low-angle medium shot, the turning point", "28mm lens", "dramatic rim light with long shadows",
                  "push_in", "crossfade", 1.1),
    "payoff": _Role("Wide hero shot, the payoff", "wide 24mm lens", "golden hour backlight", "pull_out", "fade",
                    1.2),
}

_STYLE_TAGS = {
    ScriptStyle.CINEMATIC: ("电影感", "cinematic"), ScriptStyle.ANIME: ("动漫", "anime"),
    ScriptStyle.CARTOON_3D: ("3D动画", "3danimation"), ScriptStyle.DOCUMENTARY: ("纪录片", "documentary"),
    ScriptStyle.PRODUCT_AD: ("好物推荐", "productvideo"), ScriptStyle.VLOG: ("vlog", "vlog"),
    ScriptStyle.WATERCOLOR: ("水彩动画", "watercolor"), ScriptStyle.CYBERPUNK: ("赛博朋克", "cyberpunk"),
}
_STOPWORD_TEXT = ("a an the of and to in on with at by for from is are was were be this that it its into how what why "
                  "who when your you my our their his her they we i")
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


MIN_PIECE_CHARS = 4  # a caption shared over shots is cut into pieces of at least this many characters (二字词...)
MIN_PIECE_CHARS_LATIN = 12  # about two or three words


def coverage(beats: list[str], count: int) -> list[tuple[str, str, str]]:
    """``count`` shots over ``beats`` as (beat, caption, words spoken on the shot). A beat with more shots than one
    has its words shared out between them at word boundaries, in pieces long enough to read; a shot left without
    a piece of its own keeps showing the caption before it, silently. Extra shots go to the longer beats."""
    extra = max(0, count - len(beats))
    sizes = [max(1, len(b)) for b in beats]
    exact = [extra * size / sum(sizes) for size in sizes]
    shares = [int(x) for x in exact]
    for i in sorted(range(len(beats)), key=lambda k: shares[k] - exact[k])[: extra - sum(shares)]:
        shares[i] += 1
    out: list[tuple[str, str, str]] = []
    for beat, more in zip(beats, shares, strict=True):
        shortest = MIN_PIECE_CHARS if _HAN.search(beat) else MIN_PIECE_CHARS_LATIN
        pieces = split_at_words(beat, min(1 + more, max(1, len(beat.strip(_TRAILING)) // shortest)))
        out += [(beat, piece, piece) for piece in pieces] + [(beat, pieces[-1], "")] * (1 + more - len(pieces))
    return out


def arc(count: int) -> list[str]:
    """Roles for ``count`` shots: a hook first, a payoff last, a turn near the end, setup and build between."""
    if count == 1:
        return ["hook"]
    if count == 2:
        return ["hook", "payoff"]
    middle = ["setup"] + [("build", "detail")[i % 2] for i in range(count - 3)]
    if count >= 5:
        middle[-1] = "turn"
    return ["hook", *middle, "payoff"]


class TemplateScriptWriter:
    """Storyboards from rules, not a model: the studio works on a fresh machine with nothing downloaded."""

    name = ScriptBackendName.TEMPLATE

    @classmethod
    def from_settings(cls, settings: Settings) -> TemplateScriptWriter:
        return cls()

    def __call__(self, request: ScriptRequest, plan: ShotPlan, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> DraftReply:
        check_cancel(cancel)
        zh = plan.language is Language.ZH
        idea_sentences = split_sentences(request.idea)
        topic = shorten((_CLAUSE.split(idea_sentences[0])[0] if idea_sentences else request.idea).strip(_TRAILING),
                        14 if zh else 48)
        # 1. beats: the user's script or the idea, in sentences (clauses when more are needed); with fewer beats
        # than shots, one shot a beat when the length allows, else a beat's words shared over its shots
        sentences = split_sentences(request.script) if request.script else idea_sentences
        beats = fit_beats(sentences, plan.shots) or [topic]
        count = plan.shots if plan.count_fixed else max(min(len(beats), plan.shots), plan.fewest_shots)
        roles = arc(count)
        shots_plan = coverage(beats, count)

        # 2. the bible: the reference notes, else the idea's subject, and the style's look line
        character = DraftCharacter(name="main subject", description=shorten(request.reference_notes or topic, 600))
        look = STYLE_LOOKS[request.style]

        # 3. shots on the arc: framing, lens, light and move from the role; the words from the beat
        shots = []
        for role_name, (beat, caption, spoken) in zip(roles, shots_plan, strict=True):
            role = _ROLES[role_name]
            action = beat.strip(_TRAILING)
            prompt = f"{role.framing}: {action}."
            if character.description.lower() not in action.lower():
                prompt += f" Main subject: {character.description}."
            prompt += f" {role.light}, {role.lens}. {look}"
            shots.append(DraftShot(
                visual_prompt=shorten(prompt, 1200),
                caption=shorten(caption.strip(" ，、,;；"), plan.caption_chars),
                voiceover=shorten(spoken, 800),
                seconds=round(max(role.pace * plan.target_ms / 1000 / count,
                                  speech_seconds(spoken, plan.language)), 2),
                camera_move=role.camera_move,  # type: ignore[arg-type]
                transition=role.transition,  # type: ignore[arg-type]
            ))
        if progress is not None:
            progress(1, 1)

        title = shorten(idea_sentences[0].strip(_TRAILING) if idea_sentences else topic, 24 if zh else 60)
        notes = []
        if _HAN.search(request.idea + request.script) and not zh or not _HAN.search(request.idea) and zh:
            notes.append("the template writer does not translate: captions and voice-over stay in the idea's language")
        if _HAN.search(request.idea + request.script + request.reference_notes):
            notes.append("the template writer does not translate: shot prompts quote the idea as written; Wan reads "
                         "Chinese, LTX reads English only")
        draft = DraftStoryboard(
            title=title or "Untitled",
            hook=shorten(topic, 16 if zh else 40),
            characters=[character],
            look=look,
            shots=shots,
            description=shorten(f"{request.idea}", 300),
            hashtags=self._hashtags(request, title, zh),
        )
        return DraftReply(draft=draft, notes=notes)

    @staticmethod
    def _hashtags(request: ScriptRequest, title: str, zh: bool) -> list[str]:
        zh_tag, en_tag = _STYLE_TAGS[request.style]
        if zh:  # what the idea is about, as whole words (狗狗, 海边), never a cut-off phrase
            tags = [*keywords(request.idea or title, 2), zh_tag, "AI短片"]
        else:
            words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z0-9]{2,}", request.idea)]
            topic = [w for w in dict.fromkeys(words) if w not in _STOPWORDS][:3]
            tags = [*topic, en_tag, "aivideo"]
        return [t for t in dict.fromkeys(tags) if t][:6]

    def enhance(self, prompt: str, bible: Bible, *, cancel: Cancel | None = None) -> str:
        """Add what a video model needs and the prompt lacks: framing, light, lens, camera; nothing invented."""
        check_cancel(cancel)
        text = prompt.strip(_TRAILING)
        lowered = text.lower()
        additions = []
        if not re.search(r"\b(shot|close-up|closeup|wide|medium|framing)\b", lowered):
            additions.append("medium shot")
        if not re.search(r"\b(light|lighting|lit|sun|sunset|sunrise|neon|glow)\b", lowered):
            additions.append("soft natural light")
        if not re.search(r"\b(lens|mm)\b", lowered):
            additions.append("35mm lens, shallow depth of field")
        if not re.search(r"\b(camera|push|pull|pan|tilt|dolly|tracking|static)\b", lowered):
            additions.append("slow push-in camera")
        return ", ".join([text, *additions]) + "."
