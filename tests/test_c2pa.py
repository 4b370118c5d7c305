"""The AI label cannot be lost silently: the metadata label is always written, turning the visible one off
warns, and with a signing certificate configured every export carries a signed C2PA manifest that
c2pa's own reader validates (the throwaway test CA is untrusted, as a real one is until trusted)."""

from __future__ import annotations

import datetime
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

import c2pa
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from cli.main import main
from pipelines.services import Services
from pipelines.shots import VideoOptions, render_shots
from studio.compose.c2pa import AIGC_ASSERTION, COMPOSITE, TRAINED, digital_source_type
from studio.compose.compositor import compose
from studio.errors import SigningError
from studio.project.model import AiLabel, Project, Shot
from studio.project.presets import PresetName
from studio.settings import Settings
from tests.helpers.media import make_image

UNTRUSTED = "signingCredential.untrusted"


@dataclass(frozen=True)
class Pki:
    ca_pem: bytes
    chain: Path  # leaf, then CA
    key: Path
    other_key: Path  # a valid key that belongs to no certificate here
    no_eku_chain: Path  # a leaf without an extended key usage C2PA accepts


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn), x509.NameAttribute(NameOID.ORGANIZATION_NAME,
                                                                                      "shortstudio tests")])


def _pem_key(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _leaf(ca, ca_key, key, eku: bool) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    builder = (x509.CertificateBuilder().subject_name(_name("shortstudio test signer")).issuer_name(ca.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=7))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False),
                              critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                              critical=False))
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
    return builder.sign(ca_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory) -> Pki:
    """A throwaway CA and an ES256 signing certificate with the emailProtection EKU that C2PA accepts."""
    d = tmp_path_factory.mktemp("pki")
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("shortstudio test CA")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    ca_pem = ca.public_bytes(serialization.Encoding.PEM)
    key = ec.generate_private_key(ec.SECP256R1())
    (d / "chain.pem").write_bytes(_leaf(ca, ca_key, key, eku=True).public_bytes(serialization.Encoding.PEM) + ca_pem)
    (d / "no-eku.pem").write_bytes(_leaf(ca, ca_key, key, eku=False).public_bytes(serialization.Encoding.PEM) + ca_pem)
    (d / "key.pem").write_bytes(_pem_key(key))
    (d / "other.pem").write_bytes(_pem_key(ec.generate_private_key(ec.SECP256R1())))
    return Pki(ca_pem, d / "chain.pem", d / "key.pem", d / "other.pem", d / "no-eku.pem")


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data"), "STUDIO_VIDEO_BACKEND": "still", **env})


def _signing(pki: Pki, tmp_path: Path, chain: Path | None = None, key: Path | None = None) -> Settings:
    return _settings(tmp_path, STUDIO_C2PA_CERT=str(chain or pki.chain), STUDIO_C2PA_KEY=str(key or pki.key))


def _generated_draft(settings: Settings, root: Path) -> Project:
    """Two text shots made by the still draft backend: every picture in the clip is generated."""
    project = Project(preset=PresetName.DRAFT, storyboard={"title": "Kites"}).with_shots([
        Shot(visual_prompt="a red kite over a green hill", caption="Kites", duration_ms=1000),
        Shot(visual_prompt="a kite festival at dusk", caption="at dusk", duration_ms=1000),
    ])
    return render_shots(project, root, VideoOptions(backend="still"), Services(settings)).project


