"""Editor hand-offs in every format, read back by readers we did not write where one exists (OpenTimelineIO and
its FCP7, FCPXML and CMX 3600 adapters, xmllint), else by the format's own rules: each format carries every shot,
transition, text and sound item at the frames the project puts them on, names hostile text safely, and says what
it cannot carry. Bad input (missing media, media outside the folder, a folder in use, unknown formats) is refused
with one sentence and writes nothing. The MLT export rendered by melt is tests/test_export_melt.py."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from fractions import Fraction
from pathlib import Path

import pytest

from studio.errors import MissingMediaError, ProjectError, ProjectValidationError, RenderCancelled, UnsafePathError
from studio.export.folder import export_edit
from studio.export.formats import FORMATS, EditFormat
from studio.project.files import load_project
from studio.settings import Settings
from tests.helpers import hostile
from tests.helpers.editor_media import barcode_clip, stereo_tone
from tests.helpers.media import make_image, make_tone

FPS = 30
HOSTILE = 'He said "hi" & <b>bye</b> 🐱 مرحبا שלום'
TITLE = "Title's <&> \"quoted\" 🎬"
# Worked out from the project below (draft preset, 30 fps): shot -> (first frame, end frame, source frame at
# its first frame). B crossfades in over 600 ms (18 frames); C fades through black (600 ms); D is a still, E is
# not rendered (a gap) and enters with a 300 ms crossfade.
SHOTS = {"a": (0, 45, 9), "b": (27, 72, 0), "c": (72, 117, 15), "d": (117, 147, 0), "e": (138, 168, 0)}
TOTAL = 168
CAPTIONS = [(0, 36), (36, 72), (72, 117), (117, 143), (143, 168)]  # each changes in the middle of a transition


@pytest.fixture(scope="module")
def project_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("editor-project")
    for name, colour in (("a", "red"), ("c", "blue")):
        barcode_clip(root / "media" / f"{name}.mp4", colour, frames=60)
    barcode_clip(root / "media" / "b.mp4", "green", frames=60, tone=440)
    make_image(root / "media" / "d.jpg", (800, 600), (200, 120, 40))
    stereo_tone(root / "media" / "music.wav", 110, 8)
    make_tone(root / "media" / "narration.wav", 0.8, 3000)  # mono
    stereo_tone(root / "media" / "voice.wav", 2000, 1.0)
    project = {
        "schema_version": 1, "preset": "draft", "hook_ms": 1000,
        "storyboard": {"title": TITLE, "hook": "Hook & <title>", "shots": [
            {"id": "a", "caption": HOSTILE, "duration_ms": 1500, "media": "media/a.mp4", "clip_start_ms": 300},
            {"id": "b", "caption": "Caption #2", "duration_ms": 1500, "media": "media/b.mp4",
             "transition": "crossfade", "transition_ms": 600, "clip_audio_gain_db": -6},
            {"id": "c", "caption": "第三个字幕", "duration_ms": 1500, "media": "media/c.mp4", "clip_start_ms": 500,
             "transition": "fade", "transition_ms": 600, "voiceover_audio": "media/narration.wav"},
            {"id": "d", "caption": "A still", "duration_ms": 1000, "media": "media/d.jpg"},
            {"id": "e", "caption": "Not yet", "duration_ms": 1000, "transition": "crossfade",
             "transition_ms": 300}]},
        "music": {"path": "media/music.wav", "gain_db": -12, "fade_in_ms": 500, "fade_out_ms": 500},
        "voiceover": {"path": "media/voice.wav", "start_ms": 3900, "gain_db": -3},
    }
    path = root / "project.json"
    path.write_text(json.dumps(project, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def exports(project_file: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[EditFormat, object]:
    settings = Settings.from_env()
    project, root = load_project(project_file)
    out = tmp_path_factory.mktemp("exports")
    return {fmt: export_edit(project, root, out / fmt.value, fmt, settings) for fmt in EditFormat}


def _seconds(value: str) -> Fraction:
    assert value.endswith("s"), value
    return Fraction(value[:-1])


def _frames(value: str) -> int:
    frames = _seconds(value) * FPS
    assert frames.denominator == 1, f"{value} is not on the {FPS} fps frame grid"
    return int(frames)


# -- every format ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", list(EditFormat))
def test_every_format_is_a_folder_with_its_timeline_media_subtitles_and_readme(exports, fmt):
    result = exports[fmt]
    folder = result.folder
    assert result.timeline_file.is_file() and result.frames == TOTAL and result.gaps == (5,)
    assert {"README.md", "captions.srt", "captions.vtt"} <= set(result.files)
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".")], "scratch was left behind"
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "## Open it" in readme and "## What this format cannot carry" in readme
    for line in FORMATS[fmt].cannot_carry:
        assert line in readme
    assert "shot 5 not rendered yet" in readme and "loudness mastering" in readme
    assert "Canvas 540x960 (9:16), 30 fps, 168 frames" in readme
    assert str(folder.parent) not in readme, "the README names files within the folder only"
    srt = (folder / "captions.srt").read_text(encoding="utf-8")
    assert "第三个字幕" in srt and "<b>bye</b>" in srt


def test_texts_sit_where_the_studios_mp4_draws_them(project_file):
    from studio.compose.compositor import plan_render
    from studio.export.plan import check_export, plan_edit

    settings = Settings.from_env()
    project, root = load_project(project_file)
    project = project.with_shots(project.shots[:4])  # the MP4 needs every shot rendered
    edit = plan_edit(check_export(project, settings, root), settings).edit
    overlays = plan_render(project, settings, root).overlays
    boxes = {(o.x, o.y, o.image.width, o.image.height) for o in overlays}
    assert edit.label.box in boxes and edit.title.box in boxes
    assert all(c.box in boxes for c in edit.captions)
    assert [(c.start, c.end) for c in edit.captions] == [*CAPTIONS[:3], (117, 147)]
    assert (edit.label.start, edit.label.end) == (0, 147), "the label runs the whole length"


def test_media_are_linked_tagged_converted_or_rendered_as_editors_need(exports):
    result = exports[EditFormat.MLT]
    folder = result.folder
    readme = (folder / "README.md").read_text(encoding="utf-8")
    assert "colours tagged" in readme and "a still: rendered with its camera move" in readme
    probe = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json",
                                       str(folder / "media" / "shot-01.mp4")], capture_output=True, text=True,
                                      check=True).stdout)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert video.get("color_space") == "smpte170m", "untagged clips say BT.601, as the studio decodes them"
    fitted = json.loads(subprocess.run(["ffprobe", "-v", "error", "-count_frames", "-show_streams", "-of", "json",
                                        str(folder / "media" / "shot-04.mp4")], capture_output=True, text=True,
                                       check=True).stdout)
    still = next(s for s in fitted["streams"] if s["codec_type"] == "video")
    assert (still["width"], still["height"], int(still["nb_read_frames"])) == (540, 960, 30)
    narration = json.loads(subprocess.run(["ffprobe", "-v", "error", "-show_streams", "-of", "json",
                                           str(folder / "media" / "narration-03.wav")], capture_output=True,
                                          text=True, check=True).stdout)["streams"][0]
    assert narration["channels"] == 2


# -- MLT -----------------------------------------------------------------------------------------------

def test_mlt_escapes_hostile_text_and_keeps_it_readable(exports):
    path = exports[EditFormat.MLT].timeline_file
    subprocess.run(["xmllint", "--noout", str(path)], check=True) if shutil.which("xmllint") else None
    root = ET.parse(path).getroot()
    assert root.get("title") == TITLE
    arguments = [p.text for p in root.iter("property") if p.get("name") == "argument"]
    lines = [a.replace("\n", " ") for a in arguments]  # the MP4's own line breaks
    assert HOSTILE in lines and "Caption \\#2" in lines, "dynamictext's # is escaped, the rest verbatim"
    profile = root.find("profile")
    assert (profile.get("width"), profile.get("height"), profile.get("frame_rate_num")) == ("540", "960", "30")
    names = [p.text for p in root.iter("property") if p.get("name") == "shotcut:name"]
    assert {"V1 Shots", "V2 Captions", "V3 Title", "AI label", "Music", "Narration", "Voice-over"} <= set(names)
    assert any("(not rendered yet)" in (p.text or "") for p in root.iter("property"))


# -- OpenTimelineIO --------------------------------------------------------------------------------------

def test_the_otio_bundle_round_trips_through_opentimelineio(exports, tmp_path):
    import opentimelineio as otio

    result = exports[EditFormat.OTIO]
    timeline = otio.adapters.read_from_file(str(result.timeline_file), extract_to_directory=str(tmp_path))
    again = otio.adapters.read_from_string(otio.adapters.write_to_string(timeline, "otio_json"), "otio_json")
    assert otio.adapters.write_to_string(again, "otio_json") == otio.adapters.write_to_string(timeline, "otio_json")
    assert timeline.metadata["studio"]["canvas"] == {"width": 540, "height": 960, "fps": FPS}
    assert timeline.duration().to_frames() == TOTAL
    tracks = {t.name: t for t in timeline.tracks}
    shots = tracks["Shots"]
    clips = [c for c in shots if isinstance(c, otio.schema.Clip)]
    ranges = {c.metadata["studio"]["shot_id"]: (c.range_in_parent(), c.source_range) for c in clips}
    # a crossfade is a cut in the middle of its overlap with the transition centred on it
    assert ranges["a"][0].start_time.to_frames() == 0 and ranges["a"][0].end_time_exclusive().to_frames() == 36
    assert ranges["a"][1].start_time.to_frames() == 9
    assert ranges["b"][0].start_time.to_frames() == 36 and ranges["b"][1].start_time.to_frames() == 9
    assert ranges["c"][1].start_time.to_frames() == 15
    transitions = [t for t in shots if isinstance(t, otio.schema.Transition)]
    assert [(t.in_offset.to_frames(), t.out_offset.to_frames()) for t in transitions] == [(9, 9), (4, 5)]
    gap = next(g for g in shots if isinstance(g, otio.schema.Gap) and "not rendered" in g.name)
    assert gap.range_in_parent().start_time.to_frames() == 142
    fades = {e.effect_name for c in clips for e in c.effects}
    assert {"fade_to_black", "fade_from_black"} <= fades
    texts = [c.media_reference.parameters["text"].replace("\n", " ") for c in tracks["Captions"]
             if isinstance(c, otio.schema.Clip)]
    assert HOSTILE in texts and "第三个字幕" in texts
    label = next(c for c in tracks["AI label"] if isinstance(c, otio.schema.Clip))
    assert label.range_in_parent().duration.to_frames() == TOTAL
    assert [m.name for m in timeline.tracks.markers if m.metadata.get("studio", {}).get("role") == "caption"][0] \
        == HOSTILE, "a marker per caption, the form importers keep"
    narration = next(c for c in tracks["Narration"] if isinstance(c, otio.schema.Clip))
    assert narration.range_in_parent().start_time.to_frames() == 72
    music = [c for c in tracks["Music"] if isinstance(c, otio.schema.Clip)]
    assert music[0].metadata["studio"]["gain_db"] == -12 and music[0].metadata["studio"]["duck_keyframes_db"]
    for clip in timeline.find_clips():  # every media file is inside the bundle
        if isinstance(clip.media_reference, otio.schema.ExternalReference):
            assert (tmp_path / clip.media_reference.target_url).is_file(), clip.media_reference.target_url


# -- FCPXML -------------------------------------------------------------------------------------------

# The content models of the FCPXML 1.10 elements the writer uses, as ordered groups (Apple's DTD, encoded as the
# rules we rely on; the DTD itself is Apple's and not shipped here).
ORDER = {
    "asset-clip": ["note", "conform-rate", "timeMap", "adjust-crop", "adjust-corners", "adjust-conform",
                   "adjust-transform", "adjust-blend", "adjust-volume", "adjust-panner", "anchored", "marker",
                   "audio-channel-source", "filter-video", "filter-audio", "metadata"],
    "title": ["param", "text", "text-style-def", "note", "adjust-blend", "anchored", "marker", "filter-video",
              "metadata"],
    "gap": ["note", "anchored", "marker", "metadata"],
    "transition": ["filter-video", "filter-audio", "marker", "metadata"],
    "param": ["fadeIn", "fadeOut", "keyframeAnimation", "param"],
    "sequence": ["note", "spine", "metadata"],
}
ANCHORED = {"audio", "video", "clip", "title", "caption", "mc-clip", "ref-clip", "sync-clip", "asset-clip",
            "audition", "spine"}


def _lint_order(element: ET.Element) -> list[str]:
    problems = []
    rules = ORDER.get(element.tag)
    if rules:
        ranks = [rules.index("anchored" if c.tag in ANCHORED and "anchored" in rules else c.tag)
                 for c in element if ("anchored" if c.tag in ANCHORED and "anchored" in rules else c.tag) in rules]
        if ranks != sorted(ranks) or len(ranks) != len(element):
            problems.append(f"{element.tag} {element.get('name')}: children {[c.tag for c in element]}")
    for child in element:
        problems += _lint_order(child)
    return problems


def test_fcpxml_is_a_vertical_frame_exact_document_in_the_dtds_order(exports):
    path = exports[EditFormat.FCPXML].timeline_file
    if shutil.which("xmllint"):
        subprocess.run(["xmllint", "--noout", str(path)], check=True)
    root = ET.parse(path).getroot()
    assert root.tag == "fcpxml" and root.get("version") == "1.10"
    fmt = root.find("resources/format")
    assert (fmt.get("width"), fmt.get("height"), fmt.get("frameDuration")) == ("540", "960", "1/30s")
    assert not _lint_order(root), _lint_order(root)
    for element in root.iter():  # every time on the frame grid
        for key in ("offset", "start", "duration", "time"):
            if element.get(key) is not None:
                _frames(element.get(key))
    ids = {e.get("id") for e in root.find("resources")}
    assert all(e.get("ref") in ids for e in root.iter() if e.get("ref") and e.tag != "text-style")
    spine = root.find(".//sequence/spine")
    assert _frames(root.find(".//sequence").get("duration")) == TOTAL
    cursor = 0
    items = {}
    for item in spine:
        if item.tag == "transition":
            continue
        assert _frames(item.get("offset")) == cursor, "the storyline is contiguous"
        cursor += _frames(item.get("duration"))
        items[item.get("name")] = item
    assert cursor == TOTAL
    first = next(v for k, v in items.items() if k.startswith("01"))
    assert (_frames(first.get("start")), _frames(first.get("duration")), first.get("srcEnable")) == (9, 36, "video")
    second = next(v for k, v in items.items() if k.startswith("02"))
    assert second.find("adjust-volume").get("amount") == "-6dB"
    transitions = [t for t in spine if t.tag == "transition"]
    assert [(_frames(t.get("offset")), _frames(t.get("duration"))) for t in transitions] == [(27, 18), (138, 9)]
    assert any("not rendered yet" in (g.get("name") or "") for g in spine.findall("gap"))


def _absolute(spine: ET.Element, anchored: ET.Element) -> int:
    """A connected item's timeline frame: its parent's offset plus its own offset in the parent's time."""
    for parent in spine:
        if anchored in list(parent):
            return _frames(parent.get("offset")) + _frames(anchored.get("offset")) - _frames(parent.get("start")
                                                                                            or "0s")
    raise AssertionError("not connected to the storyline")


