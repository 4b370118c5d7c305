"""Script writer on a local chat model through transformers, with JSON-schema constrained decoding (xgrammar).

The default model (``STUDIO_SCRIPT_MODEL``) is Qwen/Qwen2.5-1.5B-Instruct: it writes Chinese and
English, and at about 3 GB in bf16 it fits beside a video model. Any chat model with a chat template
works, as a hub id or a ``save_pretrained`` folder.

xgrammar masks every token that would break the schema, so the reply always parses, whatever the
weights (tests use a tiny random model). ``max_new_tokens`` is the schema's upper bound on the reply's
size in bytes, so a reply cannot be cut off either; the repair round stays for what the schema cannot
say (a storyboard the studio cannot fit to the target length).
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import Any

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
from studio.errors import ScriptBackendError, ScriptCancelled
from studio.project.model import Bible
from studio.settings import Settings


@dataclass(frozen=True)
class GenerationStats:
    new_tokens: int
    seconds: float

    @property
    def tokens_per_s(self) -> float:
        return self.new_tokens / self.seconds if self.seconds > 0 else 0.0


class LocalScriptWriter:
    """Loads the model on first use and keeps it; one instance per process is enough."""

    name = ScriptBackendName.LOCAL

    def __init__(self, model_ref: str, *, device: str | None = None, dtype: Any = None, temperature: float = 0.7):
        self.model_ref = model_ref
        self.device = device  # None: CUDA when available, else CPU
        self.dtype = dtype  # None: bfloat16 on CUDA, float32 on CPU
        self.temperature = temperature
        self._tokenizer: Any = None
        self._model: Any = None
        self._compiler: Any = None
        self._grammars: dict[str, Any] = {}
        self.last_stats: GenerationStats | None = None
        self.loads = 0  # how many times the weights were loaded: once per process is the point
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalScriptWriter:
        return cls(settings.script_model)

    def load(self) -> None:
        """Load tokenizer, model and grammar compiler (idempotent). Raises ScriptBackendError with what to do."""
        with self._lock:
            if self._model is None:
                self._load()

    def _load(self) -> None:
        from studio.safety.inputs import check_model_ref

        check_model_ref(self.model_ref, what="script model")  # no URLs, files or folders that are not models
        try:
            import torch
            import xgrammar as xgr
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as err:
            raise ScriptBackendError(f"the local script writer needs torch, transformers and xgrammar ({err.name} "
                                     "is missing)") from None
        device = self.device or ("cuda" if torch.cuda.is_available() else "cpu")
        dtype = self.dtype or (torch.bfloat16 if device.startswith("cuda") else torch.float32)
        try:
            tokenizer = AutoTokenizer.from_pretrained(self.model_ref)
            model = AutoModelForCausalLM.from_pretrained(self.model_ref, dtype=dtype).to(device).eval()
        except (OSError, ValueError) as err:
            raise ScriptBackendError(f"cannot load the script model {self.model_ref!r} "
                                     f"({type(err).__name__}); download it with `hf download {self.model_ref}` "
                                     "or set STUDIO_SCRIPT_MODEL to a local folder") from None
        if not getattr(tokenizer, "chat_template", None):
            raise ScriptBackendError(f"the script model {self.model_ref!r} has no chat template; use an instruct "
                                     "(chat) model")
        # the model's vocab may be padded beyond the tokenizer's: xgrammar masks the whole logits row
        info = xgr.TokenizerInfo.from_huggingface(tokenizer, vocab_size=model.config.vocab_size)
        self._tokenizer, self._model, self._compiler = tokenizer, model, xgr.GrammarCompiler(info)
        self.device = device
        self.loads += 1

    def __call__(self, request: ScriptRequest, plan: ShotPlan, *, progress: Progress | None = None,
                 cancel: Cancel | None = None) -> DraftReply:
        self.load()
        limits = plan.limits()
        schema = draft_json_schema(limits, grammar=True)
        budget = limits.max_output_bytes() + 16

        def ask(messages: list[Message]) -> ModelReply:
            return self._generate(messages, schema, budget, request.seed, progress, cancel)

        draft, notes = ask_with_repair(ask, draft_messages(request, plan), draft_acceptor(request, plan),
                                       backend=f"local model {self.model_ref}")
        stats = self.last_stats
        speed = f", {stats.new_tokens} tokens at {stats.tokens_per_s:.0f} tokens/s" if stats else ""
        return DraftReply(draft=draft, notes=[f"model {self.model_ref} on {self.device}{speed}", *notes])  # type: ignore[arg-type]

    def enhance(self, prompt: str, bible: Bible, *, cancel: Cancel | None = None) -> str:
        self.load()

        def ask(messages: list[Message]) -> ModelReply:
            return self._generate(messages, prompt_json_schema(grammar=True), 480, None, None, cancel)

        text, _ = ask_with_repair(ask, enhance_messages(prompt, bible), accept_prompt,
                                  backend=f"local model {self.model_ref}")
        return text  # type: ignore[return-value]

    def _grammar(self, schema: dict[str, Any]) -> Any:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._grammars:
            # compact JSON: with free whitespace a model (a random one surely) can pad the reply past any budget
            self._grammars[key] = self._compiler.compile_json_schema(key, any_whitespace=False)
        return self._grammars[key]

    def _generate(self, messages: list[Message], schema: dict[str, Any], budget: int, seed: int | None,
                  progress: Progress | None, cancel: Cancel | None) -> ModelReply:
        import torch
        import xgrammar as xgr
        from transformers import StoppingCriteria, StoppingCriteriaList

        check_cancel(cancel)
        tokenizer, model = self._tokenizer, self._model
        inputs = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                               return_dict=True).to(model.device)
        prompt_tokens = inputs["input_ids"].shape[1]
        cancelled = False

        class _Watch(StoppingCriteria):
            """Reports tokens as they come and stops generation when the caller cancels."""

            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                nonlocal cancelled
                if progress is not None:
                    progress(min(input_ids.shape[1] - prompt_tokens, budget), budget)
                cancelled = cancel is not None and bool(cancel())
                return torch.full((input_ids.shape[0],), cancelled, dtype=torch.bool, device=input_ids.device)

        started = time.perf_counter()
        devices = [model.device] if model.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices, enabled=seed is not None), torch.inference_mode():
            if seed is not None:
                torch.manual_seed(seed)
            output = model.generate(
                **inputs, max_new_tokens=budget, do_sample=self.temperature > 0,
                temperature=self.temperature if self.temperature > 0 else None,
                top_p=0.9 if self.temperature > 0 else None,
                logits_processor=[xgr.contrib.hf.LogitsProcessor(self._grammar(schema))],  # stateful: one per call
                stopping_criteria=StoppingCriteriaList([_Watch()]),
            )
        if cancelled:
            raise ScriptCancelled("script writing was cancelled")
        new = output[0, prompt_tokens:]
        self.last_stats = GenerationStats(int(new.shape[0]), time.perf_counter() - started)
        eos_ids = model.generation_config.eos_token_id
        eos = set(eos_ids if isinstance(eos_ids, list) else [eos_ids]) - {None}
        finished = bool(new.shape[0]) and int(new[-1]) in eos
        text = tokenizer.decode(new, skip_special_tokens=True)
        if progress is not None:
            progress(budget, budget)
        return ModelReply(text=text, truncated=not finished and new.shape[0] >= budget)
