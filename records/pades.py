"""PDFs that prove themselves (issue 20, item 4): every signed PDF the portal hands out carries a PAdES
signature made with pyHanko under the company's certificate, with an RFC 3161 timestamp, so any PDF
reader (and `pyhanko sign validate`) shows whether it is intact — without the portal. The SHA-256, the QR
code and the public verification page stay as they were.

The company's certificate, from the environment in production:
- LIAISON_PADES_KEY / LIAISON_PADES_CERT: PEM files of the signing key and certificate;
  LIAISON_PADES_KEY_PASSWORD its passphrase; LIAISON_PADES_CHAIN: PEM file of the issuing CA(s), embedded
  in each signature and trusted by the portal's own check (check_pdf);
- LIAISON_PADES_TSA_URL: the timestamp authority (RFC 3161) to ask.
Without them (the demo, the tests, a developer's machine) `ensure_demo_pki()` makes a local CA with a
signing certificate and a timestamping certificate into LIAISON_VAR_DIR/pades/ (at set-up: `manage.py
seed_demo` / `manage.py pades_setup`, or on the first signature), and the local timestamping key stamps
the signatures. A PDF reader does not know that CA: it reports the document intact but the signer
unknown until ca.pem is trusted.
"""

import datetime
import io
import logging
import os
import tempfile
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

DEMO_DIR_NAME = "pades"
FIELD_NAME = "CompanySignature"
KEY_BITS = 2048  # RSA: the local timestamper signs with RSA only


def _setting(name):
    return getattr(settings, name, None) or os.environ.get(name) or ""


def demo_dir():
    return Path(settings.VAR_DIR) / DEMO_DIR_NAME


def production_configured():
    return bool(_setting("LIAISON_PADES_KEY") and _setting("LIAISON_PADES_CERT"))


# --- the demo PKI: a local CA, the company's signing certificate, a timestamping certificate ---------------


def _name(common_name, organisation):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _cert(subject, issuer, public_key, issuer_key, *, ca, usage, now, days, eku=None):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if eku is not None:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _usage(**on):
    from cryptography import x509

    flags = dict.fromkeys(
        [
            "digital_signature",
            "content_commitment",
            "key_encipherment",
            "data_encipherment",
            "key_agreement",
            "key_cert_sign",
            "crl_sign",
            "encipher_only",
            "decipher_only",
        ],
        False,
    )
    flags.update(on)
    return x509.KeyUsage(**flags)


def ensure_demo_pki(organisation=None):
    """Make the local CA, signing and timestamping certificates once (idempotent, safe between processes:
    written to a temporary folder that is renamed into place). Returns the folder."""
    target = demo_dir()
    if (target / "signer.pem").exists():
        return target
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID

    organisation = organisation or _setting("LIAISON_COMPANY_NAME") or "Liaison portal (demo)"
    now = datetime.datetime.now(datetime.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    ca_name = _name(f"{organisation} demo CA", organisation)
    ca = _cert(
        ca_name,
        ca_name,
        ca_key.public_key(),
        ca_key,
        ca=True,
        usage=_usage(key_cert_sign=True, crl_sign=True),
        now=now,
        days=3650,
    )
    files = {"ca.pem": ca}
    keys = {}
    for stem, common, usage, eku in (
        ("signer", f"{organisation} document signing", _usage(digital_signature=True, content_commitment=True), None),
        (
            "tsa",
            f"{organisation} demo timestamping",
            _usage(digital_signature=True),
            [ExtendedKeyUsageOID.TIME_STAMPING],
        ),
    ):
        key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
        files[f"{stem}.pem"] = _cert(
            _name(common, organisation),
            ca_name,
            key.public_key(),
            ca_key,
            ca=False,
            usage=usage,
            now=now,
            days=3650,
            eku=eku,
        )
        keys[f"{stem}.key"] = key
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".pades-", dir=target.parent))
    for name, cert in files.items():
        (tmp / name).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    for name, key in keys.items():
        path = tmp / name
        path.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)
    try:
        os.rename(tmp, target)
    except OSError:  # another process made it meanwhile: theirs stands
        for f in tmp.iterdir():
            f.unlink()
        tmp.rmdir()
    return target


