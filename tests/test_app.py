"""The studio app: start-up, launch options, queues, and the quick "own media + captions" path
(``compose_media``) end to end with its error edge. The flow from an idea is in test_ui_api.py and the
browser tests in test_ui_browser.py.

Renders use the draft preset (540x960) and 1 s shots so the whole module stays well under a minute.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image

from tests.helpers.media import make_clip, make_image, make_tone
from tests.helpers.net import free_port

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "ui"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
HANG_GUARD_S = 120.0  # a wait that only catches a hang: generous enough for a busy shared machine
CAPTIONS = ["第一个镜头：春天来了 🌸", "Second shot, with emoji 🎬✨", "最后一个镜头 🚀"]


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("ui-media")
    fake = folder / "notes.png"
    fake.write_text("this is a text file, not a picture\n", encoding="utf-8")
    return {
        "landscape": make_image(folder / "landscape.png", (800, 600), (220, 80, 40), "gradient"),
        "portrait": make_image(folder / "portrait.jpg", (600, 900), (30, 90, 200), "checker"),
        "clip": make_clip(folder / "clip.mp4", seconds=1.0, size=(320, 240), fps=25, with_audio=True),
        "music": make_tone(folder / "music.wav", seconds=4.0, freq=440.0, rate=44100),
        "fake": fake,
    }


@pytest.fixture(scope="module")
def client(studio_app):
    from gradio_client import Client

    return Client(studio_app.url, verbose=False, download_files=str(studio_app.settings.data_dir / "downloads"))


def compose_args(files: list[Path], captions: str = "", music: Path | None = None, **overrides) -> list:
    from gradio_client import handle_file

    options = {"preset": "draft", "style": "bold_stroke", "transition": "crossfade", "fit": "cover",
               "shot_seconds": 1.0, "title": "", "visible_label": True, "library_music": "", "beat_sync": False,
               **overrides}
    voiceover = options.pop("voiceover", None)
    return [[handle_file(str(f)) for f in files], captions, handle_file(str(music)) if music else None,
            *options.values(), handle_file(str(voiceover)) if voiceover else None]


def render_folders(studio_app) -> set[Path]:
    return set(studio_app.renders.iterdir()) if studio_app.renders.exists() else set()


def ffprobe(path: str | Path) -> dict:
    cmd = ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=30)
    return json.loads(out.stdout)


# -- pure pieces --------------------------------------------------------------------------------------

def test_caption_lines_map_line_i_to_shot_i_and_keep_blank_lines_in_place():
    from actions import caption_lines

    assert caption_lines("一\n\n  three  \n\n\n") == ["一", "", "three"]
    assert caption_lines("") == [] and caption_lines(None) == []


def test_importing_app_does_not_load_the_compositor_or_torch():
    code = "import sys, app; heavy = {'torch', 'studio.compose.compositor'} & set(sys.modules); print(sorted(heavy))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_python_app_py_serves_the_studio_page_on_the_configured_port(tmp_path):
    """How fast it starts is bench/e2e.py's job (a ratio against a bare gr.Blocks app); here only that it does."""
    port = free_port()
    env = {**os.environ, "STUDIO_DATA_DIR": str(tmp_path / "data"), "STUDIO_PORT": str(port)}
    log = tmp_path / "server.log"
    with log.open("wb") as sink:
        server = subprocess.Popen([sys.executable, "app.py", "--host", "127.0.0.1"], cwd=ROOT, env=env,
                                  stdout=sink, stderr=subprocess.STDOUT)
    try:
        hang_guard = time.monotonic() + HANG_GUARD_S  # fails only when it never answers, not when it is slow
        while True:
            assert server.poll() is None, log.read_text(errors="replace")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    status, page = response.status, response.read().decode()
                break
            except OSError:
                if time.monotonic() > hang_guard:
                    pytest.fail(f"app.py never answered on port {port} (STUDIO_PORT) in {HANG_GUARD_S:g} s: "
                                + log.read_text(errors="replace")[-2000:])
                time.sleep(0.2)
        assert status == 200 and "Short studio" in page
        assert (tmp_path / "data" / "renders").is_dir()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_main_help_shows_host_and_port_defaults_from_settings(capsys):
    import app

    with pytest.raises(SystemExit) as exit_info:
        app.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert "--host" in text and "--port" in text and "--share" in text and "127.0.0.1" in text and "7860" in text
    assert "--mcp" in text


