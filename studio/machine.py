"""What this machine can do: the doctor's report as data, so the CLI prints it, the UI's status panel shows it and
a test reads it, all from one object (``pipelines.machine.doctor`` builds it without importing torch).

A report has the hardware (GPUs, CPU cores, free disk where the studio writes and where models go) and one line per
stage: the backend that will run and why, the models found, what the missing piece would add, and the one action
that enables it. Stages this version does not have say so, instead of pretending.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.models import Stage, Tier, format_bytes, tier_for_gpu


@dataclass(frozen=True)
class Gpu:
    name: str
    memory_mb: int | None  # None: the driver did not say


@dataclass(frozen=True)
class GpuProbe:
    """What a look at the NVIDIA driver found, and how it looked (``nvidia-smi``, ``/proc/driver/nvidia``)."""

    gpus: tuple[Gpu, ...]
    source: str

    @property
    def tier(self) -> Tier:
        """The machine's tier by its largest GPU; a GPU whose memory the driver did not report counts as 24 GB."""
        if not self.gpus:
            return Tier.CPU
        known = [g.memory_mb for g in self.gpus if g.memory_mb is not None]
        return tier_for_gpu(max(known)) if known else Tier.GPU_24GB


@dataclass(frozen=True)
class Disk:
    path: Path  # the folder asked about
    free_bytes: int | None  # None: neither it nor any folder above it could be read

    def __str__(self) -> str:
        return f"{format_bytes(self.free_bytes)} free ({self.path})"


@dataclass(frozen=True)
class Hardware:
    gpu: GpuProbe
    torch: str | None  # the installed torch's version ("2.13.0+cpu"), None when the model tier is not installed
    cpu_cores: int
    cpu_usable: int  # cores this process may run on
    data_disk: Disk  # STUDIO_DATA_DIR
    models_disk: Disk  # the HF cache

    @property
    def tier(self) -> Tier:
        return self.gpu.tier

    @property
    def cuda_torch(self) -> bool:
        """torch is installed and is not a CPU-only build (PyPI's Linux wheel is the CUDA build)."""
        return self.torch is not None and "+cpu" not in self.torch

    def gpu_line(self) -> str:
        if not self.gpu.gpus:
            return "no NVIDIA GPU"
        shown = ", ".join(f"{g.name} ({g.memory_mb / 1024:.0f} GB)" if g.memory_mb else g.name
                          for g in self.gpu.gpus)
        return f"{shown} (from {self.gpu.source})"


@dataclass(frozen=True)
class StageReport:
    stage: Stage
    in_this_version: bool
    backend: str  # what runs: "template", "ltx", "still (draft)", "not in this version", ...
    why: str
    found: tuple[str, ...] = ()  # models on this machine, each "id (where, size)"
    missing: str = ""  # what the missing piece would add; "" when nothing is missing
    action: str = ""  # the one thing to do to get it; "" when there is nothing to do


@dataclass(frozen=True)
class DoctorReport:
    hardware: Hardware
    stages: tuple[StageReport, ...]
    commercial_use: bool
    elapsed_ms: float

    def stage(self, stage: Stage) -> StageReport:
        return next(s for s in self.stages if s.stage is stage)

    def summary(self) -> str:
        """One line for the Idea tab: "CPU drafts: still images; script: template; voice: your recording"."""
        video = self.stage(Stage.VIDEO)
        head = ("CPU drafts: still images" if video.backend.startswith("still")
                else f"{self.hardware.tier.label}: {video.backend} video")
        voice = self.stage(Stage.VOICE)
        return f"{head}; script: {self.stage(Stage.SCRIPT).backend}; voice: {voice.backend}"

    def lines(self) -> list[str]:
        """The report as text, the way ``python -m studio doctor`` prints it."""
        hw = self.hardware
        usable = f" ({hw.cpu_usable} usable here)" if hw.cpu_usable != hw.cpu_cores else ""
        torch = hw.torch or "not installed (the model tier: pip install \".[gpu]\")"
        out = [
            "This machine",
            f"  GPU:     {hw.gpu_line()}",
            f"  torch:   {torch}",
            f"  CPU:     {hw.cpu_cores} cores{usable}",
            f"  disk:    {hw.data_disk} for projects and renders",
            f"           {hw.models_disk} for models (HF cache)",
            f"  tier:    {hw.tier.label} (python -m studio models list shows the models for it)",
            "",
            "Stages",
        ]
        for stage in self.stages:
            out.append(f"  {stage.stage.value:<14} {stage.backend}: {stage.why}")
            for found in stage.found:
                out.append(f"  {'':<14}   found: {found}")
            if stage.missing:
                out.append(f"  {'':<14}   missing: {stage.missing}")
            if stage.action:
                out.append(f"  {'':<14}   to get it: {stage.action}")
        out += ["", f"Summary: {self.summary()}"]
        if self.commercial_use:
            out.append("Commercial use is on (STUDIO_COMMERCIAL_USE): non-commercial weights are refused.")
        return out
