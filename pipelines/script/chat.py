"""What the chat-model backends (``local``, ``openai``) share: the messages they send, and one repair round
when a reply does not parse or does not make a usable storyboard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError

from pipelines.script.contract import ScriptRequest, ShotPlan
from pipelines.script.prompts import (
    DraftStoryboard,
)
from pipelines.script.storyboard import parse_draft, storyboard_from_draft
from studio.errors import ScriptOutputError
from studio.project.model import (
    Bible,
)
from studio.project.presets import get_preset


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
    from pipelines.script.prompts import extract_json, repair_prompt

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
    from pipelines.script.prompts import system_prompt, user_prompt

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
    from pipelines.script.prompts import ENHANCE_SYSTEM_PROMPT, enhance_user_prompt

    return [{"role": "system", "content": ENHANCE_SYSTEM_PROMPT.format(max_chars=400)},
            {"role": "user", "content": enhance_user_prompt(
                prompt, look=bible.look, characters=tuple((c.name, c.description) for c in bible.characters))}]


def accept_prompt(value: object) -> str:
    from pipelines.script.prompts import DraftPrompt

    try:
        return DraftPrompt.model_validate(value).visual_prompt
    except ValidationError as err:
        raise ValueError(f"{err.errors()[0]['msg']}") from None
