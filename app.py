"""The studio's first, thin browser UI: media and captions in, a postable vertical short out.

Everything here is wiring: the handler builds ``QuickOptions``, calls ``project_from_media`` and
``compose`` (the same functions as ``python -m studio compose``) and turns studio errors into
``gr.Error``: this module is the one place where that happens. Heavy modules (the compositor and
its imaging and audio stack) are imported on first export, so ``python app.py`` starts in seconds.
"""

from __future__ import annotations

import argparse
import html
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import gradio as gr

from studio.assemble import QuickOptions, project_from_media
from studio.errors import StudioError
from studio.media import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from studio.music_library import library
from studio.presets import PRESETS, PresetName
from studio.project import Fit, Transition
from studio.settings import Settings
from studio.styles import caption_style_presets

if TYPE_CHECKING:
    from studio.compositor import ComposeResult

OUTPUT_NAME = "short.mp4"


def renders_dir(settings: Settings) -> Path:
    """Where exports go, one fresh folder each; the only folder the UI serves files from."""
    return settings.data_dir / "renders"


def caption_lines(text: str | None) -> list[str]:
    """Line i is the caption of shot i; blank lines keep their place, trailing blank lines are dropped."""
    lines = [line.strip() for line in (text or "").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _status(result: ComposeResult, elapsed_s: float) -> str:
    size_mb = result.video.stat().st_size / 2**20
    status = (f"Done: {result.duration_ms / 1000:.1f} s video, {size_mb:.1f} MB ({result.preset}), "
              f"rendered in {elapsed_s:.1f} s")
    if result.beat_sync:
        status += f"\n{result.beat_sync[:1].upper()}{result.beat_sync[1:]}"
    if result.loudness is not None and result.loudness.input_lufs > float("-inf"):
        status += f"\nSound mastered to {result.loudness.output_lufs:.1f} LUFS"
    return status


class RenderJobs:
    """Cancel flags of running exports, one per browser or API session (a session runs one export at a time)."""

    def __init__(self) -> None:
        self._flags: dict[str, threading.Event] = {}
        self._lock = threading.Lock()

    def start(self, session: str) -> threading.Event:
        with self._lock:
            flag = self._flags[session] = threading.Event()
        return flag

    def finish(self, session: str, flag: threading.Event) -> None:
        with self._lock:
            if self._flags.get(session) is flag:
                del self._flags[session]

    def cancel(self, request: gr.Request) -> None:
        """Stop this session's running export within a frame; a no-op when none is running."""
        with self._lock:
            flag = self._flags.get(request.session_hash or "")
        if flag is not None:
            flag.set()


def make_export(settings: Settings, jobs: RenderJobs) -> Callable[..., tuple[str, list[str], str]]:
    """The export handler, bound to ``settings``; its parameters are the API's inputs, in order."""

    def export(media: list[str] | None, captions: str, music: str | None, preset: str, style: str, transition: str,
               fit: str, shot_seconds: float | None, title: str, visible_label: bool, library_music: str | None,
               beat_sync: bool, voiceover: str | None, request: gr.Request,
               progress: gr.Progress = gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008 (Gradio's idiom)
        from studio.compositor import compose

        started = time.monotonic()
        folder = renders_dir(settings) / uuid.uuid4().hex
        session = request.session_hash or uuid.uuid4().hex
        cancelled = jobs.start(session)
        progress(0, desc="Checking media")
        try:
            options = QuickOptions(
                preset=PresetName(preset), shot_seconds=float(shot_seconds) if shot_seconds else None,
                transition=Transition(transition), fit=Fit(fit), title=(title or "").strip(), caption_style=style,
                music=Path(music) if music else None, visible_label=bool(visible_label),
                music_library=None if music or not library_music else library_music, beat_sync=bool(beat_sync),
                voiceover=Path(voiceover) if voiceover else None,
            )
            project = project_from_media(media or [], caption_lines(captions), options, settings)
            result = compose(project, folder / OUTPUT_NAME, settings=settings, cancel=cancelled.is_set,
                             progress=lambda done, total: progress((done, total), desc="Rendering", unit="frames"))
        except StudioError as err:
            shutil.rmtree(folder, ignore_errors=True)
            # The modal renders HTML; file names and captions in the message are the user's own text.
            raise gr.Error(html.escape(str(err), quote=False), print_exception=False) from None
        finally:
            jobs.finish(session, cancelled)
        files = [str(p) for p in (result.video, result.srt, result.vtt, result.cover, result.project_file) if p]
        return str(result.video), files, _status(result, time.monotonic() - started)

    return export


def preview_music(track_id: str | None) -> dict:
    """Show the bundled track in the preview player, or hide the player when none is chosen."""
    if not track_id:
        return gr.update(value=None, visible=False)
    track = library().get(track_id)
    if track is None:
        raise gr.Error("That bundled track does not exist.", print_exception=False)
    return gr.update(value=str(track.path), visible=True, label=f"Preview (试听): {track.label}")


def build_demo(settings: Settings) -> gr.Blocks:
    presets = [(preset.label, preset.name.value) for preset in PRESETS.values()]
    styles = [(name.replace("_", " ").capitalize(), name) for name in caption_style_presets()]
    defaults = QuickOptions()
    music_choices = [("None (无)", "")] + [(track.label, track.id) for track in library().values()]
    with gr.Blocks(title="Short studio", delete_cache=(3600, 24 * 3600)) as demo:
        gr.Markdown("## Short studio (短视频工作室)\nImages and clips in, a captioned 9:16 short out. "
                    "Everything runs on this machine.")
        with gr.Row(equal_height=False):
            with gr.Column(scale=4, min_width=300):  # what goes in
                media = gr.File(label="Images and clips (图片和视频), in shot order: drag to reorder",
                                file_count="multiple", file_types=sorted(IMAGE_SUFFIXES | VIDEO_SUFFIXES),
                                allow_reordering=True, elem_id="media", height=180)
                captions = gr.Textbox(label="Captions (字幕)", lines=4, max_lines=12, elem_id="captions",
                                      placeholder="第一个镜头的字幕\nCaption for shot 2",
                                      info="One caption per line: line 1 goes on shot 1, line 2 on shot 2, ... "
                                           "(每行一条字幕，按镜头顺序). A blank line leaves that shot without one.")
                with gr.Row(equal_height=True):
                    library_music = gr.Dropdown(music_choices, value="", label="Bundled music (内置音乐)",
                                                elem_id="library_music", scale=3,
                                                info="Made by the studio itself (CC0); an upload replaces it.")
                    beat_sync = gr.Checkbox(value=False, label="Cut on the beat (卡点)", elem_id="beat_sync",
                                            scale=2, info="Moves each cut onto the nearest beat.")
                music_preview = gr.Audio(label="Preview (试听)", interactive=False, visible=False,
                                         elem_id="music_preview")
                with gr.Row(equal_height=True):
                    music = gr.Audio(label="Your music (上传音乐)", type="filepath", sources=["upload"],
                                     elem_id="music", min_width=150)
                    voiceover = gr.Audio(label="Voice-over (配音)", type="filepath", sources=["upload", "microphone"],
                                         elem_id="voiceover", min_width=150)
            with gr.Column(scale=3, min_width=260):  # how it looks
                preset = gr.Dropdown(presets, value=PresetName.DOUYIN.value, label="Platform (平台)", elem_id="preset")
                style = gr.Dropdown(styles, value=defaults.caption_style, label="Caption style (字幕样式)",
                                    elem_id="style")
                transition = gr.Radio([t.value for t in Transition], value=defaults.transition.value,
                                      label="Transition (转场)")
                fit = gr.Radio([f.value for f in Fit], value=defaults.fit.value, label="Fit (画面适配)",
                               info="cover: fill and crop; contain: show all over a blurred fill")
                shot_seconds = gr.Number(value=None, minimum=0, maximum=120, step=0.5,
                                         label="Shot length, s (镜头时长)",
                                         info="0 or blank: auto (3 s per image, a clip's own length)")
                title = gr.Textbox(label="Hook title (开场标题, optional)", max_length=80,
                                   placeholder="Shown large over the opening seconds")
                visible_label = gr.Checkbox(value=True, label="Show the AI label on screen (显示AI生成标识)",
                                            info="The AIGC metadata label is always written into the file.")
                with gr.Row():
                    export_button = gr.Button("Export (导出)", variant="primary", elem_id="export", scale=1,
                                              min_width=120)
                    stop_button = gr.Button("Stop (停止)", variant="stop", elem_id="stop", scale=1, min_width=120)
            with gr.Column(scale=4, min_width=320):  # what comes out
                video = gr.Video(label="Result (成片)", interactive=False, height=520, elem_id="result")
                status = gr.Textbox(label="Status (状态)", interactive=False, elem_id="status", lines=3)
                files = gr.File(label="Downloads: MP4, SRT, VTT, cover, project (下载)", file_count="multiple",
                                interactive=False, elem_id="downloads")
        jobs = RenderJobs()
        export_button.click(
            make_export(settings, jobs),
            inputs=[media, captions, music, preset, style, transition, fit, shot_seconds, title, visible_label,
                    library_music, beat_sync, voiceover],
            outputs=[video, files, status],
            api_name="compose",
            concurrency_limit=1,  # compositing fills the CPU; a second render would only slow both down
        )
        library_music.change(preview_music, inputs=library_music, outputs=music_preview, api_name=False,
                             queue=False)
        # Not queued: it must get through while this session's export holds the render slot.
        stop_button.click(jobs.cancel, api_name="cancel", queue=False)
    return demo


def launch(demo: gr.Blocks, settings: Settings, *, host: str, port: int, share: bool = False,
           prevent_thread_lock: bool = False) -> None:
    """Launch with the only extra served folder being the renders, and uploads capped at the media limit."""
    renders = renders_dir(settings)
    renders.mkdir(parents=True, exist_ok=True)
    demo.queue(max_size=20).launch(
        server_name=host, server_port=port, share=share, prevent_thread_lock=prevent_thread_lock,
        allowed_paths=[str(renders.resolve())], max_file_size=f"{settings.max_media_mb}mb",
    )


def main(argv: list[str] | None = None) -> None:
    try:
        settings = Settings.from_env()
    except StudioError as err:
        raise SystemExit(f"error: {err}") from None
    parser = argparse.ArgumentParser(description="Short vertical video studio: the browser UI.")
    parser.add_argument("--host", default=settings.host, help=f"address to listen on (default {settings.host})")
    parser.add_argument("--port", type=int, default=settings.port, help=f"port (default {settings.port})")
    parser.add_argument("--share", action="store_true", help="also open a public Gradio share link")
    args = parser.parse_args(argv)
    launch(build_demo(settings), settings, host=args.host, port=args.port, share=args.share)


if __name__ == "__main__":
    main()