def test_fcpxml_texts_and_sound_are_at_their_frames(exports):
    root = ET.parse(exports[EditFormat.FCPXML].timeline_file).getroot()
    spine = root.find(".//sequence/spine")
    titles = {t.get("name"): t for t in root.iter("title")}
    captions = [titles[f"Caption {n:02d}"] for n in (1, 2, 3, 4, 5)]
    assert [(_absolute(spine, t), _absolute(spine, t) + _frames(t.get("duration"))) for t in captions] == CAPTIONS
    assert "".join(captions[0].find("text").itertext()).replace("\n", " ") == HOSTILE
    label = titles["AI label"]
    assert (_absolute(spine, label), _frames(label.get("duration"))) == (0, TOTAL)
    clips = {c.get("name"): c for c in root.iter("asset-clip") if c.get("lane")}
    assert _absolute(spine, clips["Narration 03"]) == 72 and clips["Narration 03"].get("lane") == "-3"
    assert _absolute(spine, clips["Voice-over"]) == 117
    music = clips["Music"]
    volume = music.find("adjust-volume")
    assert volume.get("amount") == "-12dB" and volume.find("param/fadeIn") is not None
    assert len(volume.findall("param/keyframeAnimation/keyframe")) > 2, "the ducking as volume keyframes"


def test_fcpxml_clip_ranges_read_back_by_the_otio_fcpx_adapter(exports):
    otio = pytest.importorskip("opentimelineio")
    pytest.importorskip("otio_fcpx_xml_adapter")
    collection = otio.adapters.read_from_file(str(exports[EditFormat.FCPXML].timeline_file), adapter_name="fcpx_xml")
    timeline = next(iter(collection.find_children(descended_from_type=otio.schema.Timeline)))
    video = next(t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video)
    clips = [c for c in video if isinstance(c, otio.schema.Clip)]
    got = [(c.range_in_parent().start_time.to_frames(), c.source_range.start_time.to_frames()) for c in clips]
    assert got[:3] == [(0, 9), (36, 9), (72, 15)]