def _aigc_tag(path: Path) -> dict:
    info = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format", str(path)],
                          capture_output=True, check=True, text=True).stdout
    return json.loads(json.loads(info)["format"]["tags"]["AIGC"])


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture(scope="module")
def signed(pki, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("signed")
    settings = _signing(pki, tmp)
    project = _generated_draft(settings, tmp)
    return compose(project, tmp / "out" / "kites.mp4", settings=settings, project_root=tmp)


def _manifest(path: Path, context=None) -> tuple[dict, str, dict]:
    with c2pa.Reader(str(path), context=context) as reader:
        return reader.get_active_manifest(), reader.get_validation_state(), reader.get_validation_results()


def _codes(results: dict, kind: str) -> set[str]:
    return {entry["code"] for entry in results["activeManifest"].get(kind, [])}


def test_a_signed_export_carries_the_manifest(signed):
    assert signed.signed and signed.video.is_file()
    manifest, _, _ = _manifest(signed.video)
    assert manifest["claim_generator_info"][0]["name"] == "shortstudio"
    assertions = {a["label"]: a["data"] for a in manifest["assertions"]}
    actions = next(data["actions"] for label, data in assertions.items() if label.startswith("c2pa.actions"))
    assert actions[0]["action"] == "c2pa.created" and actions[0]["digitalSourceType"] == TRAINED
    assert assertions[AIGC_ASSERTION]["AIGC"] == signed.aigc
    assert manifest["signature_info"]["common_name"] == "shortstudio test signer"


def test_the_signature_validates_and_only_the_test_ca_is_untrusted(signed, pki):
    _, state, results = _manifest(signed.video)
    # c2pa-rs checks the claim signature, the certificate profile and the BMFF hash of every box; our CA is
    # in no trust list, so the only failure is signingCredential.untrusted and the state is "Valid", not
    # "Trusted" (a broken signature or hash would make it "Invalid").
    assert state == "Valid"
    assert _codes(results, "failure") == {UNTRUSTED}
    assert {"claimSignature.validated", "claimSignature.insideValidity",
            "assertion.bmffHash.match"} <= _codes(results, "success")
    trusting = c2pa.Context.from_dict({"verify": {"verify_trust": True},
                                       "trust": {"trust_anchors": pki.ca_pem.decode()}})
    _, state, results = _manifest(signed.video, trusting)
    assert state == "Trusted" and not _codes(results, "failure")


def test_the_metadata_label_survives_signing(signed):
    assert _aigc_tag(signed.video) == signed.aigc


def test_a_changed_byte_breaks_the_signature(signed, tmp_path):
    data = bytearray(signed.video.read_bytes())
    mdat = data.rindex(b"mdat")
    data[mdat + 1000] ^= 0xFF
    tampered = tmp_path / "tampered.mp4"
    tampered.write_bytes(bytes(data))
    _, state, results = _manifest(tampered)
    assert state == "Invalid" and "assertion.bmffHash.mismatch" in _codes(results, "failure")


def test_without_the_settings_there_is_no_manifest(tmp_path):
    settings = _settings(tmp_path)
    project = _generated_draft(settings, tmp_path)
    result = compose(project, tmp_path / "plain.mp4", settings=settings, project_root=tmp_path)
    assert not result.signed and c2pa.Reader.try_create(str(result.video)) is None
    assert _aigc_tag(result.video) == result.aigc


@pytest.mark.parametrize("case, needle", [
    ("wrong key", "STUDIO_C2PA_KEY"),
    ("key only", "STUDIO_C2PA_CERT"),
    ("unreadable cert", "STUDIO_C2PA_CERT"),
    ("key as cert", "STUDIO_C2PA_CERT"),
    ("CA first", "STUDIO_C2PA_CERT"),
])
def test_a_bad_certificate_or_key_is_one_sentence_and_no_output(pki, tmp_path, case, needle):
    env = {"wrong key": {"STUDIO_C2PA_CERT": str(pki.chain), "STUDIO_C2PA_KEY": str(pki.other_key)},
           "key only": {"STUDIO_C2PA_KEY": str(pki.key)},
           "unreadable cert": {"STUDIO_C2PA_CERT": str(tmp_path / "missing.pem"), "STUDIO_C2PA_KEY": str(pki.key)},
           "key as cert": {"STUDIO_C2PA_CERT": str(pki.key), "STUDIO_C2PA_KEY": str(pki.key)}}
    if case == "CA first":
        ca_only = tmp_path / "ca.pem"
        ca_only.write_bytes(pki.ca_pem)
        env[case] = {"STUDIO_C2PA_CERT": str(ca_only), "STUDIO_C2PA_KEY": str(pki.key)}
    plain = _settings(tmp_path)
    project = _generated_draft(plain, tmp_path)
    out = tmp_path / "out"
    with pytest.raises(SigningError) as err:
        compose(project, out / "clip.mp4", settings=_settings(tmp_path, **env[case]), project_root=tmp_path)
    message = str(err.value)
    assert needle in message and "\n" not in message and message.count(". ") == 0
    assert not out.exists() or _files(out) == []


def test_a_certificate_without_an_accepted_key_usage_is_refused_up_front(pki, tmp_path):
    settings = _signing(pki, tmp_path, chain=pki.no_eku_chain)
    with pytest.raises(SigningError, match="STUDIO_C2PA_CERT: the signing certificate lacks an extended key usage"):
        compose(Project(), tmp_path / "clip.mp4", settings=settings)
    assert not (tmp_path / "clip.mp4").exists()


def test_a_signing_failure_at_publish_leaves_nothing(pki, tmp_path):
    """Our checks pass, c2pa-rs fails while signing (here: no time-stamp authority answers): nothing is published."""
    settings = _settings(tmp_path, STUDIO_C2PA_CERT=str(pki.chain), STUDIO_C2PA_KEY=str(pki.key),
                         STUDIO_C2PA_TSA_URL="http://127.0.0.1:9/tsa")
    project = _generated_draft(settings, tmp_path)
    out = tmp_path / "out"
    with pytest.raises(SigningError, match="STUDIO_C2PA_CERT and STUDIO_C2PA_KEY"):
        compose(project, out / "clip.mp4", settings=settings, project_root=tmp_path)
    assert _files(out) == []


def test_turning_the_visible_label_off_warns_and_keeps_the_metadata_label(tmp_path):
    settings = _settings(tmp_path)
    project = _generated_draft(settings, tmp_path)
    shown = compose(project, tmp_path / "shown.mp4", settings=settings, project_root=tmp_path)
    hidden = compose(project.model_copy(update={"label": AiLabel(visible=False)}), tmp_path / "hidden.mp4",
                     settings=settings, project_root=tmp_path)
    assert shown.warnings == ()
    assert len(hidden.warnings) == 1 and "AI label is off" in hidden.warnings[0]
    assert _aigc_tag(hidden.video)["Label"] == "1" and _aigc_tag(hidden.video) == hidden.aigc
    renamed = project.model_copy(update={"label": AiLabel(text="Made by me")})
    assert "does not say AI" in compose(renamed, tmp_path / "renamed.mp4", settings=settings,
                                        project_root=tmp_path).warnings[0]


def test_the_cli_prints_the_warning(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("STUDIO_DATA_DIR", str(tmp_path / "data"))
    image = make_image(tmp_path / "a.jpg", (320, 480))
    code = main(["compose", "--shot", str(image), "--preset", "draft", "--no-visible-label",
                 "-o", str(tmp_path / "x.mp4")])
    out, err = capsys.readouterr()
    assert code == 0 and "warning: the on-screen AI label is off" in err


def test_user_media_makes_a_composite():
    generated = Shot(visual_prompt="x", media="shots/a.png",
                     render={"backend": "still", "cache_key": "0" * 16, "width": 8, "height": 8})
    own = Shot(media="photo.jpg")
    assert digital_source_type(Project().with_shots([generated])) == TRAINED
    assert digital_source_type(Project().with_shots([generated, own])) == COMPOSITE
