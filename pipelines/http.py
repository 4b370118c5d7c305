"""One JSON POST to an OpenAI-compatible server, bounded the same way for every backend that talks to one (the
script writer's chat endpoint, the voice's speech endpoint): a deadline for the whole reply (not only between
bytes), a size limit read as the reply streams in, no redirects, no proxy settings from the environment, and an
optional cancel checked between chunks. The caller turns the three outcomes below into its own sentence."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from studio.project.model import clean_text


class TooLarge(Exception):
    """The reply passed ``max_bytes``."""


class TimedOut(Exception):
    """No whole reply within ``timeout_s``."""


class Unreachable(Exception):
    """The connection failed; ``str()`` is the httpx error's class name."""


class Stopped(Exception):
    """``cancel()`` said stop while the reply was streaming."""


def post_json(url: str, payload: dict[str, Any], *, accept: str, api_key: str | None, timeout_s: float,
              max_bytes: int, cancel: Callable[[], bool] | None = None) -> tuple[int, bytes]:
    """(HTTP status, body) of one POST; raises TooLarge, TimedOut, Unreachable or Stopped."""
    import httpx

    headers = {"Content-Type": "application/json", "Accept": accept}
    if api_key:
        headers["Authorization"] = f"Bearer {api_key}"
    deadline = time.monotonic() + timeout_s
    timeout = httpx.Timeout(timeout_s, connect=min(10.0, timeout_s))
    chunks: list[bytes] = []
    size = 0
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client, \
                client.stream("POST", url, json=payload, headers=headers) as response:
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge()
                if time.monotonic() > deadline:
                    raise TimedOut()
                if cancel is not None and cancel():
                    raise Stopped()
                chunks.append(chunk)
            return response.status_code, b"".join(chunks)
    except httpx.TimeoutException:
        raise TimedOut() from None
    except httpx.HTTPError as err:
        raise Unreachable(type(err).__name__) from None


def error_snippet(body: bytes) -> str:
    """A short, cleaned excerpt of a server's error body for the user's message (its ``error.message`` when the
    body is the OpenAI error shape)."""
    text = body[:2000].decode("utf-8", "replace")
    try:
        error = json.loads(text).get("error")
        text = error.get("message", text) if isinstance(error, dict) else str(error or text)
    except (ValueError, AttributeError):
        pass
    return " ".join(clean_text(text).split())[:200]
