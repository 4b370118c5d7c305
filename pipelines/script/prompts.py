"""What every script writer tells a model, and the shape of what the model must answer.

Shared by the local (transformers + xgrammar) and the OpenAI-compatible backends, so both ask the
same question and are held to the same answer:

- ``DraftStoryboard`` is the *model-facing* schema: small, flat, strict (no extra keys, no type
  coercion). It is converted into the studio's ``Storyboard`` by ``script_writer.storyboard_from_draft``,
  which sanitises every string and owns everything that is not creative (ids, durations, media, seeds).
- ``draft_json_schema`` is the JSON Schema handed to a constrained decoder (with character-class
  patterns that keep even a random model to printable text and bounded lengths) or to a server's
  ``response_format`` (without the patterns, which not every server's grammar engine accepts).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from studio.project.model import CameraMove, Language, Transition


class ScriptStyle(StrEnum):
    CINEMATIC = "cinematic"
    ANIME = "anime"
    CARTOON_3D = "3d_cartoon"
    DOCUMENTARY = "documentary"
    PRODUCT_AD = "product_ad"
    VLOG = "vlog"
    WATERCOLOR = "watercolor"
    CYBERPUNK = "cyberpunk"


# The look line carried into every shot prompt: medium, palette, light, lens. English, because the
# text encoders of the video models read English best (LTX's T5 reads nothing else).
STYLE_LOOKS: dict[ScriptStyle, str] = {
    ScriptStyle.CINEMATIC: "cinematic film still, anamorphic 35mm lens, shallow depth of field, soft volumetric "
                           "light, teal and orange grade, fine film grain",
    ScriptStyle.ANIME: "anime style, clean cel shading, crisp line art, vivid saturated colours, painted background",
    ScriptStyle.CARTOON_3D: "3D animated cartoon, Pixar-like stylised characters, soft global illumination, "
                            "rounded shapes, bright friendly palette",
    ScriptStyle.DOCUMENTARY: "documentary footage, natural available light, handheld 28mm lens, realistic colours, "
                             "authentic textures",
    ScriptStyle.PRODUCT_AD: "premium product commercial, studio lighting with soft key and rim light, seamless "
                            "background, macro lens detail, glossy reflections",
    ScriptStyle.VLOG: "smartphone vlog footage, bright natural daylight, wide 24mm lens, casual handheld framing, "
                      "true-to-life colours",
    ScriptStyle.WATERCOLOR: "hand-painted watercolor animation, soft bleeding edges, paper texture, pastel palette",
    ScriptStyle.CYBERPUNK: "cyberpunk night scene, neon magenta and cyan light, wet reflective streets, haze, "
                           "wide-angle lens",
}

# Pacing of a natural voice-over: the template writer sizes shots with it, the converter checks with it.
ZH_CHARS_PER_S = 4.0
EN_WORDS_PER_S = 2.5

_CAMERA_CHOICES = tuple(m.value for m in CameraMove if m is not CameraMove.AUTO)
# The editorial transitions; slides, zooms, whips and the flash are the creator's to pick (Storyboard tab, CLI, API).
_TRANSITION_CHOICES = tuple(t.value for t in (Transition.CUT, Transition.CROSSFADE, Transition.FADE))
CameraChoice = Literal["none", "push_in", "pull_out", "pan_left", "pan_right", "tilt_up", "tilt_down",
                       "parallax"]
TransitionChoice = Literal["cut", "crossfade", "fade"]
assert set(CameraChoice.__args__) == set(_CAMERA_CHOICES), "CameraChoice drifted from CameraMove"  # type: ignore[attr-defined]
assert set(TransitionChoice.__args__) == set(_TRANSITION_CHOICES), "TransitionChoice drifted"  # type: ignore[attr-defined]


class _Draft(BaseModel):
    # strict: "4" is not 4 and an unknown key ("media", "path", "seed") is an error, not silently dropped
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class DraftCharacter(_Draft):
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(min_length=1, max_length=600)


class DraftShot(_Draft):
    visual_prompt: str = Field(min_length=1, max_length=1200)
    caption: str = Field(max_length=400)
    voiceover: str = Field(max_length=800)
    seconds: float = Field(gt=0, le=120)
    camera_move: CameraChoice
    transition: TransitionChoice


class DraftStoryboard(_Draft):
    title: str = Field(min_length=1, max_length=200)
    hook: str = Field(max_length=200)
    characters: list[DraftCharacter] = Field(max_length=10)
    look: str = Field(max_length=600)
    shots: list[DraftShot] = Field(min_length=1, max_length=60)
    description: str = Field(max_length=2000)
    hashtags: list[str] = Field(max_length=30)


class DraftPrompt(_Draft):
    visual_prompt: str = Field(min_length=1, max_length=1200)


@dataclass(frozen=True)
class DraftLimits:
    """Bounds of the model-facing schema for one request (all within ``DraftStoryboard``'s own)."""

    shots: int
    caption_chars: int
    min_seconds: int
    max_seconds: int
    voiceover_chars: int = 160
    prompt_chars: int = 400
    title_chars: int = 60
    hook_chars: int = 40
    look_chars: int = 200
    character_chars: int = 300
    max_characters: int = 3
    description_chars: int = 200
    max_hashtags: int = 6
    hashtag_chars: int = 20

    def max_output_bytes(self) -> int:
        """An upper bound on the UTF-8 size of any reply the grammar admits (each token is >= 1 byte)."""
        text = 3  # a CJK character is 3 bytes
        shot = 120 + self.prompt_chars + text * (self.caption_chars + self.voiceover_chars)
        character = 40 + text * 40 + self.character_chars
        return (300 + text * (self.title_chars + self.hook_chars + self.description_chars) + self.look_chars
                + self.max_characters * character + self.shots * shot
                + self.max_hashtags * (4 + text * self.hashtag_chars))


# Character classes for the constrained decoder. Free text: anything printable except the characters
# that make markup, paths, escapes or shell (a random model cannot emit control characters, quotes
# that need escaping, "<b>", "/etc" or "$(...)"). Prompts: plain English punctuation.
_TEXT_CLASS = "[^\\u0000-\\u001f\\u007f-\\u009f\"\\\\<>/`${}|\\u2028\\u2029]"
_PROMPT_CLASS = "[A-Za-z0-9 ,.;:'()-]"
_TAG_CLASS = "[^\\u0000-\\u0020\\u007f-\\u009f\"\\\\<>/`${}|#,.!?;:\\u2028\\u2029\\u3000]"


def _bounded(char_class: str, low: int, high: int) -> str:
    """``^C{low,high}$`` written as chained repeats of at most 100 (xgrammar refuses counts above 128)."""
    parts = [f"{char_class}{{{low}}}" if low else ""]
    left = high - low
    while left > 0:
        step = min(100, left)
        parts.append(f"{char_class}{{0,{step}}}")
        left -= step
    return "^" + "".join(parts) + "$"


def _string(char_class: str, low: int, high: int, grammar: bool) -> dict[str, Any]:
    if grammar:
        return {"type": "string", "pattern": _bounded(char_class, low, high)}
    return {"type": "string", "minLength": low, "maxLength": high}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties), "additionalProperties": False}


