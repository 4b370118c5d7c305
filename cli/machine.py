"""The commands that say what this machine can do and fetch what it lacks: ``doctor`` (hardware and every stage's
backend, models, what is missing and the one action to get it) and ``models list|download|remove``."""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
from pathlib import Path


def add_doctor(commands) -> None:
    command = commands.add_parser("doctor", help="what this machine can do: hardware, and each stage's backend, "
                                                 "models and the one action that would add what is missing")
    command.add_argument("--json", action="store_true", help="print the report as JSON")
    command.set_defaults(handler=run_doctor)


def add_models(commands) -> None:
    command = commands.add_parser("models", help="the recommended models per tier: list, download, remove")
    actions = command.add_subparsers(dest="models_action", metavar="{list,download,remove}", required=True,
                                     parser_class=type(command))
    listing = actions.add_parser("list", help="the recommended models with size, licence and state here")
    listing.add_argument("--json", action="store_true", help="print the list as JSON")
    listing.set_defaults(handler=run_models_list)
    fetch = actions.add_parser("download", help="fetch a model into the HF cache (progress bar; Ctrl-C stops and "
                                                "keeps what was fetched; running it again resumes)")
    fetch.add_argument("model", metavar="ID", help="hub id, e.g. Qwen/Qwen2.5-1.5B-Instruct")
    fetch.add_argument("--revision", metavar="REV", help="branch, tag or commit (default: main)")
    fetch.set_defaults(handler=run_models_download)
    remove = actions.add_parser("remove", help="delete a downloaded model from the HF cache")
    remove.add_argument("model", metavar="ID", help="hub id of a downloaded model")
    remove.set_defaults(handler=run_models_remove)


def _services():
    from pipelines.services import Services
    from studio.settings import Settings

    return Services(Settings.from_env())


def _as_json(value) -> str:
    def plain(obj):
        if isinstance(obj, Path):
            return str(obj)
        raise TypeError(type(obj).__name__)

    return json.dumps(dataclasses.asdict(value), default=plain, ensure_ascii=False, indent=2)


def run_doctor(args: argparse.Namespace) -> int:
    from actions.machine import doctor

    report = doctor(_services())
    print(_as_json(report) if args.json else "\n".join(report.lines()))
    return 0


def run_models_list(args: argparse.Namespace) -> int:
    from actions.machine import list_models
    from pipelines.models import ModelState
    from studio.models import Commercial, Tier, format_bytes

    listing = list_models(_services())
    if args.json:
        print(_as_json(listing))
        return 0
    print(f"This machine: {listing.tier.label}. Models go to {listing.cache_dir} "
          f"({format_bytes(listing.free_bytes)} free).")
    for tier in Tier:
        rows = [r for r in listing.rows if r.model.tier is tier]
        if not rows:
            continue
        print(f"\n{tier.label}{'' if rows[0].fits else ' (more than this machine has)'}")
        for row in rows:
            model = row.model
            state = row.cached.state.value
            if row.cached.state is not ModelState.ABSENT:
                state += f", {format_bytes(row.cached.bytes_on_disk)}"
            marks = []
            if model.commercial is Commercial.NO:
                marks.append("NON-COMMERCIAL")
            elif model.commercial is Commercial.CONDITIONS:
                marks.append("commercial use: conditions")
            if not row.in_this_version:
                marks.append(f"{model.stage.value}: not in this version")
            if row.refused:
                marks.append("refused: STUDIO_COMMERCIAL_USE=on")
            print(f"  {model.id:<40} {model.stage.value:<10} {str(model.download):>9}  {model.licence}"
                  + (f"  [{'; '.join(marks)}]" if marks else ""))
            print(f"  {'':<40} {state}; adds {model.adds}")
    if listing.others:
        print("\nOther models in the HF cache")
        for other in listing.others:
            print(f"  {other.id:<40} {other.state.value}, {format_bytes(other.bytes_on_disk)}")
    print("\nSizes: the Hub's file listings (≥ where only some files could be looked up); disk = download, the HF "
          "cache keeps files as downloaded.\nFetch one with: python -m studio models download ID")
    return 0


def _progress_bar(model_id: str):
    from tqdm import tqdm

    bar = None

    def update(event) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=event.total_bytes or None, unit="B", unit_scale=True, desc=model_id, file=sys.stderr,
                       leave=False)
        if event.total_bytes and bar.total != event.total_bytes:
            bar.total = event.total_bytes
        bar.set_postfix_str(f"{event.files_done}/{event.files_total} files", refresh=False)
        bar.update(event.done_bytes - bar.n)

    def close() -> None:
        if bar is not None:
            bar.close()

    return update, close


def run_models_download(args: argparse.Namespace) -> int:
    from actions.machine import download_model
    from studio.errors import DownloadCancelled
    from studio.models import format_bytes

    stop = {"asked": False}

    def on_interrupt(signum, frame) -> None:
        if stop["asked"]:  # a second Ctrl-C: stop now (the partial file still stays)
            raise KeyboardInterrupt
        stop["asked"] = True
        print("\nstopping after this chunk; what was fetched is kept (Ctrl-C again to stop now)", file=sys.stderr)

    update, close = _progress_bar(args.model)
    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        done = download_model(_services(), args.model, revision=args.revision, progress=update,
                              cancel=lambda: stop["asked"])
    except KeyboardInterrupt:
        raise DownloadCancelled(f"the download of {args.model} was stopped; what was fetched is kept, and the next "
                                "download resumes it") from None
    finally:
        signal.signal(signal.SIGINT, previous)
        close()
    kept = f", {format_bytes(done.resumed_bytes)} resumed" if done.resumed_bytes else ""
    reused = f", {format_bytes(done.reused_bytes)} already here" if done.reused_bytes else ""
    print(f"downloaded {done.model_id} ({done.files} files, {format_bytes(done.total_bytes)}: "
          f"{format_bytes(done.fetched_bytes)} fetched{kept}{reused}, {done.elapsed_s:.1f} s)")
    print(f"  revision {done.revision}: {done.path}")
    for note in done.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def run_models_remove(args: argparse.Namespace) -> int:
    from actions.machine import remove_model
    from studio.models import format_bytes

    removed = remove_model(_services(), args.model)
    print(f"removed {removed.model_id} from the HF cache ({format_bytes(removed.freed_bytes)} freed)")
    return 0
