"""Previews of a project while it is edited: a short clip around one moment (a transition, a speed change), made
from the same render plan and frames as an export, at the fast draft size, with its sound and the AI label."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path

from studio.compose.compositor import FrameRenderer, plan_render, render_sound
from studio.compose.encode import EncodeJob, Encoder
from studio.compose.labels import COMMENT, aigc_json, aigc_metadata
from studio.errors import ProjectValidationError
from studio.project.model import Project
from studio.project.presets import PresetName
from studio.project.timeline import first_frame, frame_time_ms
from studio.settings import Settings
from studio.sound.decode import to_samples, write_wav

PREVIEW_SECONDS = 1.6


def preview_clip(project: Project, settings: Settings, root: Path | None, output: Path, *, around_ms: int,
                 seconds: float = PREVIEW_SECONDS) -> Path:
    """An MP4 of ``seconds`` of the draft render centred on ``around_ms`` (kept inside the clip) at ``output``."""
    if output.suffix.lower() != ".mp4":
        raise ProjectValidationError(f"output {output.name!r} must end in .mp4")
    plan = plan_render(project.model_copy(update={"preset": PresetName.DRAFT}), settings, root)
    fps, total = plan.preset.fps, plan.timeline.duration_ms
    length = min(round(seconds * 1000), total)
    start = min(max(0, around_ms - length // 2), total - length)
    first, last = first_frame(start, fps), first_frame(start + length, fps)
    mix, _ = render_sound(plan, settings)
    output.parent.mkdir(parents=True, exist_ok=True)
    job_dir = Path(tempfile.mkdtemp(prefix=".preview.", dir=output.parent))
    try:
        wav = job_dir / "sound.wav"
        begin = to_samples(round(frame_time_ms(first, fps)))
        write_wav(mix[begin: begin + to_samples(round((last - first) * 1000 / fps))], wav)
        aigc = aigc_metadata(plan.project, producer=settings.content_producer, render_id=uuid.uuid4().hex[:12],
                             fingerprint="preview")
        video = job_dir / "preview.mp4"
        job = EncodeJob(video, plan.preset.width, plan.preset.height, fps, wav, plan.preset.encoder,
                        {"AIGC": aigc_json(aigc), "comment": COMMENT})
        renderer = FrameRenderer(plan, settings)
        try:
            with Encoder(settings.ffmpeg_exe(), job) as encoder:
                for n in range(first, max(last, first + 1)):
                    encoder.write(renderer.frame_at(frame_time_ms(n, fps)).tobytes())
        finally:
            renderer.close()
        shutil.move(video, output)
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)
    return output
