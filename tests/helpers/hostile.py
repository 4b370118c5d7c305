"""A corpus of hostile inputs: each case writes its file(s) into a folder (or returns a value) and says which
sentence the studio must answer with.

Kinds and where they go:

- ``shot``, ``music``, ``voiceover``: a media file; CLI ``compose`` and API ``compose_media``
- ``project``: a project file (CLI ``render``) or its JSON text (API ``compose``)
- ``look``: a colour look (.cube file); CLI ``compose --look`` and API ``compose_media`` (``look_file``)
- ``idea``: the idea text; CLI ``script`` and API ``write_storyboard``
- ``llm_url``, ``script_model``: CLI only (no endpoint takes a URL or a script model from a visitor)
- ``video_model``: CLI ``render --video-model`` and API ``render_all``
- ``bundle``: a zip; ``studio.project.bundles.import_bundle`` (the UI's Projects tab; no CLI command or API endpoint)

Every file is generated here, tiny, in the folder the test gives; nothing is checked in.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import struct
import subprocess
import warnings
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers.media import make_clip, make_image, make_tone

# The tight limits both test modules run under, so "too big" inputs stay tiny.
LIMITS = {"STUDIO_MAX_IMAGE_PIXELS": "4000000", "STUDIO_MAX_CLIP_S": "2", "STUDIO_MAX_SHOTS": "5",
          "STUDIO_MAX_TOTAL_S": "60", "STUDIO_SCRIPT_BACKEND": "template", "STUDIO_VIDEO_BACKEND": "still"}


VISITOR = "does not let visitors choose"  # the API refuses any model folder a visitor names, before looking


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    make: Callable[[Path], Any]  # writes into the folder; returns a Path, bytes/str (project JSON) or a str value
    needle: str  # part of the one sentence both edges must show
    surfaces: tuple[str, ...] = ("cli", "api")
    api_xfail: str | None = None  # a known gap in ui/ (the fix is named in the reason)
    api_needle: str | None = None  # when the API refuses earlier, for its own reason (a visitor's input)

    @property
    def id(self) -> str:
        return f"{self.kind}-{self.name}"


# ---------------------------------------------------------------------------------------------- builders

def _write(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    return make


def _ffmpeg(folder: Path, name: str, *args: str) -> Path:
    path = folder / name
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args, str(path)], check=True, capture_output=True, timeout=60)
    return path


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int, extra: bytes = b"") -> bytes:
    """A PNG that claims ``width`` x ``height``; decoding it would need width*height*3 bytes."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", ihdr) + extra
            + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + _png_chunk(b"IEND", b""))


def jpeg_header(width: int, height: int) -> bytes:
    """A real 8x8 JPEG whose frame header (SOF0) is patched to claim ``width`` x ``height``."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.find(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def gif_header(width: int, height: int) -> bytes:
    """A real 8x8 GIF whose logical screen is patched to claim ``width`` x ``height``."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("P", (8, 8)).save(buffer, "GIF")
    data = bytearray(buffer.getvalue())
    data[6:10] = struct.pack("<HH", width, height)
    return bytes(data)


def _ztxt_bomb(folder: Path) -> Path:
    bomb = zlib.compress(b"\x00" * (64 * 2**20), 9)  # 64 MB of text in ~64 KB
    path = folder / "ztxt.png"
    path.write_bytes(png_header(8, 8, _png_chunk(b"zTXt", b"Comment\x00\x00" + bomb)))
    return path


