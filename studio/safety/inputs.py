"""Where the studio may reach: model references and LLM endpoint URLs, checked before anything loads or connects.

Two kinds of caller name models and URLs. The *operator* (settings, the CLI) runs the studio and may point
it at a local model folder or an Ollama on 127.0.0.1. A *visitor* (the browser UI and the API of a shared
server) must not steer the server at its own files or its private network: by default a visitor cannot name
a model at all (``STUDIO_VISITOR_MODELS=hub`` lets them name a hub id, never a folder), and no endpoint takes
a URL from a visitor.

Rules for everyone: a model is a hub id (``owner/name``) or an existing model folder (with
``model_index.json`` or ``config.json``), never a URL, a file or a path with control characters; an LLM URL
is ``http(s)`` on a public address, loopback allowed by default (``STUDIO_LLM_ALLOW_PRIVATE=loopback``), the
private network and link-local addresses (cloud metadata at 169.254.169.254) only with
``STUDIO_LLM_ALLOW_PRIVATE=on``.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from studio.errors import ScriptInputError, UnsafeReferenceError
from studio.settings import Settings

MAX_REF_CHARS = 300
_HUB_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9_-])?/[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}"
                     r"[A-Za-z0-9_-])?$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_MODEL_FILES = ("model_index.json", "config.json")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".pth", ".gguf")


class Origin(StrEnum):
    OPERATOR = "operator"  # settings and the CLI: the person who runs the studio
    VISITOR = "visitor"  # the browser UI and the API: anyone who can reach the server


def _shown(value: str) -> str:
    """The value as quoted in a message: short, one line, control characters escaped."""
    text = value if len(value) <= 80 else value[:77] + "..."
    return repr(text)


def is_hub_id(ref: str) -> bool:
    return bool(_HUB_ID.match(ref)) and ".." not in ref


def check_model_ref(ref: str, *, what: str = "model", settings: Settings | None = None,
                    origin: Origin = Origin.OPERATOR) -> str:
    """``ref`` cleaned, when it names a hub id or (for the operator) a model folder; else UnsafeReferenceError.

    A visitor may only name one of the models the operator configured, or any hub id when
    ``STUDIO_VISITOR_MODELS=hub``; a visitor never names a folder on the server.
    """
    if not isinstance(ref, str) or not ref.strip():
        raise UnsafeReferenceError(f"the {what} is empty; name a hub id (owner/name) or leave it blank")
    ref = ref.strip()
    if len(ref) > MAX_REF_CHARS:
        raise UnsafeReferenceError(f"the {what} is {len(ref)} characters long; the limit is {MAX_REF_CHARS}")
    if _CONTROL.search(ref):
        raise UnsafeReferenceError(f"the {what} {_shown(ref)} contains control characters")
    if _SCHEME.match(ref) and not re.match(r"^[A-Za-z]:[\\/]", ref):
        raise UnsafeReferenceError(f"the {what} {_shown(ref)} is a URL; name a hub id (owner/name) or a folder")
    if origin is Origin.VISITOR:
        configured = _configured_models(settings)
        if ref in configured:
            return ref
        allowed = settings is not None and settings.visitor_models == "hub"
        if not allowed:
            raise UnsafeReferenceError(f"this server does not let visitors choose the {what}; leave it blank for "
                                       "the default (the operator can allow hub ids with STUDIO_VISITOR_MODELS=hub)")
        if not is_hub_id(ref):
            raise UnsafeReferenceError(f"the {what} {_shown(ref)} is not a hub id (owner/name); visitors cannot "
                                       "name folders on the server")
        return ref
    path = Path(ref).expanduser()
    if path.is_dir():
        if not looks_like_model(path):
            raise UnsafeReferenceError(f"the {what} folder {_shown(ref)} is not a saved model (no "
                                       f"{' or '.join(_MODEL_FILES)} and no weights in it)")
        return ref
    if path.exists():
        raise UnsafeReferenceError(f"the {what} {_shown(ref)} is a file; name a model folder or a hub id")
    if not is_hub_id(ref):
        raise UnsafeReferenceError(f"the {what} {_shown(ref)} is neither a model folder on this machine nor a hub "
                                   "id (owner/name)")
    return ref


def looks_like_model(folder: Path, *, max_entries: int = 400) -> bool:
    """A config or a weights file in the folder or one level down; looks at a few hundred entries at most,
    so naming ``/`` costs nothing."""
    def entries(directory: Path) -> list[Path]:
        try:
            found = []
            for entry in directory.iterdir():
                found.append(entry)
                if len(found) >= max_entries:
                    break
            return found
        except OSError:
            return []

    def is_model_file(entry: Path) -> bool:
        return entry.name in _MODEL_FILES or entry.suffix in _WEIGHT_SUFFIXES

    top = entries(folder)
    if any(is_model_file(e) for e in top):
        return True
    subfolders = [e for e in top if e.is_dir() and not e.is_symlink()][:50]
    return any(is_model_file(e) for sub in subfolders for e in entries(sub))


def _configured_models(settings: Settings | None) -> set[str]:
    if settings is None:
        return set()
    refs = (settings.ltx_model, settings.wan_model, settings.wan_image_model, settings.wan_bridge_model,
            settings.script_model)
    return {r for r in refs if r}


def visitor_model(value: str | None, settings: Settings, *, what: str = "video model") -> str | None:
    """A model named in the UI or the API: None when blank (the configured default), else checked as a visitor's."""
    if value is None or not str(value).strip():
        return None
    return check_model_ref(str(value), what=what, settings=settings, origin=Origin.VISITOR)


