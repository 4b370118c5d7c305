"""The local backend: a tiny random Qwen2 chat model saved and loaded offline, decoding under the storyboard grammar.

Random weights write noise, but constrained decoding must still give a storyboard the studio accepts: the
right number of shots, enum camera moves, lengths that fit, no control characters or markup.
"""

from __future__ import annotations

import os

import pytest

from pipelines.script.contract import ScriptRequest
from pipelines.script.writers import ScriptWriters
from studio.backends import ScriptBackendName
from studio.errors import ScriptBackendError, ScriptCancelled
from studio.project.model import Bible, Project
from studio.project.timeline import build_timeline
from studio.settings import Settings

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="module")
def writers(tiny_chat_model, tmp_path_factory) -> ScriptWriters:
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path_factory.mktemp("data")),
                                  "STUDIO_SCRIPT_MODEL": str(tiny_chat_model)})
    return ScriptWriters(settings)  # one model load for the module, as the UI keeps one


@pytest.mark.parametrize("idea, seconds, shots", [("一只橘猫在海边学冲浪。它从不放弃！", 15, 3),
                                                  ("A cat learns to surf at sunrise", 20, 4)])
def test_constrained_decoding_gives_a_valid_storyboard_from_random_weights(writers, idea, seconds, shots):
    ticks = []
    result = writers.write(ScriptRequest(idea=idea, seconds=seconds, shots=shots, seed=3),
                           progress=lambda done, total: ticks.append((done, total)))
    board = result.storyboard
    assert result.backend_used is ScriptBackendName.LOCAL  # auto: the weights are on this machine
    assert len(board.shots) == shots
    assert build_timeline(Project(storyboard=board)).duration_ms == seconds * 1000
    assert all(1500 <= s.duration_ms <= 8000 and s.visual_prompt for s in board.shots)
    text = board.model_dump_json()
    assert not any(ch in text for ch in "<>`$") and "\\u00" not in text
    assert ticks and ticks[-1][0] == ticks[-1][1] and len(ticks) > 10
    assert any("tokens/s" in note for note in result.notes)


def test_same_seed_same_storyboard(writers):
    request = ScriptRequest(idea="A robot waters a flower", seconds=15, shots=3, seed=11)
    assert writers.write(request).storyboard == writers.write(request).storyboard


def test_cancel_stops_generation(writers):
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > 5

    with pytest.raises(ScriptCancelled):
        writers.write(ScriptRequest(idea="A robot waters a flower", seconds=15), cancel=cancel)


def test_enhance_returns_a_prompt_carrying_the_look(writers):
    result = writers.enhance("a cat on a surfboard", Bible(look="anime style, cel shading"))
    assert result.backend_used is ScriptBackendName.LOCAL
    assert result.visual_prompt.endswith("anime style, cel shading.")


def test_a_model_that_cannot_load_is_an_error_when_chosen_and_a_fallback_under_auto(tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{}")  # looks present to auto, cannot load
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_SCRIPT_MODEL": str(broken)})
    with pytest.raises(ScriptBackendError, match="cannot load the script model"):
        ScriptWriters(settings).write(ScriptRequest(idea="x"), backend="local")
    result = ScriptWriters(settings).write(ScriptRequest(idea="x"))
    assert result.backend_used is ScriptBackendName.TEMPLATE
    assert any("the local writer failed" in note for note in result.notes)