def _truncated_mp4(folder: Path) -> Path:
    clip = make_clip(folder / "whole.mp4", seconds=0.5, size=(64, 48), fps=10)
    data = clip.read_bytes()
    clip.unlink()
    return _write("truncated.mp4", data[: len(data) // 3])(folder)


def _mp4_named_png(folder: Path) -> Path:
    clip = make_clip(folder / "c.mp4", seconds=0.3, size=(64, 48), fps=10)
    return Path(shutil.move(clip, folder / "photo.png"))


def _png_named_mp4(folder: Path) -> Path:
    image = make_image(folder / "p.png", (64, 64))
    return Path(shutil.move(image, folder / "clip.mp4"))


def _fifo(folder: Path) -> Path:
    path = folder / "pipe.mp4"
    os.mkfifo(path)
    return path


def _link(name: str, target: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.symlink_to(target)
        return path

    return make


def _folder_named(name: str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        path.mkdir()
        return path

    return make


def _sparse(name: str, size: int) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        with path.open("wb") as handle:
            handle.truncate(size)
        return path

    return make


HLS = "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n"
CONCAT = "ffconcat version 1.0\nfile '/etc/passwd'\nfile 'concat:/etc/hostname|/etc/passwd'\n"
EPS = "%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n(/etc/passwd) (r) file\nshowpage\n"
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><image href="file:///etc/passwd"/></svg>'


def _wav_alaw(folder: Path) -> Path:
    return _ffmpeg(folder, "alaw.wav", "-f", "lavfi", "-i", "sine=frequency=440:duration=0.5", "-c:a", "pcm_alaw")


def media_cases() -> list[Case]:
    image_refusal = "is not a readable image"
    return [
        Case("truncated-mp4", "shot", _truncated_mp4, "truncated.mp4 is not a readable media file"),
        Case("hls-playlist-named-mp4", "shot", _write("playlist.mp4", HLS), "not an accepted media container"),
        Case("concat-list-named-mp4", "shot", _write("list.mp4", CONCAT), "not an accepted media container"),
        Case("hls-playlist-named-mkv", "shot", _write("playlist.mkv", HLS), "not an accepted media container"),
        Case("m3u8-extension", "shot", _write("live.m3u8", HLS), "unsupported file type '.m3u8'"),
        Case("text-named-png", "shot", _write("notes.png", "just text\n"), image_refusal),
        Case("svg-named-png", "shot", _write("vector.png", SVG), image_refusal),
        Case("eps-named-png", "shot", _write("ghost.png", EPS), image_refusal),
        Case("png-header-bomb", "shot", _write("bomb.png", png_header(50_000, 50_000)), "megapixels"),
        Case("jpeg-header-bomb", "shot", _write("bomb.jpg", jpeg_header(65_000, 65_000)), "megapixels"),
        Case("gif-header-bomb", "shot", _write("bomb.gif", gif_header(65_535, 65_535)), "megapixels"),
        Case("png-text-chunk-bomb", "shot", _ztxt_bomb, "ztxt.png cannot be read as an image"),
        Case("over-the-pixel-setting", "shot",
             lambda d: make_image(d / "big.png", (2600, 1600), (10, 10, 10), "solid"), "the limit is 4 megapixels"),
        Case("empty-mp4", "shot", _write("empty.mp4", b""), "empty.mp4 is empty"),
        Case("random-bytes-mp4", "shot", _write("noise.mp4", os.urandom(4096)), "noise.mp4 is not"),
        Case("mp4-named-png", "shot", _mp4_named_png, image_refusal),
        Case("png-named-mp4", "shot", _png_named_mp4, "not an accepted media container"),
        Case("rawvideo-avi-codec", "shot",
             lambda d: _ffmpeg(d, "raw.avi", "-f", "lavfi", "-i", "color=c=red:s=32x32:d=0.3", "-c:v", "rawvideo"),
             "video codec 'rawvideo' is not accepted"),
        Case("clip-over-the-seconds-setting", "shot",
             lambda d: make_clip(d / "long.mp4", seconds=3.0, size=(64, 48), fps=5),
             "the limit is 2 s (STUDIO_MAX_CLIP_S)"),
        Case("absurd-frame-rate", "shot",
             lambda d: _ffmpeg(d, "fast.mp4", "-f", "lavfi", "-i", "color=c=blue:s=32x32:r=1000:d=0.05",
                               "-c:v", "libx264", "-pix_fmt", "yuv420p"), "frames per second; the limit is 240"),
        Case("audio-as-a-shot", "shot", lambda d: make_tone(d / "tone.wav", seconds=0.5), "tone.wav is audio"),
        Case("exe-extension", "shot", _write("setup.exe", b"MZ\x90\x00"), "unsupported file type '.exe'"),
        Case("no-extension", "shot", _write("README", "hi"), "unsupported file type '(none)'"),
        Case("fifo-named-mp4", "shot", _fifo, "is not a regular file", surfaces=("cli",)),
        Case("link-to-dev-zero", "shot", _link("zero.mp4", "/dev/zero"), "unsupported file type", surfaces=("cli",)),
        Case("folder-named-mp4", "shot", _folder_named("folder.mp4"), "is not a regular file", surfaces=("cli",)),
        Case("link-to-etc-passwd", "shot", _link("passwd.jpg", "/etc/passwd"), "unsupported file type",
             surfaces=("cli",)),
        Case("non-utf8-file-name", "shot", lambda d: _write(os.fsdecode(b"\xff\xfe-bad.png"), "x")(d),
             image_refusal, surfaces=("cli",)),
        Case("over-the-size-setting", "shot", _sparse("huge.mp4", 3 * 2**20), "the limit is 1 MB",
             surfaces=("cli",)),  # the API refuses it at upload: tests/test_hostile_api.py
        Case("video-without-sound", "music",
             lambda d: make_clip(d / "silent.mp4", seconds=0.5, size=(64, 48), fps=10, with_audio=False),
             "has no audio stream"),
        Case("image-as-music", "music", lambda d: make_image(d / "cover.png", (32, 32)),
             "cover.png is an image file; expected audio"),
        Case("empty-mp3", "music", _write("empty.mp3", b""), "empty.mp3 is empty"),
        Case("alaw-codec", "music", _wav_alaw, "audio codec 'pcm_alaw' is not accepted"),
        Case("hls-named-m4a", "voiceover", _write("voice.m4a", HLS), "not an accepted media container"),
        Case("text-named-wav", "voiceover", _write("voice.wav", "RIFF? no\n"), "voice.wav is not"),
    ]


# --------------------------------------------------------------------------------------------- projects

def project_data(shots: list[dict] | None = None, **fields: Any) -> dict:
    data = {"schema_version": 1, "preset": "draft",
            "storyboard": {"shots": shots if shots is not None else [{"media": "img.png", "duration_ms": 500}]}}
    return data | fields


def _project(data: dict | str | bytes) -> Callable[[Path], bytes]:
    raw = data if isinstance(data, bytes) else (data if isinstance(data, str) else json.dumps(data)).encode()
    return lambda folder: raw


def _linked_media_project(folder: Path) -> bytes:
    (folder / "img.png").symlink_to("/etc/passwd")
    return json.dumps(project_data()).encode()


def _sparse(name: str, size: int) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        with path.open("wb") as handle:
            handle.truncate(size)
        return path

    return make


def look_cases() -> list[Case]:
    rows = "\n".join("0 0 0" for _ in range(8))
    return [
        Case("not-utf8", "look", _write("bad.cube", b"\xff\xfe\x00 junk"), "bad.cube is not a .cube look (not UTF-8 "
             "text)"),
        Case("a-script", "look", _write("run.cube", "#!/bin/sh\nrm -rf /\n"),
             "run.cube: line 2 starts with 'rm', which a .cube file does not have"),
        Case("1d-lut", "look", _write("curve.cube", "LUT_1D_SIZE 2\n0 0 0\n1 1 1\n"), "curve.cube is a 1D LUT"),
        Case("size-300", "look", _write("big.cube", "LUT_3D_SIZE 300\n"), "LUT_3D_SIZE 300 is outside 2..65"),
        Case("missing-rows", "look", _write("short.cube", "LUT_3D_SIZE 4\n" + rows), "has 8 colour rows; a 4-point "
             "LUT has 64"),
        Case("infinite-value", "look", _write("inf.cube", "LUT_3D_SIZE 2\n" + rows.replace("0 0 0", "inf 0 0", 1)),
             "inf.cube has colour values outside -0.5..1.5 (or not finite)"),
        Case("over-16-MB", "look", _sparse("huge.cube", 40 * 2**20), "a .cube look is at most 16 MB",
             surfaces=("cli",)),  # over the API's upload cap: refused at upload
    ]


def _effects(*effects: dict) -> Callable[[Path], bytes]:
    return _project(project_data([{"media": "img.png", "duration_ms": 500, "effects": list(effects)}]))


def project_cases() -> list[Case]:
    shot = {"media": "img.png", "duration_ms": 500}
    return [
        Case("not-json", "project", _project("{this is not json"), "is not valid JSON"),
        Case("json-array", "project", _project("[1, 2, 3]"), "must"),
        Case("latin1-bytes", "project", _project('{"storyboard": {"title": "caf\xe9"}}'.encode("latin-1")),
             "is not UTF-8", surfaces=("cli",)),
        Case("nested-100k-deep", "project", _project("[" * 100_000 + "]" * 100_000), "nested too deeply"),
        Case("integer-with-5000-digits", "project", _project('{"schema_version": ' + "9" * 5000 + "}"),
             "cannot be read"),
        Case("lone-surrogate", "project",
             _project('{"schema_version": 1, "storyboard": {"title": "\\udcff"}}'), "not valid Unicode"),
        Case("newer-schema", "project", _project(project_data(schema_version=99)), "newer studio"),
        Case("schema-version-string", "project", _project(project_data(schema_version="1")),
             "schema_version must be a positive integer"),
        Case("unknown-field", "project", _project(project_data(run_this="rm -rf /")), "is not a known field"),
        Case("absolute-media", "project", _project(project_data([{"media": "/etc/passwd"}])), "is absolute"),
        Case("dotdot-media", "project", _project(project_data([{"media": "../../../etc/passwd"}])),
             "leaves the project folder"),
        Case("windows-drive-media", "project", _project(project_data([{"media": "C:\\Windows\\win.ini"}])),
             "is absolute"),
        Case("nul-in-media", "project", _project(project_data([{"media": "img\x00.png"}])), "NUL character"),
        Case("music-outside", "project",
             _project(project_data(music={"path": "../../../../root/.bash_history"})), "leaves the project folder"),
        Case("symlinked-media", "project", _linked_media_project, "resolves outside the project folder",
             surfaces=("cli",)),
        Case("10000-shots", "project", _project(project_data([shot] * 10_000)), "at most 200 items"),
        Case("over-the-shots-setting", "project",
             _project(project_data([{**shot, "id": f"s{i}"} for i in range(6)])), "STUDIO_MAX_SHOTS"),
        Case("over-the-total-seconds-setting", "project",
             _project(project_data([{**shot, "id": f"s{i}", "duration_ms": 100_000} for i in range(2)])),
             "STUDIO_MAX_TOTAL_S"),
        Case("absurd-duration", "project", _project(project_data([{"duration_ms": 10**12}])),
             "less than or equal to 120000"),
        Case("negative-duration", "project", _project(project_data([{"duration_ms": -5}])),
             "greater than or equal to 300"),
        Case("nan-gain", "project", _project('{"schema_version": 1, "voiceover": {"path": "v.wav", "gain_db": NaN}}'),
             "voiceover gain db"),
        Case("caption-100k-chars", "project", _project(project_data([{"caption": "长" * 100_000}])),
             "the limit is 200"),
        Case("control-chars-in-shot-id", "project", _project(project_data([{"id": "a\x00b\u202e"}])),
             "shot 1 id"),
        Case("font-path", "project", _project(project_data(caption_style={"font": "../../etc/passwd"})),
             "caption style font"),
        Case("music-library-traversal", "project", _project(project_data(music={"library": "../../x"})),
             "music library"),
        Case("project-id-traversal", "project", _project(project_data(id="../../../../tmp/evil")),
             "id"),
        Case("over-5-MB", "project", _project(b'{"x": "' + b"a" * (5 * 2**20 + 10) + b'"}'),
             "project files are at most", surfaces=("cli",)),
        Case("unknown-effect", "project", _effects({"name": "Blur", "radius": 3}), "unknown effect 'Blur'"),
        Case("speed-1000", "project", _effects({"name": "MultiplySpeed", "factor": 1000}),
             "MultiplySpeed factor must be between 0.1 and 10, not 1000"),
        Case("speed-0", "project", _effects({"name": "MultiplySpeed", "factor": 0}),
             "MultiplySpeed factor must be between 0.1 and 10, not 0"),
        Case("effect-parameter-of-the-wrong-type", "project", _effects({"name": "GammaCorrection", "gamma": "bright"}),
             "GammaCorrection gamma must be a number, not 'bright'"),
        Case("effect-longer-than-its-shot", "project", _effects({"name": "FadeIn", "duration": 60}),
             "FadeIn lasts 60 s, longer than the shot (0.5 s)"),
        Case("escape-hatch-needing-a-second-clip", "project", _effects({"name": "MasksAnd", "other_clip": 1}),
             "MasksAnd needs a second clip"),
        Case("17-effects", "project", _effects(*[{"name": "MirrorX"}] * 17), "17 effects; at most 16"),
        Case("transition-longer-than-its-shots", "project",
             _project(project_data([shot, {**shot, "id": "s2", "transition": "whip_left", "transition_ms": 2000}],
                                   schema_version=2)),  # a version 1 file gets it capped, as version 1 did
             "its 2 s whip_left transition is longer than shot 1 (0.5 s)"),
        Case("look-outside-the-folder", "project",
             _project(project_data(effects=[{"name": "Look", "file": "../../../etc/grade.cube"}])),
             "leaves the project folder"),
    ]


# ------------------------------------------------------------------------------- ideas, models and URLs

def _value(text: str) -> Callable[[Path], str]:
    return lambda folder: text


def _model_folder(folder: Path) -> str:
    model = folder / "tiny-model"
    model.mkdir()
    (model / "model_index.json").write_text('{"_class_name": "LTXPipeline"}', encoding="utf-8")
    return str(model)


def reference_cases() -> list[Case]:
    return [
        Case("control-characters-only", "idea", _value("\x00\x01\u202e\x7f"), "the idea is empty"),
        Case("3000-characters", "idea", _value("想" * 3000), "keep it under 2000"),
        Case("file-url", "llm_url", _value("file:///etc/passwd"), "is not an http(s) URL", surfaces=("cli",)),
        Case("gopher", "llm_url", _value("gopher://127.0.0.1:6379/_FLUSHALL"), "is not an http(s) URL",
             surfaces=("cli",)),
        Case("cloud-metadata", "llm_url", _value("http://169.254.169.254/latest/v1"), "link-local address",
             surfaces=("cli",)),
        Case("private-lan", "llm_url", _value("http://10.0.0.5:8000/v1"), "private address", surfaces=("cli",)),
        Case("hex-metadata", "llm_url", _value("http://0xa9.0xfe.0xa9.0xfe/v1"), "link-local address",
             surfaces=("cli",)),
        Case("v4-mapped-v6", "llm_url", _value("http://[::ffff:169.254.169.254]/v1"), "link-local address",
             surfaces=("cli",)),
        Case("unspecified", "llm_url", _value("http://0.0.0.0:11434/v1"), "reserved address", surfaces=("cli",)),
        Case("credentials", "llm_url", _value("http://user:secret@127.0.0.1:1/v1"), "not in the URL",
             surfaces=("cli",)),
        Case("file-url", "script_model", _value("file:///etc/passwd"), "is a URL", surfaces=("cli",)),
        Case("etc-folder", "script_model", _value("/etc"), "is not a saved model", surfaces=("cli",)),
        Case("a-file", "script_model", _value("/etc/hostname"), "is a file", surfaces=("cli",)),
        Case("file-url", "video_model", _value("file:///etc/passwd"), "is a URL"),
        Case("metadata-url", "video_model", _value("http://169.254.169.254/latest/meta-data"), "is a URL"),
        Case("etc-folder", "video_model", _value("/etc"), "is not a saved model",
             api_needle=VISITOR),
        Case("root-folder", "video_model", _value("/"), "is not a saved model",
             api_needle=VISITOR),
        Case("traversal", "video_model", _value("../../../../../../etc"), "is not a saved model",
             api_needle=VISITOR),
        Case("control-characters", "video_model", _value("owner/na\x1bme"), "contains control characters"),
        Case("a-model-folder-from-a-visitor", "video_model", _model_folder, "does not let visitors choose",
             surfaces=("api",)),
    ]


# ---------------------------------------------------------------------------------------------- bundles

GOOD_PROJECT = json.dumps({"schema_version": 1}).encode()


def _zip(name: str, entries: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = folder / name
        with zipfile.ZipFile(path, "w") as archive, warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # the duplicate-name case is on purpose
            for info, data in entries:
                archive.writestr(info, data)
        return path

    return make


def _info(name: str, mode: int = 0, compress_type: int = zipfile.ZIP_STORED) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.compress_type = compress_type
    if mode:
        info.external_attr = mode << 16
    return info


def _patched(name: str, entries: list[tuple[str, bytes]], patch: Callable[[bytes], bytes]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = _zip(name, entries)(folder)
        path.write_bytes(patch(path.read_bytes()))
        return path

    return make


def _encrypted_flag(data: bytes) -> bytes:
    # set bit 0 (encrypted) of the general purpose flags in every local and central header
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset] |= 1
            start += 4
    return bytes(data)


def _method_99(data: bytes) -> bytes:
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset:start + offset + 2] = struct.pack("<H", 99)
            start += 4
    return bytes(data)


def bundle_cases() -> list[Case]:
    good = ("project.json", GOOD_PROJECT)
    dom = ("domain",)
    return [
        Case("zip-slip", "bundle", _zip("slip.zip", [good, ("../../evil.sh", b"x")]), "leaves the project folder",
             dom),
        Case("absolute-entry", "bundle", _zip("abs.zip", [good, ("/etc/cron.d/evil", b"x")]), "absolute", dom),
        Case("drive-entry", "bundle", _zip("drive.zip", [good, ("C:/evil", b"x")]), "absolute or Windows", dom),
        Case("backslash-entry", "bundle", _zip("bs.zip", [good, ("a\\..\\..\\evil", b"x")]), "Windows", dom),
        Case("symlink-entry", "bundle", _zip("link.zip", [good, (_info("media/x.png", stat.S_IFLNK | 0o777),
                                                                 b"/etc/passwd")]), "is a link", dom),
        Case("fifo-entry", "bundle", _zip("fifo.zip", [good, (_info("media/p", stat.S_IFIFO | 0o644), b"")]),
             "special file", dom),
        Case("5001-entries", "bundle", _zip("many.zip", [good] + [(f"m/{i}", b"") for i in range(5001)]),
             "a bundle holds at most 5000", dom),
        Case("unpacked-size-bomb", "bundle",
             _zip("bomb.zip", [good, (_info("media/zeros.bin", compress_type=zipfile.ZIP_DEFLATED),
                                      b"\0" * (3 * 2**20))]), "unpacks to", dom),
        Case("duplicate-names", "bundle", _zip("dup.zip", [good, good]), "the same file twice", dom),
        Case("no-project-json", "bundle", _zip("none.zip", [("notes.txt", b"hi")]), "no project.json", dom),
        Case("html-named-zip", "bundle", _write("page.zip", "<html>not a zip</html>"), "is not a zip file", dom),
        Case("truncated-zip", "bundle",
             lambda d: _write("cut.zip", _zip("full.zip", [good, ("media/a.bin", os.urandom(2000))])(d)
                              .read_bytes()[:-30])(d), "is not a zip file", dom),
        Case("encrypted-entry", "bundle", _patched("enc.zip", [good], _encrypted_flag), "cannot be unpacked", dom),
        Case("unknown-compression", "bundle", _patched("m99.zip", [good], _method_99), "cannot be unpacked", dom),
        Case("300-character-name", "bundle", _zip("long.zip", [good, ("m/" + "a" * 300, b"x")]),
             "cannot be unpacked here", dom),
        Case("project-points-outside", "bundle",
             _zip("out.zip", [("project.json", json.dumps(project_data([{"media": "../../etc/passwd"}])).encode())]),
             "leaves the project folder", dom),
        Case("deeply-nested-project", "bundle", _zip("deep.zip", [("project.json", b"[" * 100_000)]),
             "nested too deeply", dom),
    ]


def all_cases() -> list[Case]:
    return media_cases() + project_cases() + look_cases() + reference_cases() + bundle_cases()


def tree(folder: Path) -> dict[str, tuple[int, int]]:
    """Every path under ``folder`` with its size and mtime: a snapshot to prove a refusal wrote nothing."""
    if not folder.exists():
        return {}
    snapshot = {}
    for path in sorted(folder.rglob("*")):
        try:
            info = path.lstat()
        except OSError:
            continue
        # a folder's mtime moves when a temp entry comes and goes; what counts is what is left, and files' content
        facts = (0, 0) if path.is_dir() and not path.is_symlink() else (info.st_size, info.st_mtime_ns)
        snapshot[path.relative_to(folder).as_posix()] = facts
    return snapshot