def draft_json_schema(limits: DraftLimits, *, grammar: bool) -> dict[str, Any]:
    """The storyboard schema the model fills. Key order is generation order: bible first, then shots."""
    text = _TEXT_CLASS
    shot = _object({
        "visual_prompt": _string(_PROMPT_CLASS, 20, limits.prompt_chars, grammar),
        "caption": _string(text, 1, limits.caption_chars, grammar),
        "voiceover": _string(text, 1, limits.voiceover_chars, grammar),
        "seconds": {"type": "integer", "minimum": limits.min_seconds, "maximum": limits.max_seconds},
        "camera_move": {"type": "string", "enum": list(_CAMERA_CHOICES)},
        "transition": {"type": "string", "enum": list(_TRANSITION_CHOICES)},
    })
    character = _object({
        "name": _string(text, 1, 40, grammar),
        "description": _string(_PROMPT_CLASS, 10, limits.character_chars, grammar),
    })
    return _object({
        "title": _string(text, 1, limits.title_chars, grammar),
        "hook": _string(text, 1, limits.hook_chars, grammar),
        "characters": {"type": "array", "items": character, "minItems": 0, "maxItems": limits.max_characters},
        "look": _string(_PROMPT_CLASS, 10, limits.look_chars, grammar),
        "shots": {"type": "array", "items": shot, "minItems": limits.shots, "maxItems": limits.shots},
        "description": _string(text, 1, limits.description_chars, grammar),
        "hashtags": {"type": "array", "items": _string(_TAG_CLASS, 1, limits.hashtag_chars, grammar),
                     "minItems": 0, "maxItems": limits.max_hashtags},
    })


def prompt_json_schema(*, grammar: bool, max_chars: int = 400) -> dict[str, Any]:
    return _object({"visual_prompt": _string(_PROMPT_CLASS, 20, max_chars, grammar)})


