"""The CLI edge: real renders succeed; every kind of bad input gets one line, a non-zero exit, and no files."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from cli.main import main
from studio.project.model import SCHEMA_VERSION
from tests.helpers.media import make_clip, make_image, make_tone

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def media(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli-media")
    clip = make_clip(d / "clip.mp4", seconds=1.0, size=(320, 240), fps=25)
    truncated = d / "truncated.mp4"
    truncated.write_bytes(clip.read_bytes()[: len(clip.read_bytes()) // 3])
    (d / "text.png").write_text("this is not an image", encoding="utf-8")
    (d / "notes.txt").write_text("hello", encoding="utf-8")
    (d / "empty.mp3").write_bytes(b"")
    playlist = d / "playlist.mp4"  # an HLS playlist wearing an .mp4 name
    playlist.write_text("#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n")
    return {
        "img": make_image(d / "img.jpg", (640, 480), (30, 90, 200), "gradient"),
        "clip": clip,
        "truncated": truncated,
        "text_png": d / "text.png",
        "txt": d / "notes.txt",
        "empty_mp3": d / "empty.mp3",
        "silent_wav": make_tone(d / "silent.wav", seconds=0.0),
        "bomb": _png_header_only(d / "bomb.png", 50_000, 50_000),
        "playlist": playlist,
        "tone": make_tone(d / "tone.wav", seconds=1.5),
    }


def _png_header_only(path: Path, width: int, height: int) -> Path:
    """A tiny file that claims to be a 50000x50000 PNG: decoding it would need 7.5 GB."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
                     + chunk(b"IEND", b""))
    return path


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _assert_refused(capsys, out_dir: Path, needle: str, *argv: str) -> str:
    out_dir.mkdir(exist_ok=True)
    code, _, err = _run(capsys, *argv, "-o", str(out_dir / "out.mp4"))
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert needle in lines[0], lines[0]
    assert list(out_dir.iterdir()) == [], "a refused render must leave nothing behind"
    return lines[0]


@pytest.mark.parametrize("key, needle", [
    ("text_png", "shot 1: text.png is not a readable image"),
    ("txt", "shot 1: notes.txt: unsupported file type '.txt'"),
    ("truncated", "shot 1: truncated.mp4 is not a readable media file"),
    ("bomb", "shot 1: bomb.png has 2500 megapixels; the limit is 40 megapixels"),
    ("playlist", "shot 1: playlist.mp4"),
])
def test_bad_shot_media_is_refused_naming_it(capsys, tmp_path, media, key, needle):
    _assert_refused(capsys, tmp_path / "out", needle, "compose", "--preset", "draft", "--shot", str(media[key]))


def test_missing_media_is_named(capsys, tmp_path, media):
    _assert_refused(capsys, tmp_path / "out", "shot 2:", "compose", "--shot", str(media["img"]),
                    "--shot", str(tmp_path / "gone.jpg"))


@pytest.mark.parametrize("key, needle", [("empty_mp3", "empty.mp3 is empty"),
                                         ("silent_wav", "silent.wav has no playable audio")])
def test_unusable_music_is_refused(capsys, tmp_path, media, key, needle):
    _assert_refused(capsys, tmp_path / "out", f"music: {needle}", "compose", "--shot", str(media["img"]),
                    "--music", str(media[key]))


def test_huge_caption_is_refused_naming_the_shot(capsys, tmp_path, media):
    _assert_refused(capsys, tmp_path / "out", "shot 1 caption: is 5000 characters long; the limit is 200",
                    "compose", "--shot", str(media["img"]), "--caption", "长" * 5000)


def test_more_captions_than_shots_is_refused(capsys, tmp_path, media):
    _assert_refused(capsys, tmp_path / "out", "2 captions for 1 shots", "compose", "--shot", str(media["img"]),
                    "--caption", "a", "--caption", "b")


def test_output_must_be_an_mp4(capsys, tmp_path, media):
    code, _, err = _run(capsys, "compose", "--shot", str(media["img"]), "-o", str(tmp_path / "out.avi"))
    assert code == 2 and "must end in .mp4" in err and not (tmp_path / "out.avi").exists()


def _project_file(path: Path, **fields) -> Path:
    data = {"schema_version": SCHEMA_VERSION, "preset": "draft",
            "storyboard": {"shots": [{"media": "img.jpg", "duration_ms": 500}]}} | fields
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_render_refuses_a_newer_project(capsys, tmp_path, media):
    (tmp_path / "img.jpg").write_bytes(media["img"].read_bytes())
    project = _project_file(tmp_path / "p.json", schema_version=SCHEMA_VERSION + 1)
    _assert_refused(capsys, tmp_path / "out", "newer studio", "render", str(project))


def test_render_refuses_paths_that_escape(capsys, tmp_path, media):
    project = _project_file(tmp_path / "p.json", storyboard={"shots": [{"media": "../../etc/passwd"}]})
    _assert_refused(capsys, tmp_path / "out", "shot 1 media: '../../etc/passwd' leaves the project folder",
                    "render", str(project))


def test_compose_then_render_its_project_file(capsys, tmp_path, media):
    out = tmp_path / "first" / "clip.mp4"
    code, stdout, err = _run(capsys, "compose", "--preset", "draft", "--shot", str(media["img"]), "--caption",
                             "第一条 ✨", "--shot", str(media["clip"]), "--caption", "second", "--shot-seconds",
                             "0.8", "--transition", "fade", "--title", "Hook!", "--music", str(media["tone"]),
                             "-o", str(out))
    assert code == 0, err
    assert f"wrote {out}" in stdout
    for suffix in (".srt", ".vtt", ".cover.jpg", ".project.json"):
        assert out.with_name("clip" + suffix).exists()
    again = tmp_path / "second.mp4"
    code, stdout, err = _run(capsys, "render", str(out.with_name("clip.project.json")), "-o", str(again))
    assert code == 0 and again.stat().st_size > 1000, err


def test_python_dash_m_studio_reports_errors_in_one_line(tmp_path):
    result = subprocess.run([sys.executable, "-m", "studio", "compose", "--shot", str(tmp_path / "nope.png"),
                             "-o", str(tmp_path / "x.mp4")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "Traceback" not in result.stderr
    assert "nope.png does not exist" in result.stderr


def test_argument_mistakes_are_one_line_too(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["compose", "--shot", "x.png", "--preset", "myspace", "-o", "x.mp4"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.count("\n") == 1 and "invalid choice: 'myspace'" in err
