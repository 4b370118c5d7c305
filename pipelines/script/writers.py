"""The script service: picks a backend, builds each one once (a local model loads once per process), runs it,
and falls back to the template writer when the user chose ``auto`` and a model backend fails.

    1. check    ``check_request`` and prompt safety, before any backend sees the text
    2. choose   ``auto`` never touches the network to decide: local weights on disk > an LLM URL > template
    3. write    the backend's draft
    4. convert  ``storyboard_from_draft``; the storyboard is checked again before any video model sees it

Adding a backend: one file with one class that follows ``pipelines.script.contract.ScriptWriter``, its name in
``studio.backends.ScriptBackendName`` and one line in ``SCRIPT_BACKENDS``. ``pipelines.services.Services`` holds
the one ``ScriptWriters`` of a process.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from pathlib import Path

from pydantic import ValidationError

from pipelines.registry import BackendRegistry
from pipelines.script.contract import (
    Cancel,
    EnhanceResult,
    Progress,
    ScriptRequest,
    ScriptResult,
    ScriptWriter,
    check_cancel,
)
from pipelines.script.storyboard import Sanitizer, carry_bible, check_request, plan_shots, storyboard_from_draft
from studio.backends import ScriptBackendName
from studio.errors import ScriptBackendError, ScriptInputError, ScriptOutputError
from studio.project.model import (
    Bible,
    Storyboard,
    clean_text,
)
from studio.safety.prompts import check_fields, check_script_request, check_storyboard
from studio.settings import Settings

_NO_BIBLE = Bible()  # frozen, so one shared default is safe


def local_weights_available(model_ref: str, cache_dir: Path | None = None) -> bool:
    """Whether ``model_ref`` can load without the network: a folder with a config, or a complete HF cache entry.

    Looks only at disk (huggingface_hub's cache lookup makes no request), so ``auto`` never waits on a network.
    ``cache_dir`` is the HF cache to look in (default: the one huggingface_hub found when it was imported).
    """
    for module in ("torch", "transformers", "xgrammar", "huggingface_hub"):
        if importlib.util.find_spec(module) is None:
            return False
    path = Path(model_ref).expanduser()
    if path.is_dir():
        return (path / "config.json").is_file()
    if model_ref.count("/") != 1 or model_ref.startswith((".", "/", "~")):
        return False
    if cache_dir is not None and not (Path(cache_dir) / ("models--" + model_ref.replace("/", "--"))).is_dir():
        return False  # not in that cache at all: no need to import huggingface_hub to say so
    from huggingface_hub import try_to_load_from_cache

    try:
        found = [try_to_load_from_cache(model_ref, name, cache_dir=cache_dir) for name in
                 ("config.json", "tokenizer_config.json", "model.safetensors", "model.safetensors.index.json")]
    except Exception:  # an id huggingface_hub refuses as malformed is simply not available
        return False
    has_weights = isinstance(found[2], str) or isinstance(found[3], str)
    return isinstance(found[0], str) and isinstance(found[1], str) and has_weights


def choose_backend(settings: Settings, requested: str | ScriptBackendName | None = None, *,
                   cache_dir: Path | None = None) -> tuple[ScriptBackendName, str]:
    """The backend to run and why. ``auto``: local weights present > LLM URL configured > template (``cache_dir``:
    the HF cache to look in, as ``local_weights_available``)."""
    try:
        name = ScriptBackendName(requested or settings.script_backend)
    except ValueError:
        raise ScriptInputError(f"unknown script backend {requested!r}; choose one of: "
                               f"{', '.join(b.value for b in ScriptBackendName)}") from None
    if name is not ScriptBackendName.AUTO:
        return name, "chosen"
    if local_weights_available(settings.script_model, cache_dir):
        return ScriptBackendName.LOCAL, f"the weights of {settings.script_model} are on this machine"
    if settings.llm_url:
        return ScriptBackendName.OPENAI, f"an LLM endpoint is configured ({settings.llm_url})"
    return ScriptBackendName.TEMPLATE, "no local model weights and no LLM endpoint are configured"


SCRIPT_BACKENDS: BackendRegistry[ScriptBackendName] = BackendRegistry("script", {
    ScriptBackendName.LOCAL: "pipelines.script.local:LocalScriptWriter",
    ScriptBackendName.OPENAI: "pipelines.script.openai:OpenAIScriptWriter",
    ScriptBackendName.TEMPLATE: "pipelines.script.template:TemplateScriptWriter",
})


class ScriptWriters:
    """The studio's script service: builds each backend once (a local model loads once), runs and falls back.

    One per process, inside ``pipelines.services.Services``; ``writers`` replaces backends (tests, benches).
    """

    def __init__(self, settings: Settings, writers: dict[ScriptBackendName, ScriptWriter] | None = None):
        self.settings = settings
        self._writers: dict[ScriptBackendName, ScriptWriter] = dict(writers or {})
        self._lock = threading.Lock()  # Gradio runs handlers on several threads: build each writer once

    def writer(self, name: ScriptBackendName) -> ScriptWriter:
        with self._lock:
            if name not in self._writers:
                self._writers[name] = SCRIPT_BACKENDS.load(name).from_settings(self.settings)
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
        storyboard, dropped = _drawable_only(storyboard, self.settings)
        if dropped:
            notes.append(f"removed {dropped} character(s) no installed font can draw from the captions and titles")
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
            notes.append("removed links, paths, markup, commands or undrawable characters from the rewritten prompt")
        check_fields((("enhanced prompt", result),), self.settings)
        return EnhanceResult(visual_prompt=result, backend_used=name, notes=tuple(notes))


def _drawable_only(storyboard: Storyboard, settings: Settings) -> tuple[Storyboard, int]:
    """The storyboard without characters the compositor could not draw in its captions, hook and title (a model
    can write any script; failing the render after the shots were generated would be worse), and how many."""
    from studio.errors import EnvironmentProblem
    from studio.text.fonts import default_font_book

    try:
        book = default_font_book(settings.font_dirs)
    except EnvironmentProblem:  # no caption fonts at all: the compositor says what to install
        return storyboard, 0
    dropped = 0

    def keep(text: str) -> str:
        nonlocal dropped
        kept = "".join(ch for ch in text if book.can_draw(ch))
        dropped += len(text) - len(kept)
        return " ".join(kept.split()) if len(kept) != len(text) else text

    shots = tuple(shot.model_copy(update={"caption": keep(shot.caption)}) for shot in storyboard.shots)
    cleaned = storyboard.model_copy(update={"title": keep(storyboard.title), "hook": keep(storyboard.hook),
                                            "shots": shots})
    return (cleaned, dropped) if dropped else (storyboard, 0)


def _script_beats(request: ScriptRequest) -> int | None:
    if not request.script:
        return None
    from pipelines.script.template import split_sentences

    return len(split_sentences(request.script))
