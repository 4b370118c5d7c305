"""Crash safety: ``kill -9`` of the real server (``python app.py``) and of the CLI in the middle of shot
generation and of compositing, then a restart on the same data folder. Every shot finished before the kill is
intact and reused (not regenerated), no path a project points to holds a partial file, the scratch the killed
process left is swept, and the job completes when resumed.

The shots come from a tiny random-weight LTX pipeline folder (about 1 s a shot here), so the kill lands
with shots still to make; the kill is timed on the shot cache's own files, not on a sleep."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from studio.scratch import is_scratch, is_stale
from tests.helpers.server import AppProcess, kill_group, spawn, studio_env

IDEA = "A red fox walks through a snowy city at night"
LTX = {"steps": 20, "width": 64, "height": 64, "frames": 17}


def ffprobe(path: Path) -> dict:
    cmd = ["ffprobe", "-v", "error", "-count_frames", "-print_format", "json", "-show_format", "-show_streams",
           str(path)]
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=60).stdout)


def assert_whole_shot(path: Path) -> None:
    video = next(s for s in ffprobe(path)["streams"] if s["codec_type"] == "video")
    assert (video["width"], video["height"], int(video["nb_read_frames"])) == (64, 64, LTX["frames"]), path


def wait_for(condition: Callable[[], object], what: str, proc, timeout_s: float = 120.0,
             log: Path | None = None) -> object:
    """Poll ``condition`` until it holds; a failure quotes the end of the process's ``log``, so CI shows why."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the process exited ({proc.returncode}) before {what}{_log_tail(log)}")
        time.sleep(0.02)
    pytest.fail(f"timed out waiting for {what}{_log_tail(log)}")


def _log_tail(log: Path | None, lines: int = 25) -> str:
    if log is None or not log.exists():
        return ""
    text = log.read_text(encoding="utf-8", errors="replace").replace("\r", "\n")
    return "; the log ends:\n" + "\n".join([line for line in text.splitlines() if line.strip()][-lines:])


def cached_clips(data_dir: Path) -> dict[Path, tuple[int, int, int]]:
    """Finished shot-cache clips (final names only) -> (inode, size, mtime_ns): a regenerated clip changes."""
    out = {}
    for path in (data_dir / "shots").rglob("*.mp4"):
        if not is_scratch(path.name):
            stat = path.stat()
            out[path] = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
    return out


def scratch_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*") if is_scratch(p.name)]


def assert_no_partial_final_files(folder: Path) -> None:
    """Every non-scratch file under ``folder`` is whole: MP4s decode, JSON parses, nothing is empty."""
    for path in folder.rglob("*"):
        if not path.is_file() or any(is_scratch(part) for part in path.relative_to(folder).parts):
            continue
        assert path.stat().st_size > 0, f"{path} is empty"
        if path.suffix == ".mp4":
            ffprobe(path)
        elif path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def tiny_ltx(tmp_path_factory) -> Path:
    from tests.helpers.tiny_video import save_tiny_models

    return save_tiny_models(tmp_path_factory.mktemp("tiny"), names=("ltx",))["ltx"]


def file_path(value) -> Path:
    """A file output as gradio_client gives it without downloading: a path, or a FileData dict."""
    while isinstance(value, dict):
        value = value.get("video") or value.get("path")
    return Path(value)


def _client(app: AppProcess):
    from gradio_client import Client

    return Client(app.url, verbose=False, download_files=False)