# --- signing ----------------------------------------------------------------------------------------------


def _load_pem_certs(path):
    from asn1crypto import pem, x509

    data = Path(path).read_bytes()
    if pem.detect(data):
        return [x509.Certificate.load(der) for _type, _headers, der in pem.unarmor(data, multiple=True)]
    return [x509.Certificate.load(data)]


def trust_roots():
    """The CA certificates the portal's own check trusts."""
    if production_configured():
        chain = _setting("LIAISON_PADES_CHAIN")
        return _load_pem_certs(chain) if chain else []
    return _load_pem_certs(ensure_demo_pki() / "ca.pem")


def company_signer():
    from pyhanko.sign import signers

    if production_configured():
        password = _setting("LIAISON_PADES_KEY_PASSWORD")
        chain = _setting("LIAISON_PADES_CHAIN")
        return signers.SimpleSigner.load(
            _setting("LIAISON_PADES_KEY"),
            _setting("LIAISON_PADES_CERT"),
            ca_chain_files=(chain,) if chain else None,
            key_passphrase=password.encode() if password else None,
        )
    folder = ensure_demo_pki()
    return signers.SimpleSigner.load(
        str(folder / "signer.key"), str(folder / "signer.pem"), ca_chain_files=(str(folder / "ca.pem"),)
    )


def timestamper():
    """The production TSA when configured; else the local demo timestamper; None when production has none
    (the signature then carries the signing time only)."""
    url = _setting("LIAISON_PADES_TSA_URL")
    if url:
        from pyhanko.sign.timestamps import HTTPTimeStamper

        return HTTPTimeStamper(url)
    if production_configured():
        return None
    from asn1crypto import keys
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

    folder = ensure_demo_pki()
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key((folder / "tsa.key").read_bytes(), password=None)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    (tsa_cert,) = _load_pem_certs(folder / "tsa.pem")
    return DummyTimeStamper(
        tsa_cert=tsa_cert, tsa_key=keys.PrivateKeyInfo.load(der), certs_to_embed=_load_pem_certs(folder / "ca.pem")
    )


def sign_pdf(data: bytes, *, reason="", location="") -> bytes:
    """`data` with the company's PAdES signature (an incremental update: the pages stay byte for byte)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
    )
    out = signers.PdfSigner(meta, signer=company_signer(), timestamper=timestamper()).sign_pdf(writer)
    return out.getvalue()


# --- checking -------------------------------------------------------------------------------------------


def _common_name(cert):
    if cert is None:
        return ""
    subject = cert.subject.native
    return subject.get("common_name") or subject.get("organization_name") or cert.subject.human_friendly


def check_pdf(data: bytes):
    """What the PDF's PAdES signature says: {"signed", "intact", "valid", "trusted", "signer", "timestamp",
    "covers_all"}. A file that cannot be read, or whose bytes changed, is not intact."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    result = {"signed": False, "intact": False, "valid": False, "trusted": False, "signer": "", "timestamp": None}
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = reader.embedded_signatures
        if not sigs:
            return result
        result["signed"] = True
        context = ValidationContext(trust_roots=trust_roots(), allow_fetching=False)
        status = validate_pdf_signature(sigs[-1], context)
    except Exception as exc:  # noqa: BLE001 - a damaged file is an answer, not an error
        log.info("PAdES check failed: %s: %s", type(exc).__name__, exc)
        return result
    result.update(
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        signer=_common_name(status.signing_cert),
        timestamp=status.timestamp_validity.timestamp if status.timestamp_validity else None,
        covers_all=str(status.coverage) == "SignatureCoverageLevel.ENTIRE_FILE",
    )
    return result
