"""Content credentials: a signed C2PA manifest in every export when a signing certificate is configured.

With ``STUDIO_C2PA_CERT`` (a PEM chain, signing certificate first, then its CA) and ``STUDIO_C2PA_KEY``
(its PEM private key) set, the compositor signs the staged MP4 before it publishes anything:

- claim generator ``shortstudio``; one ``c2pa.created`` action whose digital source type is
  ``trainedAlgorithmicMedia``, or ``compositeWithTrainedAlgorithmicMedia`` when the user's own pictures,
  clips, music or voice are in the clip;
- an ``org.shortstudio.aigc`` assertion with the same AIGC facts as the GB 45438 metadata label, which
  ffmpeg already wrote into the file and the manifest's hash now covers.

What C2PA asks of the certificate (c2pa-rs checks it when signing): an end-entity certificate (not a
CA, not self-signed) with the digitalSignature key usage and an extended key usage it accepts
(emailProtection or documentSigning, among others), issued by a CA whose certificate follows it in the
chain; ES256/384/512 (EC P-256/384/521), PS256 (RSA) or Ed25519 keys. A reader that does not trust the
CA reports the manifest as ``Valid`` with ``signingCredential.untrusted``; one that does reports ``Trusted``.

The signed file is written beside the source under a temporary name, flushed, and moved into place with
``os.replace``: nothing half-signed is ever at ``dest``. Every problem is a ``SigningError`` whose one
sentence names the setting to fix. ``c2pa`` and ``cryptography`` are imported only when signing is on.
"""

from __future__ import annotations

import datetime
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio import __version__
from studio.errors import SigningError
from studio.project.model import Project
from studio.settings import Settings

CLAIM_GENERATOR = "shortstudio"
AIGC_ASSERTION = "org.shortstudio.aigc"
_SOURCE_TYPES = "http://cv.iptc.org/newscodes/digitalsourcetype/"
TRAINED = _SOURCE_TYPES + "trainedAlgorithmicMedia"
COMPOSITE = _SOURCE_TYPES + "compositeWithTrainedAlgorithmicMedia"
# extended key usages c2pa-rs accepts by default: emailProtection, timeStamping, OCSPSigning, documentSigning,
# Microsoft's C2PA signing and the C2PA claim-signing usage
C2PA_EKUS = frozenset({"1.3.6.1.5.5.7.3.4", "1.3.6.1.5.5.7.3.8", "1.3.6.1.5.5.7.3.9", "1.3.6.1.5.5.7.3.36",
                       "1.3.6.1.4.1.311.76.59.1.9", "1.3.6.1.4.1.62558.2.1"})


@dataclass(frozen=True)
class SigningMaterial:
    chain_pem: bytes
    key_pem: bytes
    alg: str  # "es256", "es384", "es512", "ps256" or "ed25519"
    tsa_url: str | None = None

    def __repr__(self) -> str:  # the key never reaches a log or a traceback's locals dump
        return f"SigningMaterial(alg={self.alg!r}, tsa_url={self.tsa_url!r})"


def _read(path: Path, setting: str) -> bytes:
    try:
        return Path(path).expanduser().read_bytes()
    except OSError as err:
        raise SigningError(f"setting {setting}={str(path)!r} cannot be read ({err.strerror or err})") from None


def _algorithm(key: Any) -> str:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(key, ec.EllipticCurvePrivateKey):
        alg = {256: "es256", 384: "es384", 521: "es512"}.get(key.curve.key_size)
        if alg is not None:
            return alg
    if isinstance(key, rsa.RSAPrivateKey):
        return "ps256"
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519"
    raise SigningError("setting STUDIO_C2PA_KEY holds a key type C2PA cannot sign with; use EC P-256/384/521, "
                       "RSA (PS256) or Ed25519")


