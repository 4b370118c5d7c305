"""Shared fixtures. Tests never reach the network: no hub downloads, no Gradio analytics."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.net import free_port

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

# Settings a developer's own environment may hold that would change what the offline CLI does: an LLM endpoint,
# another shot cache, other default backends, safety turned off or other safety rules.
UNSET_FOR_OFFLINE = ("STUDIO_LLM_URL", "STUDIO_SHOT_CACHE_DIR", "STUDIO_SCRIPT_BACKEND", "STUDIO_VIDEO_BACKEND",
                     "STUDIO_SAFETY", "STUDIO_SAFETY_RULES")


@dataclass(frozen=True)
class LaunchedStudio:
    url: str
    settings: Any  # studio.settings.Settings
    demo: Any  # gradio.Blocks

    @property
    def renders(self) -> Path:
        return self.settings.data_dir / "renders"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """The studio's data folder (``STUDIO_DATA_DIR``) for one test, not created yet, so a test can see whether
    anything wrote to it. A module whose tests share one shot cache, as on a user's machine, overrides it with a
    module-scoped fixture of the same name."""
    return tmp_path / "data"


@pytest.fixture
def offline_env(monkeypatch: pytest.MonkeyPatch, data_dir: Path, tmp_path: Path) -> Path:
    """The environment the CLI reads its settings from, offline: no hub, no script model weights (the model is a
    folder that does not exist, so the template writer runs), no LLM endpoint, the default backends and safety
    rules, and ``data_dir`` as ``STUDIO_DATA_DIR`` (returned)."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("STUDIO_DATA_DIR", str(data_dir))
    monkeypatch.setenv("STUDIO_SCRIPT_MODEL", str(tmp_path / "no-model"))
    for name in UNSET_FOR_OFFLINE:
        monkeypatch.delenv(name, raising=False)
    return data_dir


@pytest.fixture(scope="session")
def tiny_chat_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight Qwen2 chat model saved with save_pretrained: the local script writer's model."""
    import torch

    from tests.helpers.tiny_llm import build_tiny_chat_model

    torch.set_num_threads(1)
    return build_tiny_chat_model(tmp_path_factory.mktemp("tiny-chat") / "model")


@pytest.fixture(scope="session")
def tiny_ltx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random-weight LTX saved with save_pretrained: the launched studio's configured LTX model."""
    from tests.helpers.tiny_video import save_tiny_models

    return save_tiny_models(tmp_path_factory.mktemp("tiny"), names=("ltx",))["ltx"]


@pytest.fixture(scope="session")
def studio_app(tmp_path_factory: pytest.TempPathFactory, tiny_ltx: Path) -> Iterator[LaunchedStudio]:
    """The studio UI launched the way ``python app.py`` launches it, on a free local port, with its own data dir.

    One per test session: the API, UI and browser tests share it (each makes its own projects)."""
    import app
    from studio.settings import Settings

    # The offline backends: the template script writer and still-image drafts (no weights, no network); the
    # operator's LTX model is the tiny one, so API callers may name it (a visitor names no other folder).
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path_factory.mktemp("studio-data")),
                                  "STUDIO_SCRIPT_BACKEND": "template", "STUDIO_VIDEO_BACKEND": "still",
                                  "STUDIO_LTX_MODEL": str(tiny_ltx)})
    port = free_port()
    demo = app.build_demo(settings)
    app.launch(demo, settings, host="127.0.0.1", port=port, prevent_thread_lock=True)
    try:
        yield LaunchedStudio(f"http://127.0.0.1:{port}/", settings, demo)
    finally:
        demo.close(verbose=False)
