"""The AI-generated label: the visible text and the implicit metadata label of GB 45438-2025.

The 《人工智能生成合成内容标识办法》 (in force 2025-09-01) and GB 45438-2025 ask for both an explicit
label (video: on screen at the start for at least 2 s, text at least 5 % of the frame's shorter
side tall, wording with an AI element and a generation element, e.g. "AI生成") and an implicit
label in the file metadata: a field named ``AIGC`` holding JSON with Label, ContentProducer,
ProduceID, ReservedCode1, ContentPropagator, PropagateID, ReservedCode2. For MP4 the TC260 practice
guide TC260-PG-20257A places it in moov/udta/meta as an ``mdta`` key ``AIGC`` (what ffmpeg writes
with ``-movflags use_metadata_tags``). Values avoid spaces, quotes and backslashes (Annex E j).
"""

from __future__ import annotations

import hashlib
import json
import re

from studio.project.model import Language, Project

LABEL_TEXT = {Language.ZH: "AI生成", Language.EN: "AI-generated"}
MIN_LABEL_TEXT_FRACTION = 0.05  # text height >= 5 % of the shorter side (GB 45438-2025, 5.4)
COMMENT = "AI-generated content (AIGC). Made with shortstudio; see the AIGC metadata field."

_UNSAFE = re.compile(r"[^\x21\x23-\x5b\x5d-\x7e]")


def label_text(project: Project) -> str:
    return project.label.text or LABEL_TEXT[project.resolved_language()]


def _field(value: str) -> str:
    """Annex E j): printable ASCII without space, double quote or backslash."""
    return _UNSAFE.sub("_", value)[:128] or "_"


def aigc_metadata(project: Project, *, producer: str, render_id: str, fingerprint: str) -> dict[str, str]:
    """The implicit label for one export. On first write the propagator fields repeat the producer's."""
    produce_id = _field(f"{project.id}-{render_id}")
    producer = _field(producer)
    # ReservedCode1 binds the label to this render's inputs (project JSON and media files); a signed
    # manifest (C2PA) is the stronger protection and comes with the reliability work.
    code = _field(hashlib.sha256(f"{produce_id}:{fingerprint}".encode()).hexdigest())
    return {
        "Label": "1",
        "ContentProducer": producer,
        "ProduceID": produce_id,
        "ReservedCode1": code,
        "ContentPropagator": producer,
        "PropagateID": produce_id,
        "ReservedCode2": code,
    }


def aigc_json(fields: dict[str, str]) -> str:
    return json.dumps(fields, ensure_ascii=True, separators=(",", ":"))
