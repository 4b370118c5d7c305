"""Script writer on an OpenAI-compatible chat endpoint: Ollama, vLLM, llama.cpp server, DeepSeek, DashScope, OpenAI.

``POST {base_url}/chat/completions`` with the storyboard's JSON Schema as ``response_format``. Servers
differ in what they accept, so the writer steps down once per server when one refuses a format:
``json_schema`` (OpenAI, vLLM, Ollama >= 0.5, llama.cpp) -> ``json_object`` (DeepSeek, DashScope) ->
no format. Every reply is parsed strictly and gets one repair round; the whole reply must arrive within
``timeout_s`` (a server that trickles bytes is cut off too) and may not exceed ``max_reply_bytes``.

The API key goes only into the ``Authorization`` header: it is never part of an error message or a note.
"""

from __future__ import annotations

import json
from typing import Any

from pipelines import http
from pipelines.script.chat import (
    Message,
    ModelReply,
    accept_prompt,
    ask_with_repair,
    draft_acceptor,
    draft_messages,
    enhance_messages,
)
from pipelines.script.contract import Cancel, DraftReply, Progress, ScriptRequest, ShotPlan, check_cancel
from pipelines.script.prompts import draft_json_schema, prompt_json_schema
from studio.backends import ScriptBackendName
from studio.errors import ScriptBackendError, ScriptCancelled, ScriptInputError
from studio.project.model import Bible
from studio.settings import Settings

_FORMATS = ("json_schema", "json_object", "none")


def _endpoint(base_url: str, allow_private: str = "loopback") -> str:
    from studio.safety.inputs import check_llm_url

    check_llm_url(base_url, allow_private=allow_private)  # http(s) only, no credentials, no private addresses
    url = base_url.strip().rstrip("/")
    return url if url.endswith("/chat/completions") else url + "/chat/completions"


class OpenAIScriptWriter:
    """A remote chat model, held to the same schema, sanitising and repair round as the local one."""

    name = ScriptBackendName.OPENAI

    def __init__(self, base_url: str, model: str, *, api_key: str | None = None, timeout_s: float = 60,
                 max_reply_bytes: int = 1 << 20, temperature: float = 0.7, allow_private: str = "loopback"):
        if not model or not model.strip():
            raise ScriptInputError("no LLM model named; set STUDIO_LLM_MODEL or pass --llm-model")
        self.url = _endpoint(base_url, allow_private)
        self.model = model.strip()
        self._api_key = api_key
        self.timeout_s = timeout_s
        self.max_reply_bytes = max_reply_bytes
        self.temperature = temperature
        self._format = 0  # index into _FORMATS: steps down when this server refuses a format
        self.format_used: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> OpenAIScriptWriter:
        if not settings.llm_url:
            raise ScriptBackendError("no LLM endpoint is configured; set STUDIO_LLM_URL or pass --llm-url")
        return cls(settings.llm_url, settings.llm_model or "", api_key=settings.llm_api_key,
                   timeout_s=settings.llm_timeout_s, allow_private=settings.llm_allow_private)

    def __call__(self, request: ScriptRequest, plan: ShotPlan, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> DraftReply:
        limits = plan.limits()
        schema = draft_json_schema(limits, grammar=False)
        max_tokens = min(16_384, limits.max_output_bytes() // 2 + 512)

        def ask(messages: list[Message]) -> ModelReply:
            return self._chat(messages, schema, "storyboard", max_tokens, request.seed, cancel)

        draft, notes = ask_with_repair(ask, draft_messages(request, plan), draft_acceptor(request, plan),
                                       backend=f"LLM at {self.url}")
        if progress is not None:
            progress(1, 1)
        return DraftReply(draft=draft, notes=[f"model {self.model} at {self.url} (response format: "
                                              f"{self.format_used})", *notes])  # type: ignore[arg-type]

    def enhance(self, prompt: str, bible: Bible, *, cancel: Cancel | None = None) -> str:
        schema = prompt_json_schema(grammar=False)

        def ask(messages: list[Message]) -> ModelReply:
            return self._chat(messages, schema, "shot_prompt", 1024, None, cancel)

        text, _ = ask_with_repair(ask, enhance_messages(prompt, bible), accept_prompt, backend=f"LLM at {self.url}")
        return text  # type: ignore[return-value]

    # -------------------------------------------------------------------------------------------- the wire

    def _chat(self, messages: list[Message], schema: dict[str, Any], name: str, max_tokens: int, seed: int | None,
              cancel: Cancel | None) -> ModelReply:
        while True:
            check_cancel(cancel)
            payload: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": self.temperature,
                                       "max_tokens": max_tokens, "stream": False}
            if seed is not None:
                payload["seed"] = seed
            mode = _FORMATS[self._format]
            if mode == "json_schema":
                payload["response_format"] = {"type": "json_schema",
                                              "json_schema": {"name": name, "schema": schema, "strict": True}}
            elif mode == "json_object":
                payload["response_format"] = {"type": "json_object"}
            status, body = self._post(payload, cancel)
            if status in (400, 415, 422) and mode != "none" and self._refuses_format(body):
                self._format += 1  # this server does not know this format: step down and ask again
                continue
            self.format_used = mode
            return self._reply(status, body)

    @staticmethod
    def _refuses_format(body: bytes) -> bool:
        text = body[:4000].decode("utf-8", "replace").lower()
        return any(word in text for word in ("response_format", "json_schema", "json_object", "response format"))

    def _post(self, payload: dict[str, Any], cancel: Cancel | None) -> tuple[int, bytes]:
        try:
            return http.post_json(self.url, payload, accept="application/json", api_key=self._api_key,
                                  timeout_s=self.timeout_s, max_bytes=self.max_reply_bytes, cancel=cancel)
        except http.TooLarge:
            raise ScriptBackendError(f"the LLM server at {self.url} sent more than "
                                     f"{self.max_reply_bytes // 1024} KiB; refusing the reply") from None
        except http.Stopped:
            raise ScriptCancelled("script writing was cancelled") from None
        except http.TimedOut:
            raise ScriptBackendError(f"the LLM server at {self.url} did not answer within {self.timeout_s:g} s "
                                     "(STUDIO_LLM_TIMEOUT_S)") from None
        except http.Unreachable as err:
            raise ScriptBackendError(f"cannot reach the LLM server at {self.url}: {err}") from None

    def _reply(self, status: int, body: bytes) -> ModelReply:
        if status in (401, 403):
            raise ScriptBackendError(f"the LLM server at {self.url} refused the API key (HTTP {status}); "
                                     "check STUDIO_LLM_API_KEY")
        if status != 200:
            raise ScriptBackendError(f"the LLM server at {self.url} answered HTTP {status}: "
                                     f"{http.error_snippet(body)}")
        try:
            choice = json.loads(body)["choices"][0]
            content = choice["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            # a reply that does not speak the protocol is the server's fault, not the model's: no repair round
            raise ScriptBackendError(f"the LLM server at {self.url} did not send a chat completion "
                                     f"({http.error_snippet(body) or 'empty body'})") from None
        if not isinstance(content, str):
            content = ""
        return ModelReply(text=content, truncated=choice.get("finish_reason") == "length")