# ------------------------------------------------------------------------------------------------ URLs

def _host_addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    """Every address ``host`` stands for: an IP literal (also 0x7f.1 and 2130706433 forms) or a resolved name."""
    host = host.strip("[]")
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        return [ipaddress.ip_address(socket.inet_ntoa(socket.inet_aton(host)))]
    except OSError:
        pass
    if host.lower() == "localhost" or host.lower().endswith(".localhost"):
        return [ipaddress.ip_address("127.0.0.1")]
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []  # unknown name: the connection will fail and say so
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def address_class(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """public, loopback, private (LAN), link-local (cloud metadata) or reserved (unspecified, multicast...)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_unspecified or address.is_multicast or address.is_reserved:
        return "reserved"
    if address.is_private or not address.is_global:
        return "private"
    return "public"


def check_llm_url(url: str, settings: Settings | None = None, *, allow_private: str | None = None) -> str:
    """The URL, stripped, when it is http(s) to an address the settings allow; else ScriptInputError.

    ``allow_private``: ``loopback`` (default: this machine is fine, the LAN and link-local are not), ``on``
    (any address but reserved ones), ``off`` (public addresses only). Names are resolved, so a DNS name that
    points at 127.0.0.1 counts as loopback.
    """
    policy = allow_private or (settings.llm_allow_private if settings is not None else "loopback")
    text = (url or "").strip()
    if _CONTROL.search(text):
        raise ScriptInputError(f"LLM URL {_shown(text)} contains control characters")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ScriptInputError(f"LLM URL {_shown(text)} is not an http(s) URL; e.g. http://127.0.0.1:11434/v1")
    if parts.username or parts.password:
        raise ScriptInputError("put the LLM API key in STUDIO_LLM_API_KEY, not in the URL")
    for address in _host_addresses(parts.hostname):
        kind = address_class(address)
        if kind == "public" or (kind == "loopback" and policy in ("loopback", "on")) or (
                kind in ("private", "link-local") and policy == "on"):
            continue
        hint = "" if kind == "reserved" else " (the operator can allow it with STUDIO_LLM_ALLOW_PRIVATE=on)"
        raise ScriptInputError(f"LLM URL {_shown(text)} points at a {kind} address ({address}); refused{hint}")
    return text


__all__ = ["Origin", "UnsafeReferenceError", "address_class", "check_llm_url", "check_model_ref", "is_hub_id",
           "visitor_model"]
