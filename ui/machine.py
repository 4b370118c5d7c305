"""The This machine tab: what the studio can do here (the doctor's report, stage by stage, with what a missing piece
would add and the one action that gets it) and the Models panel (the recommended models per tier with download size,
licence and state here; download with a progress bar and Stop, resume, remove), plus the one line the Idea tab shows.
The same actions as ``python -m studio doctor`` and ``python -m studio models``.

Who may download or remove models through the page is ``STUDIO_MODELS_PANEL``: ``auto`` lets the page manage
them only where the studio serves this machine alone (a loopback host, no share link, not a Space). A page that may
only look sees the report without the server's folders; the handlers check again, whatever the page shows.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Any

import gradio as gr

import actions
from actions.machine import ModelsListing
from pipelines.models import DownloadProgress, ModelState
from studio.errors import DownloadCancelled, StudioError
from studio.machine import DoctorReport, StageReport
from studio.models import Commercial, Stage, Tier, format_bytes
from studio.settings import Settings, in_hugging_face_space
from ui.context import Studio
from ui.i18n import EN, say, t, words_for
from ui.sentences import translate
from ui.session import Eta, as_gr_error, without_server_paths


def may_manage_models(settings: Settings, *, share: bool = False, space: bool | None = None) -> bool:
    """Whether the page may download and remove models (``STUDIO_MODELS_PANEL``; ``auto``: only when the studio
    serves this machine alone)."""
    if settings.models_panel != "auto":
        return settings.models_panel == "manage"
    space = in_hugging_face_space() if space is None else space
    return _loopback(settings.host) and not share and not space


def _loopback(host: str) -> bool:
    if host in ("localhost", "") or host.startswith("localhost."):
        return host != ""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


# -- the words ----------------------------------------------------------------------------------------------


def _slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", value.lower()).strip("_")


def backend_name(backend: str, words: dict[str, str]) -> str:
    """A stage's backend in the browser's language ("still (draft)" -> 静图草稿); one the table lacks as it is."""
    key = f"machine.backend.{_slug(backend)}"
    return say(words, key) if key in EN else backend


def stage_name(stage: Stage, words: dict[str, str]) -> str:
    return say(words, f"machine.stage.{_slug(stage.value)}")


def tier_name(tier: Tier, words: dict[str, str]) -> str:
    return say(words, f"machine.tier.{tier.value}")


def summary_line(report: DoctorReport, words: dict[str, str]) -> str:
    """The Idea tab's line: "CPU drafts: still images · script: template · voice: your recording"."""
    video = report.stage(Stage.VIDEO)
    if video.backend.startswith("still"):
        head = say(words, "machine.summary_still")
    else:
        head = say(words, "machine.summary_video", tier=tier_name(report.hardware.tier, words),
                   backend=backend_name(video.backend, words))
    return say(words, "machine.summary", head=head, script=backend_name(report.stage(Stage.SCRIPT).backend, words),
               voice=backend_name(report.stage(Stage.VOICE).backend, words))