SYSTEM_PROMPT = """\
You are the director of vertical (9:16) short videos for Douyin, TikTok, Reels and Shorts. You turn an \
idea into a storyboard that a text-to-video model can follow shot by shot.

Rules:
- Open with a hook: the first shot and the hook line must make a viewer stop scrolling within 2 seconds.
- One clear action per shot; the story has a beginning, a turn and a payoff; end on a strong image.
- characters: the bible. One entry per recurring character or product, with a canonical visual \
description in English (age, build, hair, face, clothes, colours, materials) that never changes.
- look: one English line for the visual style of every shot (medium, palette, light, lens).
- visual_prompt: English, concrete and literal: subject, action, setting, light, lens and camera. \
Repeat the full bible description of every character who appears, so each shot stands alone. \
No text overlays, no captions, no names of real people.
- caption: short on-screen text in the caption language, at most {caption_chars} characters.
- voiceover: what the narrator says during the shot, in the caption language, paced at about \
4 Chinese characters or 2.5 English words per second.
- seconds: a whole number from {min_s} to {max_s}; the shots add up to about {total_s} seconds.
- camera_move: one of {camera_moves}. transition: how the shot enters: {transitions}.
- description and hashtags: for posting, in the caption language; hashtags without '#'.
- Plain text only: no markdown, HTML, links, file paths, code or settings in any field.
Reply with one JSON object only, matching the schema."""


def system_prompt(limits: DraftLimits, total_s: int) -> str:
    return SYSTEM_PROMPT.format(caption_chars=limits.caption_chars, min_s=limits.min_seconds,
                                max_s=limits.max_seconds, total_s=total_s,
                                camera_moves=", ".join(_CAMERA_CHOICES), transitions=", ".join(_TRANSITION_CHOICES))


_LANGUAGE_NAMES = {Language.ZH: "Chinese (Simplified)", Language.EN: "English"}


def user_prompt(*, idea: str, seconds: int, platform: str, style: ScriptStyle, language: Language, shots: int,
                reference_notes: str = "", script: str = "") -> str:
    """The request as the model reads it. The user's own words are quoted as data, not as instructions."""
    lines = [
        f"Idea: {idea}",
        f"Length: {seconds} seconds in {shots} shots, for {platform}.",
        f"Style: {style.value} ({STYLE_LOOKS[style]}).",
        f"Caption and voice-over language: {_LANGUAGE_NAMES[language]}.",
    ]
    if reference_notes:
        lines.append(f"Reference notes for the main character or product (keep them exact): {reference_notes}")
    if script:
        lines.append("The user wrote the script below. Do not rewrite it: split it into the shots in order, "
                     "use its own words as voice-over and shortened captions, and write the visual prompts.")
        lines.append(f"Script:\n{script}")
    return "\n".join(lines)


ENHANCE_SYSTEM_PROMPT = """\
You rewrite one shot prompt for a text-to-video model. Keep its meaning and subject; make it concrete and \
literal in English: subject, action, setting, light, lens and camera movement, in one paragraph of at most \
{max_chars} characters. Keep every character description and the look line given. Plain text only, no \
markdown, links or paths. Reply with one JSON object only: {{"visual_prompt": "..."}}."""


def enhance_user_prompt(prompt: str, *, look: str = "", characters: tuple[tuple[str, str], ...] = ()) -> str:
    lines = [f"Shot prompt: {prompt}"]
    if look:
        lines.append(f"Look: {look}")
    lines += [f"Character {name}: {description}" for name, description in characters]
    return "\n".join(lines)


def repair_prompt(problem: str) -> str:
    return (f"Your reply could not be used: {problem}. Reply again with the complete JSON object only, "
            "matching the schema exactly, with no other text.")


_FENCE = re.compile(r"^```[a-zA-Z]*\s*|\s*```$")
_THINK = re.compile(r"<think>.*?</think>", re.DOTALL)


def extract_json(reply: str) -> Any:
    """The one JSON object in a reply; tolerates code fences and a leading <think> block, nothing else.

    Raises ``ValueError`` with a short reason (it goes back to the model in the repair round).
    """
    text = _THINK.sub("", reply).strip()
    text = _FENCE.sub("", text).strip()
    if not text:
        raise ValueError("the reply was empty")
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        if err.pos >= len(text) - 1 or "Unterminated" in err.msg:
            raise ValueError(f"the JSON was cut off after {len(text)} characters") from None
        raise ValueError(f"the reply is not valid JSON ({err.msg} at character {err.pos})") from None
    if not isinstance(value, dict):
        raise ValueError(f"the reply is a JSON {type(value).__name__}, not an object")
    return value