@pytest.mark.skipif(not os.environ.get("FCPXML_DTD"), reason="set FCPXML_DTD to your own copy of Apple's "
                    "FCPXML 1.10 DTD (it ships inside Final Cut Pro; it may not be redistributed)")
def test_fcpxml_is_valid_against_apples_dtd(exports):
    done = subprocess.run(["xmllint", "--noout", "--dtdvalid", os.environ["FCPXML_DTD"],
                           str(exports[EditFormat.FCPXML].timeline_file)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- FCP7 XML ------------------------------------------------------------------------------------------

def test_fcp7_xml_read_back_by_the_otio_fcp_adapter(exports):
    otio = pytest.importorskip("opentimelineio")
    pytest.importorskip("otio_fcp_adapter")
    path = exports[EditFormat.FCP7].timeline_file
    if shutil.which("xmllint"):
        subprocess.run(["xmllint", "--noout", str(path)], check=True)
    root = ET.parse(path).getroot()
    characteristics = root.find("sequence/media/video/format/samplecharacteristics")
    assert (characteristics.findtext("width"), characteristics.findtext("height")) == ("540", "960")
    timeline = otio.adapters.read_from_file(str(path), adapter_name="fcp_xml")
    video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    shots = video[0]
    ranges = [(c.name, c.range_in_parent().start_time.to_frames(), c.range_in_parent().duration.to_frames(),
               c.source_range.start_time.to_frames()) for c in shots if isinstance(c, otio.schema.Clip)]
    assert [r[1:] for r in ranges] == [(0, 36, 9), (36, 36, 9), (72, 45, 15), (117, 25, 0), (142, 26, 4)]
    assert ranges[0][0].startswith("01 He said") and "not rendered yet" in ranges[-1][0]
    transitions = [t for t in shots if isinstance(t, otio.schema.Transition)]
    assert [(t.in_offset.to_frames(), t.out_offset.to_frames()) for t in transitions] == [(9, 9), (4, 5)]
    captions = [(c.name, c.range_in_parent().start_time.to_frames(), c.range_in_parent().end_time_exclusive()
                 .to_frames()) for c in video[1] if isinstance(c, otio.schema.Clip)]
    assert [(s, e) for _, s, e in captions] == CAPTIONS
    text = root.findall("sequence/media/video/track")[1].find("generatoritem/effect/parameter/value").text
    assert text.replace("\n", " ") == HOSTILE
    audio = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio]
    starts = {c.name: c.range_in_parent().start_time.to_frames() for t in audio for c in t
              if isinstance(c, otio.schema.Clip)}
    assert starts["Narration 03"] == 72 and starts["Voice-over"] == 117 and starts["Music"] == 0
    assert starts["02 Caption #2"] == 36, "the kept clip sound follows its picture"


# -- EDL ---------------------------------------------------------------------------------------------------

def test_edl_read_back_by_the_otio_cmx3600_adapter(exports):
    otio = pytest.importorskip("opentimelineio")
    pytest.importorskip("otio_cmx3600_adapter")
    path = exports[EditFormat.EDL].timeline_file
    text = path.read_text(encoding="utf-8")
    assert text.startswith("TITLE: ") and "FCM: NON-DROP FRAME" in text
    assert "* FROM CLIP NAME: shot-01.mp4" in text and "SHOT 5 NOT RENDERED YET" in text
    timeline = otio.adapters.read_from_file(str(path), adapter_name="cmx_3600", rate=FPS)
    (track,) = timeline.tracks
    items = [(i.range_in_parent().start_time.to_frames(), i.source_range.start_time.to_frames())
             for i in track if isinstance(i, otio.schema.Clip)]
    # A plays to where B's dissolve starts; B's event starts there; B dissolves to black over its fade, C from black
    assert items[:2] == [(0, 9), (27, 0)]
    assert (72, 15) in items and (117, 0) in items
    dissolves = [t.out_offset.to_frames() for t in track if isinstance(t, otio.schema.Transition)]
    assert 18 in dissolves and 8 in dissolves and 9 in dissolves
    assert timeline.duration().to_frames() == TOTAL


# -- Jianying / CapCut ------------------------------------------------------------------------------------

def test_the_jianying_draft_has_the_projects_times_in_microseconds_and_its_texts(exports):
    result = exports[EditFormat.JIANYING]
    folder = result.folder
    draft = json.loads((folder / "draft_content.json").read_text(encoding="utf-8"))
    us = lambda frame: round(frame * 1_000_000 / FPS)  # noqa: E731
    assert draft["canvas_config"]["width"] == 540 and draft["canvas_config"]["height"] == 960 and draft["fps"] == FPS
    assert draft["duration"] == us(TOTAL) and draft["config"]["maintrack_adsorb"] is False
    tracks = {t["name"]: t for t in draft["tracks"]}
    segments = tracks["shots"]["segments"]
    got = [(s["target_timerange"]["start"], s["source_timerange"]["start"]) for s in segments]
    assert got == [(us(0), us(9)), (us(36), us(9)), (us(72), us(15)), (us(117), 0)]
    ends = [s["target_timerange"]["start"] + s["target_timerange"]["duration"] for s in segments]
    starts = [s["target_timerange"]["start"] for s in segments]
    assert all(abs(end - start) <= 1 for end, start in zip(ends[:-1], starts[1:], strict=True)), "back to back"
    videos = {m["id"]: m for m in draft["materials"]["videos"]}
    for segment in segments:
        path = videos[segment["material_id"]]["path"]
        assert path.startswith("##_draftpath_placeholder_") and (folder / path.split("_##/", 1)[1]).is_file()
    transitions = [(t["name"], t["duration"]) for t in draft["materials"]["transitions"]]
    assert transitions == [("叠化", us(18))]
    texts = [json.loads(m["content"])["text"].replace("\n", " ") for m in draft["materials"]["texts"]]
    assert HOSTILE in texts and "第三个字幕" in texts and "AI生成" in texts and "Hook & <title>" in texts
    captions = [(s["target_timerange"]["start"], s["target_timerange"]["duration"])
                for s in tracks["captions"]["segments"]]
    assert captions == [(us(s), us(e) - us(s)) for s, e in CAPTIONS]
    alpha = [k for s in segments for kf in s.get("common_keyframes", []) if kf["property_type"] == "KFTypeAlpha"
             for k in kf["keyframe_list"]]
    assert alpha, "fades through black as opacity keyframes"
    music = tracks["music"]["segments"][0]
    assert abs(music["volume"] - 10 ** (-12 / 20)) < 1e-3 and draft["materials"]["audio_fades"]
    assert tracks["narration"]["segments"][0]["target_timerange"]["start"] == us(72)


# -- bad input -------------------------------------------------------------------------------------------

def _copy_project(project_file: Path, where: Path) -> Path:
    shutil.copytree(project_file.parent, where)
    return where / "project.json"


def test_missing_media_is_named_by_its_path_in_the_project_and_nothing_is_written(project_file, tmp_path):
    copy = _copy_project(project_file, tmp_path / "p")
    (copy.parent / "media" / "b.mp4").unlink()
    project, root = load_project(copy)
    with pytest.raises(MissingMediaError, match=r"shot 2: media/b\.mp4 is missing from the project folder") as err:
        export_edit(project, root, tmp_path / "out", "mlt", Settings.from_env())
    assert str(tmp_path) not in str(err.value)
    assert not (tmp_path / "out").exists() and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_media_that_resolves_outside_the_project_folder_is_refused(project_file, tmp_path):
    copy = _copy_project(project_file, tmp_path / "p")
    outside = tmp_path / "outside.mp4"
    shutil.move(copy.parent / "media" / "a.mp4", outside)
    (copy.parent / "media" / "a.mp4").symlink_to(outside)
    project, root = load_project(copy)
    with pytest.raises(UnsafePathError, match="outside the project folder"):
        export_edit(project, root, tmp_path / "out", "mlt", Settings.from_env())
    assert not (tmp_path / "out").exists()


def test_a_folder_in_use_is_refused_unless_replaced(project_file, tmp_path):
    project, root = load_project(project_file)
    target = tmp_path / "out"
    target.mkdir()
    (target / "mine.txt").write_text("keep me")
    with pytest.raises(ProjectError, match="exists and is not empty"):
        export_edit(project, root, target, "edl", Settings.from_env())
    assert (target / "mine.txt").read_text() == "keep me"
    result = export_edit(project, root, target, "edl", Settings.from_env(), replace=True)
    assert not (target / "mine.txt").exists() and result.timeline_file.is_file()
    with pytest.raises(ProjectError, match="holds the project itself"):
        export_edit(project, root, root, "edl", Settings.from_env(), replace=True)
    with pytest.raises(ProjectError, match="holds the project itself"):
        export_edit(project, root, root.parent, "edl", Settings.from_env(), replace=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ProjectError, match="is not a folder"):
        export_edit(project, root, tmp_path / "file", "edl", Settings.from_env(), replace=True)
    with pytest.raises(ProjectValidationError, match="unknown editor format 'avid'"):
        export_edit(project, root, tmp_path / "new", "avid", Settings.from_env())


def test_a_cancelled_export_leaves_nothing(project_file, tmp_path):
    project, root = load_project(project_file)
    with pytest.raises(RenderCancelled):
        export_edit(project, root, tmp_path / "out", "mlt", Settings.from_env(), cancel=lambda: True)
    assert list(tmp_path.iterdir()) == []


def test_a_hundred_shot_project_exports_in_every_xml_format(tmp_path):
    root = tmp_path / "p"
    barcode_clip(root / "media" / "clip.mp4", "green", frames=30)
    shots = [{"id": f"s{k}", "caption": f"Shot {k} & <{k}>", "duration_ms": 600, "media": "media/clip.mp4",
              "transition": "crossfade" if k % 3 == 0 else "cut", "transition_ms": 200} for k in range(100)]
    (root / "project.json").write_text(json.dumps({"schema_version": 1, "preset": "draft",
                                                   "storyboard": {"shots": shots}}), encoding="utf-8")
    project, project_root = load_project(root / "project.json")
    for fmt in (EditFormat.MLT, EditFormat.FCPXML, EditFormat.FCP7):
        result = export_edit(project, project_root, tmp_path / fmt.value, fmt, Settings.from_env())
        media = [f for f in result.files if f.startswith("media/")]
        assert media == ["media/shot-01.mp4"], "a clip the shots share is one file"
        text = result.timeline_file.read_text(encoding="utf-8")
        assert text.count("Shot 99 &amp; &lt;99&gt;") >= 1
    root_xml = ET.parse(tmp_path / "fcpxml" / "project.fcpxml").getroot()
    assert len(root_xml.findall(".//spine/asset-clip")) == 100


# -- the command line and the zip ---------------------------------------------------------------------------

def test_the_command_writes_the_folder_and_refuses_a_used_one(project_file, tmp_path, capsys):
    from cli.main import main

    assert main(["export-edit", str(project_file), "--format", "fcp7", "-o", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert f"wrote {tmp_path / 'out' / 'project.xml'}" in out and "warning: shot(s) 5 not rendered yet" in err
    assert main(["export-edit", str(project_file), "--format", "fcp7", "-o", str(tmp_path / "out")]) == 2
    _, err = capsys.readouterr()
    assert err.startswith("error: the folder out exists and is not empty") and err.count("\n") == 1
    assert main(["export-edit", str(project_file), "-o", str(tmp_path / "out"), "--replace"]) == 0
    assert (tmp_path / "out" / "project.mlt").is_file() and not (tmp_path / "out" / "project.xml").exists()


def test_the_action_zips_the_folder_for_a_download(project_file, tmp_path):
    import actions
    from pipelines.services import Services

    project, root = load_project(project_file)
    name = actions.edit_name(project, "otio")
    result = actions.export_edit(Services(Settings.from_env()), project, root, tmp_path / name, "otio",
                                 zip_to=tmp_path / f"{name}.zip")
    with zipfile.ZipFile(result.archive) as archive:
        names = archive.namelist()
    assert f"{name}/project.otioz" in names and f"{name}/README.md" in names
    assert all(n.startswith(f"{name}/") for n in names)
    assert re.fullmatch(r"Title-s-quoted.*-otio|.+-otio", name)


def test_effects_are_baked_into_the_shots_clip_and_new_transitions_get_the_nearest_one(tmp_path):
    """A look on every shot and a speed change are rendered into the shots' clips by the compositor's own effects
    (an editor cannot redo them), and a transition a format lacks is written as its nearest, and said."""
    from studio.project.model import SCHEMA_VERSION
    from tests.helpers.editor_media import read_frames

    root = tmp_path / "p"
    barcode_clip(root / "media" / "a.mp4", "red", frames=90, tone=440)
    barcode_clip(root / "media" / "b.mp4", "green", frames=90)
    project = {"schema_version": SCHEMA_VERSION, "preset": "draft", "effects": [{"name": "Look", "look": "mono_noir"}],
               "storyboard": {"shots": [
                   {"id": "a", "duration_ms": 1000, "media": "media/a.mp4", "clip_audio_gain_db": 0,
                    "effects": [{"name": "MultiplySpeed", "factor": 2}]},
                   {"id": "b", "duration_ms": 1000, "media": "media/b.mp4", "transition": "slide_left",
                    "transition_ms": 400}]}}
    (root / "project.json").write_text(json.dumps(project), encoding="utf-8")
    loaded, project_root = load_project(root / "project.json")
    result = export_edit(loaded, project_root, tmp_path / "mlt", "mlt", Settings.from_env())
    frames = read_frames(result.folder / "media" / "shot-01.mp4", {})
    assert [f.source_frame() for f in frames[:6]] == [0, 2, 4, 6, 8, 10], "twice the speed, as the MP4 plays it"
    assert max(frames[0].patch) - min(frames[0].patch) < 10, "the mono look is in the picture"
    readme = (result.folder / "README.md").read_text(encoding="utf-8")
    assert "rendered with its effects (Look, MultiplySpeed)" in readme
    assert "shot 2 enters with slide left: written as a dissolve" in readme
    draft = export_edit(loaded, project_root, tmp_path / "jy", "jianying", Settings.from_env()).folder
    content = json.loads((draft / "draft_content.json").read_text(encoding="utf-8"))
    assert [t["name"] for t in content["materials"]["transitions"]] == ["向左"]


HOSTILE_PROJECTS = [c for c in hostile.all_cases() if c.kind == "project" and "cli" in c.surfaces]


@pytest.mark.parametrize("case", HOSTILE_PROJECTS, ids=[c.id for c in HOSTILE_PROJECTS])
def test_hostile_projects_are_refused_in_one_line_and_nothing_is_written(case, tmp_path, monkeypatch, capsys):
    """The hostile-input corpus's projects (tests/helpers/hostile.py) through ``export-edit``: the same sentence
    ``render`` answers with, exit 2 or 3, and no folder, no scratch."""
    from cli.main import main

    for name, value in {**hostile.LIMITS, "STUDIO_MAX_MEDIA_MB": "1",
                        "STUDIO_DATA_DIR": str(tmp_path / "data")}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "case"
    folder.mkdir()
    value = case.make(folder)
    if not (folder / "img.png").is_symlink():
        make_image(folder / "img.png", (64, 96))
    project = folder / "p.project.json"
    project.write_bytes(value)
    before = hostile.tree(tmp_path)
    code = main(["export-edit", str(project), "-o", str(tmp_path / "out")])
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code in (2, 3) and len(lines) == 1 and lines[0].startswith("error: "), err
    assert case.needle in lines[0] and "Traceback" not in err
    assert hostile.tree(tmp_path) == before and not (tmp_path / "out").exists()
