"""The studio's named API endpoints through gradio_client against the launched app: idea -> storyboard ->
shots (the still draft backend, and a tiny random-weight LTX saved with save_pretrained) -> compose, and
make_short end to end, each MP4 judged by ffprobe; bad input is one sentence; MCP lists the tools."""

from __future__ import annotations

import json
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.net import free_port

IDEA = "A cat opens a tiny coffee shop"


def ffprobe(path) -> dict:
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=30).stdout)


@pytest.fixture(scope="module")
def client(studio_app):
    from gradio_client import Client

    return Client(studio_app.url, verbose=False, download_files=str(studio_app.settings.data_dir / "downloads"))


@pytest.fixture(scope="module")
def tiny_ltx(tmp_path_factory):
    from tests.helpers.tiny_video import save_tiny_models

    return save_tiny_models(tmp_path_factory.mktemp("tiny"), names=("ltx",))["ltx"]


@pytest.fixture(scope="module")
def storyboard(client) -> dict:
    text, notes = client.predict(IDEA, 15, "draft", "cinematic", "en", "", "", 7, api_name="/write_storyboard")
    assert "template" in notes
    return json.loads(text)


def test_write_storyboard_returns_a_project_with_seeded_shots(storyboard):
    shots = storyboard["storyboard"]["shots"]
    assert 2 <= len(shots) <= 10 and all(s["seed"] is not None for s in shots) and shots[0]["caption"]
    assert storyboard["preset"] == "draft" and storyboard["label"]["visible"] is True


def test_render_shot_with_a_tiny_ltx_model_folder(client, storyboard, tiny_ltx):
    shot_id = storyboard["storyboard"]["shots"][0]["id"]
    text, clip, status = client.predict(json.dumps(storyboard), shot_id, "ltx", str(tiny_ltx), 2, 32, 32, 9,
                                        api_name="/render_shot")
    shot = json.loads(text)["storyboard"]["shots"][0]
    assert shot["status"] == "rendered" and shot["render"]["backend"] == "ltx" and "generated" in status
    video = next(s for s in ffprobe(clip)["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (32, 32)
    again = client.predict(json.dumps(storyboard), shot_id, "ltx", str(tiny_ltx), 2, 32, 32, 9,
                           api_name="/render_shot")
    assert "cached" in again[2], "the same shot again comes from the shot cache"


def test_render_all_then_compose_a_draft(client, storyboard):
    text, clips, status = client.predict(json.dumps(storyboard), "still", "", 0, 0, 0, 0, api_name="/render_all")
    project = json.loads(text)
    assert all(s["status"] == "rendered" for s in project["storyboard"]["shots"])
    assert len(clips) == len(project["storyboard"]["shots"]) and "still" in status

    video, files, status = client.predict(text, True, api_name="/compose")
    info = ffprobe(video)
    stream = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (stream["width"], stream["height"]) == (540, 960) and stream["codec_name"] == "h264"
    assert 12 <= float(info["format"]["duration"]) <= 18 and "Done:" in status
    assert {f.rsplit(".", 1)[-1] for f in files} == {"mp4", "srt", "vtt", "jpg", "json"}


def test_make_short_idea_to_mp4_in_one_call(client):
    video, files, status = client.predict("一只猫开了一家小咖啡店", 15, "douyin", "vlog", "auto", "lofi_chill", False,
                                          "still", "", 0, 0, 0, 0, 3, api_name="/make_short")
    info = ffprobe(video)
    streams = {s["codec_type"]: s for s in info["streams"]}
    assert (streams["video"]["width"], streams["video"]["height"]) == (540, 960)
    assert streams["audio"]["codec_name"] == "aac"
    aigc = json.loads({k.lower(): v for k, v in info["format"]["tags"].items()}["aigc"])
    assert aigc["Label"] == "1"
    srt = next(f for f in files if f.endswith(".srt"))
    assert "猫" in Path(srt).read_text(encoding="utf-8")


def test_enhance_prompt_carries_the_bible(client, storyboard):
    out = client.predict("a cat pours coffee", json.dumps(storyboard), api_name="/enhance_prompt")
    assert "cat" in out.lower() and len(out) > len("a cat pours coffee")


@pytest.mark.parametrize(("text", "needle"), [
    ("not json", "is not valid JSON"),
    (json.dumps({"schema_version": 1, "storyboard": {"shots": [{"media": "../../etc/passwd"}]}}),
     "leaves the project folder"),
])
def test_a_bad_project_is_one_sentence(client, text, needle):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError) as raised:
        client.predict(text, True, api_name="/compose")
    assert needle in str(raised.value) and "Traceback" not in str(raised.value)


def test_mcp_flag_serves_the_endpoints_as_tools(tmp_path):
    import app
    from studio.settings import Settings

    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path)})
    demo = app.build_demo(settings)
    port = free_port()
    app.launch(demo, settings, host="127.0.0.1", port=port, mcp=True, prevent_thread_lock=True)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/gradio_api/mcp/schema", timeout=30) as response:
            tools = {tool["name"] for tool in json.loads(response.read())}
    finally:
        demo.close(verbose=False)
    assert {"write_storyboard", "render_shot", "render_all", "compose", "make_short"} <= tools