def test_kill_9_of_the_server_during_shots_and_compose_then_resume(tmp_path, tiny_ltx):
    data = tmp_path / "data"
    log = tmp_path / "app.log"
    ltx_args = ("ltx", str(tiny_ltx), LTX["steps"], LTX["width"], LTX["height"], LTX["frames"])

    # 1. a storyboard (autosaved), then every shot generated until the first one is in the shot cache: kill -9
    app = AppProcess(data, log, STUDIO_LTX_MODEL=str(tiny_ltx)).start()
    try:
        text, _ = _client(app).predict(IDEA, 30, "draft", "cinematic", "en", "", "", 11, api_name="/write_storyboard")
        project_id = json.loads(text)["id"]
        shot_count = len(json.loads(text)["storyboard"]["shots"])
        _client(app).submit(text, *ltx_args, api_name="/render_all")
        wait_for(lambda: cached_clips(data), "the first finished shot", app.proc, log=log)
    finally:
        app.kill()
    finished = cached_clips(data)
    assert 1 <= len(finished) < shot_count, "the kill must land while shots remain (make the shots slower)"
    for clip in finished:
        assert_whole_shot(clip)
    assert_no_partial_final_files(data)

    # 2. restart on the same data folder, reopen the autosaved project, generate again: finished shots are reused
    autosaved = data / "projects" / "api" / project_id / "project.json"
    app = AppProcess(data, log, STUDIO_LTX_MODEL=str(tiny_ltx)).start()
    try:
        text, clips, status = _client(app).predict(autosaved.read_text(encoding="utf-8"), *ltx_args,
                                                   api_name="/render_all")
        generated, cached = (int(status.split(" generated, ")[0]), int(status.split(", ")[1].split(" cached")[0]))
        assert cached >= len(finished) and generated == shot_count - cached >= 1, status
        assert {p: v for p, v in cached_clips(data).items() if p in finished} == finished, "a finished shot changed"
        root = autosaved.parent
        shots = json.loads(text)["storyboard"]["shots"]
        assert len(clips) == shot_count and all(s["media"].startswith("shots/") for s in shots)
        for shot in shots:
            assert_whole_shot(root / shot["media"])
        assert not scratch_under(data / "shots"), "the restarted server swept the killed render's scratch"

        # 3. compose a draft, kill -9 while the job folder is encoding
        _client(app).submit(text, True, api_name="/compose")

        def encoding() -> list[Path]:
            return [p for p in (data / "renders").glob("*/.short.mp4.*.render/video.mp4") if p.stat().st_size]

        job = wait_for(encoding, "the compose job to be encoding", app.proc, log=log)[0].parent
    finally:
        app.kill()
    render_folder = job.parent
    assert not (render_folder / "short.mp4").exists(), "the MP4 is published only when it is whole"
    assert_no_partial_final_files(data)
    assert is_scratch(job.name) and is_stale(job), "the killed job's folder is scratch of a process that is gone"

    # 4. restart, reopen, compose again: the job completes; the server swept the stale job folder on start-up
    app = AppProcess(data, log, STUDIO_LTX_MODEL=str(tiny_ltx)).start()
    try:
        reopened = json.loads(autosaved.read_text(encoding="utf-8"))
        assert all(s["status"] == "rendered" and s["media"] for s in reopened["storyboard"]["shots"])
        video, files, status = _client(app).predict(autosaved.read_text(encoding="utf-8"), True,
                                                    api_name="/compose")
    finally:
        app.stop()
    info = ffprobe(file_path(video))
    assert 28 <= float(info["format"]["duration"]) <= 32 and "Done:" in status
    assert {file_path(f).suffix[1:] for f in files} == {"mp4", "srt", "vtt", "jpg", "json"}
    assert not job.exists(), "start-up sweeps what a killed job left behind"
    assert not render_folder.exists() or not scratch_under(render_folder)
    assert_no_partial_final_files(data)


def _cli(args: list[str], data: Path, log: Path) -> subprocess.Popen:
    return spawn([sys.executable, "-m", "studio", *args], studio_env(data), log)


def test_kill_9_of_the_cli_make_then_render_resumes(tmp_path, tiny_ltx):
    data, out_dir = tmp_path / "data", tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "fox.mp4"
    video = ["--video-backend", "ltx", "--video-model", str(tiny_ltx), "--steps", str(LTX["steps"]),
             "--video-size", f"{LTX['width']}x{LTX['height']}", "--frames", str(LTX["frames"])]
    project_file = out_dir / "fox.project.json"

    # 1. make, killed once the first shot is in the cache: the storyboard was saved before any generation
    make = _cli(["make", IDEA, "--preset", "draft", "--seconds", "30", "--backend", "template", "--seed", "5",
                 *video, "-o", str(out)], data, tmp_path / "make.log")
    try:
        wait_for(lambda: cached_clips(data), "the first finished shot", make, log=tmp_path / "make.log")
    finally:
        kill_group(make)
    finished = cached_clips(data)
    shot_count = len(json.loads(project_file.read_text(encoding="utf-8"))["storyboard"]["shots"])
    assert 1 <= len(finished) < shot_count and not out.exists()
    for clip in finished:
        assert_whole_shot(clip)
    assert_no_partial_final_files(data)
    assert_no_partial_final_files(out_dir)

    # 2. render the saved project, killed while compositing
    render_args = ["render", str(project_file), *video, "-o", str(out)]
    render = _cli(render_args, data, tmp_path / "render.log")
    try:
        job = wait_for(lambda: [p for p in out_dir.glob(".fox.mp4.*.render/video.mp4") if p.stat().st_size],
                       "the compose job to be encoding", render, timeout_s=180, log=tmp_path / "render.log")[0].parent
    finally:
        kill_group(render)
    log = (tmp_path / "render.log").read_text(encoding="utf-8", errors="replace")
    generated, cached = (int(x) for x in log.split("shots: ")[1].split(" from the cache")[0].split(" generated, "))
    assert cached >= len(finished) and generated == shot_count - cached, log
    assert {p: v for p, v in cached_clips(data).items() if p in finished} == finished
    assert not out.exists() and job.is_dir()
    assert_no_partial_final_files(out_dir)

    # 3. render again: every shot from the cache, the killed job's folder swept, the clip and sidecars whole
    done = subprocess.run([sys.executable, "-m", "studio", *render_args], cwd=Path(__file__).resolve().parents[1],
                          env=studio_env(data), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    stream = next(s for s in ffprobe(out)["streams"] if s["codec_type"] == "video")
    assert (stream["codec_name"], stream["width"], stream["height"]) == ("h264", 540, 960)
    assert not job.exists() and not [p.name for p in out_dir.iterdir() if p.name.startswith(".")]
    assert sorted(p.name for p in out_dir.iterdir() if p.is_file()) == [
        "fox.ass", "fox.cover.jpg", "fox.mp4", "fox.project.json", "fox.srt", "fox.vtt"]
    assert_no_partial_final_files(out_dir)
    assert os.path.getsize(out) > 0