# -- the launched app ---------------------------------------------------------------------------------

def test_launch_serves_only_renders_and_projects_caps_uploads_and_splits_the_queues(studio_app):
    data = studio_app.settings.data_dir
    assert studio_app.demo.allowed_paths == [str((data / "renders").resolve()), str((data / "projects").resolve())]
    assert studio_app.demo.max_file_size == studio_app.settings.max_media_mb * 1024 * 1024
    fns = {fn.api_name: fn for fn in studio_app.demo.fns.values()}
    for name in ("compose", "compose_media"):
        assert (fns[name].concurrency_id, fns[name].concurrency_limit) == ("cpu", 1), "one render at a time"
    for name in ("write_storyboard", "render_shot", "render_all", "make_short", "enhance_prompt", "batch",
                 "render_variations", "extend_shot", "bridge_shots"):
        assert (fns[name].concurrency_id, fns[name].concurrency_limit) == ("gpu", 1), f"{name}: the GPU queue"
    assert studio_app.demo.delete_cache == (3600, 24 * 3600)


def test_compose_reports_frames_done_of_total_through_gradio_progress(tmp_path, media):
    from actions import compose_project
    from pipelines.services import Services
    from studio.project.assemble import QuickOptions, project_from_media
    from studio.project.presets import PresetName
    from studio.settings import Settings
    from ui.reporting import frames_progress
    from ui.session import Workspace

    calls: list[tuple] = []
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path)})
    project = project_from_media([media["landscape"]], ["进度 progress"],
                                 QuickOptions(preset=PresetName.DRAFT, shot_seconds=1.0), settings)
    progress = frames_progress(lambda value, **kw: calls.append((value, kw.get("unit"))))
    with Workspace(settings).render_output() as output:  # how every tab and endpoint renders
        result = compose_project(Services(settings), project, None, output, draft=True, progress=progress)
    frames = [value for value, unit in calls if unit == "frames"]
    assert frames[-1] == (30, 30), "1 s at 30 fps"
    assert [done for done, _ in frames] == sorted(done for done, _ in frames) and len(frames) > 1
    assert result.video.parent.parent == tmp_path / "renders"


def test_compose_endpoint_exports_a_postable_mp4_with_sidecars(studio_app, client, media):
    before = render_folders(studio_app)
    video, files, status = client.predict(
        *compose_args([media["landscape"], media["portrait"], media["clip"]], "\n".join(CAPTIONS), media["music"],
                      title="Hook 标题 🔥"),
        api_name="/compose_media",
    )

    info = ffprobe(video)
    streams = {s["codec_type"]: s for s in info["streams"]}
    assert (streams["video"]["width"], streams["video"]["height"]) == (540, 960)
    assert streams["video"]["codec_name"] == "h264" and streams["video"]["pix_fmt"] == "yuv420p"
    assert streams["audio"]["codec_name"] == "aac" and streams["audio"]["sample_rate"] == "48000"
    aigc = json.loads({k.lower(): v for k, v in info["format"]["tags"].items()}["aigc"])
    assert aigc["Label"] == "1" and aigc["ContentProducer"]
    assert 1.8 <= float(info["format"]["duration"]) <= 3.2  # three 1 s shots, crossfades overlap

    by_suffix = {"".join(Path(f).suffixes[-2:]) if f.endswith((".cover.jpg", ".project.json")) else Path(f).suffix: f
                 for f in files}
    assert set(by_suffix) == {".mp4", ".srt", ".vtt", ".cover.jpg", ".project.json"}
    srt = Path(by_suffix[".srt"]).read_text(encoding="utf-8")
    assert all(caption in srt for caption in CAPTIONS)
    assert Path(by_suffix[".vtt"]).read_text(encoding="utf-8").startswith("WEBVTT")
    with Image.open(by_suffix[".cover.jpg"]) as cover:
        assert (cover.format, cover.size) == ("JPEG", (540, 960))
    project = json.loads(Path(by_suffix[".project.json"]).read_text(encoding="utf-8"))
    assert project["preset"] == "draft" and len(project["storyboard"]["shots"]) == 3
    assert "s video" in status and "MB" in status

    new = render_folders(studio_app) - before
    assert len(new) == 1, "every export writes to its own new folder"
    assert (next(iter(new)) / "short.mp4").is_file()