def load_material(settings: Settings) -> SigningMaterial | None:
    """The checked certificate chain and key, or None when signing is not configured."""
    cert_path, key_path = settings.c2pa_cert, settings.c2pa_key
    if cert_path is None and key_path is None:
        return None
    if cert_path is None or key_path is None:
        have, missing = ("STUDIO_C2PA_CERT", "STUDIO_C2PA_KEY") if key_path is None else ("STUDIO_C2PA_KEY",
                                                                                         "STUDIO_C2PA_CERT")
        raise SigningError(f"setting {have} is set but {missing} is not: set both to sign exports, or neither")
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    chain_pem, key_pem = _read(cert_path, "STUDIO_C2PA_CERT"), _read(key_path, "STUDIO_C2PA_KEY")
    try:
        chain = x509.load_pem_x509_certificates(chain_pem)
    except ValueError:
        raise SigningError(f"setting STUDIO_C2PA_CERT={str(cert_path)!r} holds no PEM certificate chain") from None
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except (ValueError, TypeError):
        raise SigningError(f"setting STUDIO_C2PA_KEY={str(key_path)!r} is not an unencrypted PEM private "
                           "key") from None
    leaf = chain[0]
    public = serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    if leaf.public_key().public_bytes(*public) != key.public_key().public_bytes(*public):
        raise SigningError(f"setting STUDIO_C2PA_KEY={str(key_path)!r} is not the private key of the first "
                           "certificate in STUDIO_C2PA_CERT")
    try:
        is_ca = leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if is_ca or leaf.issuer == leaf.subject:
        raise SigningError("setting STUDIO_C2PA_CERT must start with an end-entity signing certificate issued by a "
                           "CA (not a CA or self-signed certificate), followed by its CA chain")
    try:
        usages = {u.dotted_string for u in leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value}
    except x509.ExtensionNotFound:
        usages = set()
    if not usages & C2PA_EKUS:
        raise SigningError("setting STUDIO_C2PA_CERT: the signing certificate lacks an extended key usage C2PA "
                           "accepts (emailProtection, documentSigning, timeStamping, OCSPSigning or C2PA claim "
                           "signing)")
    if leaf.not_valid_after_utc < datetime.datetime.now(datetime.UTC):
        raise SigningError(f"setting STUDIO_C2PA_CERT: the signing certificate expired on "
                           f"{leaf.not_valid_after_utc:%Y-%m-%d}")
    return SigningMaterial(chain_pem, key_pem, _algorithm(key), settings.c2pa_tsa_url or None)


def digital_source_type(project: Project) -> str:
    """``composite...`` when the user's own media (pictures, clips, music, voice) are part of the clip."""
    own_visual = any((s.media and s.render is None) or s.source_media for s in project.shots)
    own_sound = (project.voiceover is not None or any(s.voiceover_audio for s in project.shots)
                 or (project.music is not None and project.music.path is not None))
    return COMPOSITE if own_visual or own_sound else TRAINED


def build_manifest(project: Project, aigc: dict[str, str], *, title: str) -> dict[str, Any]:
    agent = {"name": CLAIM_GENERATOR, "version": __version__}
    return {
        "claim_generator_info": [agent],
        "title": title,
        "format": "video/mp4",
        "assertions": [
            {"label": "c2pa.actions", "data": {"actions": [
                {"action": "c2pa.created", "digitalSourceType": digital_source_type(project),
                 "softwareAgent": agent},
            ]}},
            {"label": AIGC_ASSERTION, "data": {"standard": "GB 45438-2025", "AIGC": dict(aigc)}},
        ],
    }


def sign_mp4(source: Path, dest: Path, material: SigningMaterial, manifest: dict[str, Any]) -> Path:
    """``source`` with the manifest embedded and signed, written to ``dest`` (temp name, then ``os.replace``)."""
    import c2pa

    temp = dest.with_name(f".{dest.name}.c2pa.tmp")
    try:
        info = c2pa.C2paSignerInfo(material.alg, material.chain_pem, material.key_pem, material.tsa_url)
        with c2pa.Signer.from_info(info) as signer, c2pa.Builder.from_json(json.dumps(manifest)) as builder, \
                open(source, "rb") as src, open(temp, "w+b") as out:
            builder.sign(signer, "video/mp4", src, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, dest)
    except c2pa.C2paError as err:
        reason = str(err).split(": ", 1)[-1] or type(err).__name__
        raise SigningError(f"the export could not be signed with STUDIO_C2PA_CERT and STUDIO_C2PA_KEY ({reason}); "
                           "fix the certificate or key, or unset both to export without content credentials") from None
    finally:
        temp.unlink(missing_ok=True)
    return dest


__all__ = ["SigningMaterial", "build_manifest", "digital_source_type", "load_material", "sign_mp4"]
