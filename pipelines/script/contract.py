"""The script writer's contract: what every backend (``local``, ``openai``, ``template``) takes and returns.

A backend is one class in one file (registered in ``pipelines.script.writers``) with ``name``,
``from_settings(settings)``, ``__call__(request, plan, *, progress, cancel) -> DraftReply`` and
``enhance(prompt, bible, *, cancel) -> str``. What does not depend on the backend (checking the request,
planning the shots, turning a draft into a storyboard) is ``pipelines.script.storyboard``; choosing a
backend and falling back is the service, ``pipelines.script.writers``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipelines.script.prompts import (
    DraftLimits,
    DraftStoryboard,
    ScriptStyle,
)
from studio.backends import ScriptBackendName
from studio.errors import ScriptCancelled, ScriptInputError
from studio.project.model import (
    Bible,
    Language,
    Storyboard,
)
from studio.project.presets import PresetName
from studio.settings import Settings
from studio.values import choice, whole

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

MIN_SECONDS = 15
MAX_SECONDS = 90
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


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

    @classmethod
    def from_values(cls, idea: Any = "", seconds: Any = None, preset: Any = None, style: Any = None,
                    language: Any = None, reference_notes: Any = "", script: Any = "", shots: Any = None,
                    seed: Any = None) -> ScriptRequest:
        """The one parser of a script request, for every face: form fields, API arguments and CLI flags alike.

        Blank or ``None`` means the default (30 s, douyin, cinematic, auto language, shots from the length, a
        fresh seed); a value that is not one of the choices is refused with the choices. Lengths, text sizes
        and shot counts are checked against the platform by ``check_request``.
        """
        bad = ScriptInputError
        return cls(idea=str(idea or ""), seconds=whole("length", seconds, 30, error=bad),
                   preset=choice("platform preset", PresetName, preset, PresetName.DOUYIN, error=bad),
                   style=choice("style", ScriptStyle, style, ScriptStyle.CINEMATIC, error=bad),
                   language=choice("language", Language, language, Language.AUTO, error=bad),
                   reference_notes=str(reference_notes or ""), script=str(script or ""),
                   shots=None if shots == "auto" else whole("number of shots", shots, zero_is_default=True, error=bad),
                   seed=whole("seed", seed, signed=True, error=bad))

    def caption_language(self) -> Language:
        """``auto`` follows the idea (and script): any Han character means Chinese."""
        if self.language is not Language.AUTO:
            return self.language
        return Language.ZH if HAN.search(self.idea + self.script) else Language.EN


@dataclass(frozen=True)
class ShotPlan:
    """The non-creative frame every backend writes into."""

    shots: int
    target_ms: int
    min_shot_ms: int
    max_shot_ms: int
    caption_chars: int
    language: Language
    fewest_shots: int = 1  # the fewest shots that can make the length: a writer with fewer beats may stop there
    count_fixed: bool = False  # the user asked for exactly ``shots``

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

    @classmethod
    def from_settings(cls, settings: Settings) -> ScriptWriter: ...

    def __call__(self, request: ScriptRequest, plan: ShotPlan, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> DraftReply: ...

    def enhance(self, prompt: str, bible: Bible, *, cancel: Cancel | None = None) -> str: ...


def check_cancel(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise ScriptCancelled("script writing was cancelled")