class _Shown:
    """Texts of the report as the page shows them: in the browser's language, and without the server's folders
    where the page may only look."""

    def __init__(self, words: dict[str, str], manage: bool):
        self.words, self.manage = words, manage

    def __call__(self, text: str) -> str:
        text = translate(text, self.words)
        text = text if self.manage else without_server_paths(text)
        return _cell(text)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell or list item: no pipes, no line breaks, no stray markup."""
    return re.sub(r"([|*_`<>\[\]\\])", r"\\\1", text.replace("\n", " "))


def _code(text: str) -> str:
    """Commands as code (``python -m studio models download X``), the rest as text."""
    return re.sub(r"((?:python -m studio|pip install) [^;,，；。]*[^;,，；。\s.])", r"`\1`", text)


def hardware_markdown(report: DoctorReport, words: dict[str, str], manage: bool) -> str:
    hw = report.hardware
    shown = _Shown(words, manage)
    if hw.gpu.gpus:
        gpu = ", ".join(f"{g.name} ({g.memory_mb / 1024:.0f} GB)" if g.memory_mb else g.name for g in hw.gpu.gpus)
    else:
        gpu = say(words, "machine.no_gpu")
    cores = say(words, "machine.cores", cores=hw.cpu_cores)
    if hw.cpu_usable != hw.cpu_cores:
        cores += " " + say(words, "machine.cores_usable", usable=hw.cpu_usable)

    def disk(d) -> str:
        free = say(words, "machine.free", size=_size(format_bytes(d.free_bytes), words))
        return f"{free} ({shown(str(d.path))})" if manage else free

    rows = [
        (say(words, "machine.gpu"), _cell(gpu)),
        ("torch", _cell(hw.torch) if hw.torch else say(words, "machine.no_torch")),
        (say(words, "machine.cpu"), cores),
        (say(words, "machine.disk_data"), disk(hw.data_disk)),
        (say(words, "machine.disk_models"), disk(hw.models_disk)),
        (say(words, "machine.tier"), tier_name(hw.tier, words)),
    ]
    lines = [f"### {say(words, 'machine.hardware')}", "",
             f"| {say(words, 'machine.col.part')} | {say(words, 'machine.col.here')} |", "|---|---|"]
    lines += [f"| {name} | {value} |" for name, value in rows]
    if report.commercial_use:
        lines += ["", say(words, "machine.commercial_on")]
    return "\n".join(lines)


def stages_markdown(report: DoctorReport, words: dict[str, str], manage: bool) -> str:
    shown = _Shown(words, manage)
    lines = [f"### {say(words, 'machine.stages')}", ""]
    for stage in report.stages:
        lines.append(_stage_item(stage, words, shown))
    return "\n".join(lines)


def _stage_item(stage: StageReport, words: dict[str, str], shown: Callable[[str], str]) -> str:
    mark = "✅" if stage.in_this_version and not stage.missing else ("➕" if stage.in_this_version else "🕓")
    colon = words["common.colon"]
    head = (f"- {mark} **{stage_name(stage.stage, words)}** · {_cell(backend_name(stage.backend, words))}{colon}"
            f"{_code(shown(stage.why))}")
    parts = [head]
    for found in stage.found:
        parts.append(f"  - {say(words, 'machine.found')}{colon}{shown(found)}")
    if stage.missing:
        parts.append(f"  - {say(words, 'machine.missing')}{colon}{shown(stage.missing)}")
    if stage.action:
        parts.append(f"  - {say(words, 'machine.action')}{colon}{_code(shown(stage.action))}")
    return "\n".join(parts)


def _size(text: str, words: dict[str, str]) -> str:
    return say(words, "machine.unknown") if text == "unknown" else text


def models_markdown(listing: ModelsListing, words: dict[str, str], manage: bool) -> str:
    shown = _Shown(words, manage)
    free = _size(format_bytes(listing.free_bytes), words)
    where = say(words, "models.where", tier=tier_name(listing.tier, words), free=free)
    if manage:
        where += f" ({shown(str(listing.cache_dir))})"
    lines = [f"### {say(words, 'models.title')}", "", where, "",
             "| " + " | ".join(say(words, f"models.col.{c}") for c in ("model", "for", "size", "licence", "here",
                                                                        "adds")) + " |",
             "|---|---|---|---|---|---|"]
    for row in listing.rows:
        model = row.model
        machine = tier_name(model.tier, words)
        if not row.fits:
            machine += words["common.space"] + say(words, "models.more_than_here")
        licence = _cell(model.licence)
        if model.commercial is Commercial.NO:
            licence += " · **" + say(words, "models.non_commercial") + "**"
        elif model.commercial is Commercial.CONDITIONS:
            licence += " · " + say(words, "models.conditions")
        if row.refused:
            licence += " · " + say(words, "models.refused")
        here = say(words, f"models.state.{_slug(row.cached.state.value)}")
        if row.cached.state is not ModelState.ABSENT:
            here += words["common.space"] + say(words, "common.paren", text=format_bytes(row.cached.bytes_on_disk))
        adds = shown(model.adds).replace("\\`", "`")  # our own words: `wan` is code
        if not row.in_this_version:
            adds += words["common.space"] + say(words, "models.not_in_version", stage=stage_name(model.stage, words))
        lines.append(f"| `{model.id}` | {stage_name(model.stage, words)} · {machine} | "
                     f"{_size(str(model.download), words)} | {licence} | {here} | {adds} |")
    if listing.others:
        lines += ["", f"**{say(words, 'models.others')}**", ""]
        for other in listing.others:
            state = say(words, f"models.state.{_slug(other.state.value)}")
            lines.append(f"- `{other.id}`: {state}, {format_bytes(other.bytes_on_disk)}")
    lines += ["", say(words, "models.sizes_note")]
    return "\n".join(lines)


def model_choices(listing: ModelsListing) -> tuple[list[str], str | None]:
    """Every recommended and cached model id, and the one to offer first: the first recommended model that fits
    this machine and is not here yet (else the first)."""
    ids = [row.model.id for row in listing.rows] + [other.id for other in listing.others]
    first = next((row.model.id for row in listing.rows
                  if row.fits and row.in_this_version and row.cached.state is not ModelState.INSTALLED
                  and not row.refused), ids[0] if ids else None)
    return ids, first


def download_progress(progress: Any, words: dict[str, str]) -> Callable[[DownloadProgress], None] | None:
    """A download as "1.2 GB / 3.1 GB · file 3/12 · ~40 s left" in the Gradio progress bar."""
    if progress is None:
        return None
    eta = Eta()

    def report(event: DownloadProgress) -> None:
        total = max(event.total_bytes, 1)
        desc = say(words, "models.progress", done=format_bytes(event.done_bytes),
                   total=format_bytes(event.total_bytes), file=event.files_done + 1 if event.files_done <
                   event.files_total else event.files_total, files=event.files_total)
        progress(min(event.done_bytes / total, 1.0), desc=desc + eta.left(event.done_bytes, total))

    return report


MACHINE_TAB = "machine"  # the tab's id in app.py


# -- the tab --------------------------------------------------------------------------------------------------


def build_machine_tab(studio: Studio) -> None:
    services, manage = studio.services, studio.manage_models
    hardware = gr.Markdown(elem_id="machine_hardware")
    stages = gr.Markdown(elem_id="machine_stages")
    check = gr.Button(t("machine.check"), size="sm", elem_id="machine_check")
    models = gr.Markdown(elem_id="models_table")
    with gr.Row(visible=manage, equal_height=True):
        pick = gr.Dropdown([], value=None, allow_custom_value=True, label=t("models.pick"), elem_id="models_pick",
                           info=t("models.pick_info"), scale=3)
        download = gr.Button(t("models.download"), variant="primary", elem_id="models_download", scale=1)
        stop = gr.Button(t("common.stop"), variant="stop", elem_id="models_stop", scale=1)
        remove = gr.Button(t("models.remove"), elem_id="models_remove", scale=1)
    if not manage:
        gr.Markdown(t("models.view_only"), elem_id="models_view_only")
    status = gr.Textbox(label=t("common.status"), interactive=False, lines=2, elem_id="models_status",
                        visible=manage)

    def views(words: dict[str, str]) -> list[Any]:
        report = actions.doctor(services)
        listing = actions.list_models(services)
        ids, first = model_choices(listing)
        return [hardware_markdown(report, words, manage), stages_markdown(report, words, manage),
                models_markdown(listing, words, manage), gr.update(choices=ids, value=first)]

    def look(request: gr.Request):
        return views(words_for(request))

    panel = [hardware, stages, models, pick]
    studio.load(look, [], panel)
    check.click(look, [], panel, api_name=False, queue=False)

    def picked(model_id: str | None, words: dict[str, str]) -> str:
        """The model to download or remove; refused on a page that may only look (whatever its buttons show)."""
        if not manage:
            raise gr.Error(say(words, "models.view_only_error"), print_exception=False)
        if not (model_id or "").strip():
            raise gr.Error(say(words, "models.pick_one"), print_exception=False)
        return model_id.strip()

    def fetch(model_id: str | None, request: gr.Request, progress=gr.Progress()):  # noqa: B008 (Gradio's idiom)
        words = words_for(request)
        model_id = picked(model_id, words)
        progress(0, desc=say(words, "models.starting", model=model_id))
        try:
            with studio.jobs.running(request) as flag:
                done = actions.download_model(services, model_id, progress=download_progress(progress, words),
                                              cancel=flag.is_set)
        except DownloadCancelled as err:
            said = translate(str(err), words)
        except StudioError as err:
            raise as_gr_error(err) from None
        else:
            kept = (words["common.space"] + say(words, "models.resumed", size=format_bytes(done.resumed_bytes))
                    if done.resumed_bytes else "")
            said = say(words, "models.downloaded", model=done.model_id, files=done.files,
                       size=format_bytes(done.total_bytes), fetched=format_bytes(done.fetched_bytes),
                       seconds=done.elapsed_s) + kept
            said += "".join("\n" + say(words, "status.warning", text=translate(note, words)) for note in done.notes)
        return [said, *views(words)]

    def delete(model_id: str | None, request: gr.Request):
        words = words_for(request)
        model_id = picked(model_id, words)
        try:
            removed = actions.remove_model(services, model_id)
        except StudioError as err:
            raise as_gr_error(err) from None
        said = say(words, "models.removed", model=removed.model_id, size=format_bytes(removed.freed_bytes))
        return [said, *views(words)]

    models_queue = {"concurrency_id": "models", "concurrency_limit": 1}
    download.click(fetch, [pick], [status, *panel], api_name=False, **models_queue)
    stop.click(studio.jobs.cancel, api_name=False, queue=False)
    remove.click(delete, [pick], [status, *panel], api_name=False, **models_queue)


def build_machine_summary(studio: Studio) -> None:
    """The Idea tab's one line about this machine, and a button that opens the This machine tab."""
    with gr.Row(equal_height=True, elem_id="machine_summary_row"):
        line = gr.Markdown(elem_id="machine_summary")
        details = gr.Button(t("machine.details"), size="sm", elem_id="machine_details", scale=0, min_width=160)

    def look(request: gr.Request) -> str:
        words = words_for(request)
        return "ⓘ " + summary_line(actions.doctor(studio.services), words)

    studio.load(look, [], [line])
    if studio.tabs is not None:
        details.click(lambda: gr.Tabs(selected=MACHINE_TAB), [], [studio.tabs], api_name=False, queue=False,
                      show_progress="hidden")


__all__ = ["backend_name", "build_machine_summary", "build_machine_tab", "hardware_markdown", "may_manage_models",
           "model_choices", "models_markdown", "stages_markdown", "summary_line"]