def test_bundled_music_with_beat_sync_and_a_voiceover(studio_app, client, media):
    from studio.sound.decode import decode_audio
    from studio.sound.loudness import integrated_lufs

    video, files, status = client.predict(
        *compose_args([media["landscape"], media["portrait"]], "one\ntwo", library_music="lofi_chill",
                      beat_sync=True, shot_seconds=1.6, transition="cut", voiceover=media["music"]),
        api_name="/compose_media",
    )
    assert "Beat sync: 84 BPM" in status and "LUFS" in status
    project = json.loads(next(Path(f) for f in files if f.endswith(".project.json")).read_text(encoding="utf-8"))
    assert project["music"]["library"] == "lofi_chill" and project["music"]["beat_sync"] is True
    assert project["voiceover"]["path"]
    sound = decode_audio(Path(video), studio_app.settings)
    assert abs(integrated_lufs(sound, 48_000) + 14) <= 1.0


def test_choosing_a_bundled_track_shows_its_preview():
    from studio.sound.library import library
    from ui.finish import preview_music

    shown = preview_music("sunny_pop")
    assert shown["visible"] is True and shown["value"] == str(library()["sunny_pop"].path)
    assert preview_music("")["visible"] is False


@pytest.mark.parametrize(("files", "expected"), [
    (["fake"], "shot 1: notes.png is not a readable image"),
    ([], "add at least one image or clip"),
])
def test_bad_input_gives_the_one_sentence_studio_error_and_changes_nothing(studio_app, client, media, files,
                                                                            expected):
    from gradio_client.exceptions import AppError

    before = render_folders(studio_app)
    with pytest.raises(AppError) as raised:
        client.predict(*compose_args([media[name] for name in files], "caption"), api_name="/compose_media")
    assert str(raised.value) == expected
    assert "Traceback" not in str(raised.value)
    assert render_folders(studio_app) == before

    video, files_back, _ = client.predict(*compose_args([media["landscape"]], "still works 好"),
                                          api_name="/compose_media")
    assert ffprobe(video)["streams"][0]["width"] == 540 and len(files_back) == 5
    assert len(render_folders(studio_app) - before) == 1, "the good request after it got a folder of its own"


def test_stop_cancels_the_running_export_and_leaves_no_files(studio_app, client, media):
    from gradio_client.exceptions import AppError

    before = render_folders(studio_app)
    job = client.submit(*compose_args([media["landscape"], media["portrait"], media["clip"]], "long one",
                                      shot_seconds=4.0, transition="cut"), api_name="/compose_media")
    hang_guard = time.monotonic() + HANG_GUARD_S  # fails only when progress never comes, not when it is slow
    while not any(unit.unit == "frames" for unit in job.status().progress_data or []):
        assert not job.done(), "the render ended without ever reporting frame progress"
        assert time.monotonic() < hang_guard, f"no frame progress in {HANG_GUARD_S:g} s: the render hangs"
        time.sleep(0.05)
    client.predict(api_name="/cancel")
    with pytest.raises(AppError) as raised:
        job.result(timeout=HANG_GUARD_S)
    assert str(raised.value) == "the render was cancelled; nothing was written"
    assert render_folders(studio_app) == before
