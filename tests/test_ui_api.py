"""The studio's named API endpoints through gradio_client against the launched app: idea -> storyboard ->
shots (the still draft backend, and a tiny random-weight LTX saved with save_pretrained) -> compose, and
make_short end to end, each MP4 judged by ffprobe; bad input is one sentence; MCP lists the tools."""

from __future__ import annotations

import json
import re
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


def test_turning_the_visible_label_off_is_said_in_the_status(client, storyboard):
    text, _, _ = client.predict(json.dumps(storyboard), "still", "", 0, 0, 0, 0, api_name="/render_all")
    project = json.loads(text)
    project["label"]["visible"] = False
    video, _, status = client.predict(json.dumps(project), True, api_name="/compose")
    assert "Warning:" in status and "label" in status
    aigc = json.loads({k.lower(): v for k, v in ffprobe(video)["format"]["tags"].items()}["aigc"])
    assert aigc["Label"] == "1"  # the metadata label stays


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


def test_make_short_needs_only_the_idea(client):
    """Every other argument defaults to what the UI defaults to: 30 s, douyin, cinematic, auto language, no
    music, the configured video backend, a fresh seed."""
    video, files, status = client.predict("一只猫在海边", api_name="/make_short")
    info = ffprobe(video)
    stream = next(s for s in info["streams"] if s["codec_type"] == "video")
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("h264", 540, 960)
    assert abs(float(info["format"]["duration"]) - 30) <= 1.0 and "Done:" in status
    # narrated by default (a voice is always here): the karaoke ASS comes with the word timings
    assert {f.rsplit(".", 1)[-1] for f in files} == {"mp4", "srt", "vtt", "ass", "jpg", "json"}


# What each endpoint cannot do without; everything else has a default.
REQUIRED = {
    "write_storyboard": ["idea"], "enhance_prompt": ["prompt"], "render_all": ["project_json"],
    "render_shot": ["project_json", "shot_id"], "render_variations": ["project_json", "shot_id"],
    "choose_variation": ["project_json", "shot_id"], "extend_shot": ["project_json", "shot_id"],
    "bridge_shots": ["project_json", "shot_id"], "compose": ["project_json"], "make_short": ["idea"],
    "compose_media": ["media"], "export_edit": ["project_json"], "batch": ["text"], "cancel": [],
    "narrate": ["project_json"], "transcribe": ["media"], "captions_from_voice": ["project_json"],
    "draw_keyframes": ["project_json"], "character_sheet": ["project_json"],
    "character_reference": ["project_json", "name", "picture"], "render_takes": ["project_json", "shot_id"],
    "retake_flagged": ["project_json"],
}


def test_every_endpoint_needs_only_what_it_cannot_do_without(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert {name.lstrip("/") for name in endpoints} == set(REQUIRED)
    for name, info in endpoints.items():
        required = [p["parameter_name"] for p in info["parameters"] if not p["parameter_has_default"]]
        assert required == REQUIRED[name.lstrip("/")], name


def test_api_defaults_are_the_uis(studio_app, client):
    """The defaults a client gets are the values the browser's widgets start with, read from the same app."""
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    widgets = {b.elem_id: getattr(b, "value", None) for b in studio_app.demo.blocks.values()
               if getattr(b, "elem_id", None)}

    def default(endpoint: str, name: str):
        return next(p["parameter_default"] for p in endpoints[endpoint]["parameters"] if p["parameter_name"] == name)

    for endpoint in ("/write_storyboard", "/make_short"):
        assert default(endpoint, "seconds") == widgets["idea_seconds"]
        assert default(endpoint, "preset") == widgets["idea_preset"]
        assert default(endpoint, "style") == widgets["idea_style"]
        assert default(endpoint, "language") == widgets["idea_language"]
    for endpoint in ("/render_all", "/render_shot", "/make_short"):
        assert default(endpoint, "video_backend") == widgets["video_backend"]
        assert default(endpoint, "steps") == widgets["video_steps"]
    assert default("/render_variations", "count") == widgets["variation_count"]
    assert default("/extend_shot", "seconds") == widgets["extend_seconds"]
    assert default("/batch", "seconds") == widgets["batch_seconds"]
    assert default("/batch", "preset") == widgets["batch_preset"]
    assert default("/make_short", "voice") == widgets["idea_voice"]


def test_errors_name_files_within_the_project_never_by_server_path(studio_app, client, storyboard):
    from gradio_client.exceptions import AppError

    project = dict(storyboard)
    shots = [dict(s) for s in project["storyboard"]["shots"]]
    shots[0].update(source="image", source_media="refs/missing.png")
    project["storyboard"] = {**project["storyboard"], "shots": shots}
    with pytest.raises(AppError) as raised:
        client.predict(json.dumps(project), shots[0]["id"], api_name="/render_shot")
    message = str(raised.value)
    assert "refs/missing.png" in message and "does not exist" in message
    assert str(studio_app.settings.data_dir) not in message and "/projects/" not in message


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
            tools = {tool["name"]: tool for tool in json.loads(response.read())}
    finally:
        demo.close(verbose=False)
    assert {"write_storyboard", "render_shot", "render_all", "compose", "make_short", "render_variations",
            "choose_variation", "extend_shot", "bridge_shots", "enhance_prompt", "compose_media"} <= tools.keys()
    # An MCP client sees the API's defaults: only what an endpoint cannot do without is required.
    for name in tools.keys() & REQUIRED.keys():
        schema = tools[name]["inputSchema"]
        assert sorted(schema.get("required", [])) == sorted(REQUIRED[name]), name
    make = tools["make_short"]["inputSchema"]["properties"]
    assert (make["seconds"]["default"], make["preset"]["default"], make["style"]["default"]) == (30, "douyin",
                                                                                                 "cinematic")


# -- variations, extend, bridge, enhance ----------------------------------------------------------------

def _shots(text: str) -> list[dict]:
    return json.loads(text)["storyboard"]["shots"]


def _frames(path) -> int:
    cmd = ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries",
           "stream=nb_read_frames", "-of", "csv=p=0", str(path)]
    return int(subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=30).stdout.strip())


