"""The studio's user actions: one function each, shared by every face (the UI's tabs, its API endpoints and MCP
tools, and the command line), so a tab and its API twin and its command cannot drift apart.

Every action takes the process's ``pipelines.services.Services`` first, then typed requests (built from a face's
raw values by their ``from_values`` parsers), and returns typed results; progress and cancel are parameters.
Where its output goes (the UI's per-user folders, a path on the command line) is the face's choice.

    storyboard  write_storyboard, enhance_prompt
    shots       generate (all, one, variations, extend, bridge), choose_variation
    export      compose_project, compose_media, start_from_media, export_bundle, open_bundle, export_edit, posting_text
    make        make, batch, narrate
    examples    EXAMPLE_IDEAS, open_sample
    machine     doctor, list_models, download_model, remove_model
"""

from actions.examples import EXAMPLE_IDEAS, open_sample
from actions.export import (
    bundle_name,
    caption_lines,
    compose_media,
    compose_project,
    edit_name,
    export_bundle,
    export_edit,
    open_bundle,
    posting_text,
    start_from_media,
)
from actions.machine import doctor, download_model, list_models, remove_model
from actions.make import batch, make, narrate
from actions.shots import ShotAction, choose_variation, generate
from actions.storyboard import Storyboarded, enhance_prompt, write_storyboard

__all__ = [
    "EXAMPLE_IDEAS", "ShotAction", "Storyboarded", "batch", "bundle_name", "caption_lines", "choose_variation",
    "compose_media", "compose_project", "doctor", "download_model", "edit_name", "enhance_prompt", "export_bundle",
    "export_edit", "generate", "list_models", "make", "narrate", "open_bundle", "open_sample", "posting_text",
    "remove_model", "start_from_media", "write_storyboard",
]