def test_variations_on_the_still_backend_then_keep_the_second(client, storyboard):
    shot_id = storyboard["storyboard"]["shots"][1]["id"]
    text, clips, status = client.predict(json.dumps(storyboard), shot_id, 3, "still", "", 0, 0, 0, 0,
                                         api_name="/render_variations")
    shot = _shots(text)[1]
    generated, cached = (int(n) for n in re.findall(r"(\d+) (?:generated|cached)", status))
    assert len(clips) == 3 and len(shot["candidates"]) == 3 and generated + cached == 3 and generated >= 2
    seeds = [c["seed"] for c in shot["candidates"]]
    assert seeds == [seeds[0], seeds[0] + 1, seeds[0] + 2], "consecutive seeds from the shot's own"
    assert len({Path(c).read_bytes() for c in clips}) == 3, "three different candidates, not one copied"
    assert shot["status"] == "planned" and not shot["media"], "the shot is unchanged until one is kept"

    kept, clip = client.predict(text, shot_id, 1, api_name="/choose_variation")
    shot = _shots(kept)[1]
    assert shot["status"] == "rendered" and shot["seed"] == seeds[1]
    assert Path(clip).read_bytes() == Path(clips[1]).read_bytes(), "the second candidate is now the shot"


def test_a_variation_number_that_does_not_exist_is_one_sentence(client, storyboard):
    from gradio_client.exceptions import AppError

    shot_id = storyboard["storyboard"]["shots"][0]["id"]
    with pytest.raises(AppError, match="has 0 variations; there is no number 3"):
        client.predict(json.dumps(storyboard), shot_id, 2, api_name="/choose_variation")


def test_variations_then_extend_with_a_tiny_ltx_model_folder(client, storyboard, tiny_ltx):
    shot_id = storyboard["storyboard"]["shots"][0]["id"]
    text, clips, status = client.predict(json.dumps(storyboard), shot_id, 2, "ltx", str(tiny_ltx), 2, 32, 32, 9,
                                         api_name="/render_variations")
    candidates = _shots(text)[0]["candidates"]
    assert len(clips) == 2 and all(c["render"]["backend"] == "ltx" for c in candidates)
    assert [_frames(c) for c in clips] == [9, 9]

    kept, clip = client.predict(text, shot_id, 0, api_name="/choose_variation")
    before_ms = _shots(kept)[0]["duration_ms"]
    extended, longer, status = client.predict(kept, shot_id, 1.0, "ltx", str(tiny_ltx), 2, 0, 0, 0,
                                              api_name="/extend_shot")
    shot = _shots(extended)[0]
    assert "1 generated" in status and shot["source"] is None, "the extended clip is kept as footage"
    assert _frames(longer) > _frames(clip) >= 9, "new frames were joined after the clip's own"
    assert shot["render"]["num_frames"] == _frames(longer) and shot["duration_ms"] >= before_ms
    video = next(s for s in ffprobe(longer)["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"]) == (32, 32)


def test_extend_needs_the_ltx_backend(client, storyboard):
    from gradio_client.exceptions import AppError

    shot_id = storyboard["storyboard"]["shots"][0]["id"]
    with pytest.raises(AppError, match="extending a shot needs the LTX backend"):
        client.predict(json.dumps(storyboard), shot_id, 1.0, "still", "", 0, 0, 0, 0, api_name="/extend_shot")


def test_bridge_inserts_a_generated_shot_between_two(client, storyboard):
    from gradio_client.exceptions import AppError

    shots = storyboard["storyboard"]["shots"]
    with pytest.raises(AppError, match="shot 1 has no picture yet"):
        client.predict(json.dumps(storyboard), shots[0]["id"], "still", "", 0, 0, 0, 0, api_name="/bridge_shots")
    rendered, _, _ = client.predict(json.dumps(storyboard), "still", "", 0, 0, 0, 0, api_name="/render_all")
    text, clip, status = client.predict(rendered, shots[0]["id"], "still", "", 0, 0, 0, 0, api_name="/bridge_shots")
    after = _shots(text)
    assert len(after) == len(shots) + 1 and "1 generated" in status
    bridge = after[1]
    assert bridge["source"] == "bridge" and bridge["status"] == "rendered" and bridge["transition"] == "cut"
    assert after[2]["id"] == shots[1]["id"] and after[2]["transition"] == "cut", "cuts on both sides"
    assert Path(clip).is_file() and any(s["codec_type"] == "video" for s in ffprobe(clip)["streams"])
    with pytest.raises(AppError, match="is the last shot"):
        client.predict(text, after[-1]["id"], "still", "", 0, 0, 0, 0, api_name="/bridge_shots")


def test_enhance_prompt_with_the_template_writer_names_the_bible_characters(client, storyboard):
    project = dict(storyboard)
    project["storyboard"] = {**storyboard["storyboard"],
                             "bible": {"characters": [{"name": "Mimi", "description": "a small ginger cat"}],
                                       "look": "warm film look"}}
    plain = client.predict("Mimi pours coffee", "", api_name="/enhance_prompt")
    carried = client.predict("Mimi pours coffee", json.dumps(project), api_name="/enhance_prompt")
    assert plain.startswith("Mimi pours coffee") and len(plain) > len("Mimi pours coffee") + 20
    assert "ginger" not in plain.lower() and "warm film look" not in plain.lower()
    assert "Mimi: a small ginger cat" in carried and "warm film look" in carried, "the named character is carried"
