"""The course's Dask cluster, authenticated and encrypted: its certificates (``dlkit cluster init``) and the
``distributed.Security`` that ``dlkit autograde --scheduler tls://...`` connects with.

A task carries a student's files and the key their grading draws its inputs with, so only the course's own
machines may see one. Every connection of the cluster is TLS with mutual authentication (distributed's own
TLS: each side presents a certificate signed by the course's certificate authority and checks the other's),
so a worker started by anybody else cannot join the scheduler, and nobody on the network reads a task.

``init`` makes the certificate authority and a certificate for each role (scheduler, worker, client) in
``COURSE/cluster/``. The authority's private key is used once and never written: nobody, the instructor
included, can sign another certificate for this course; ``init`` again (in a new folder) makes a new
authority, and every machine then needs the new files. A worker's certificate and key go to the course's
grading machines only.
"""
from __future__ import annotations

import datetime
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograde.errors import UsageError

#: The course's cluster certificates: ``COURSE/cluster/``.
FOLDER = "cluster"
CA = "ca.pem"
#: Who holds a certificate: the scheduler's machine, each grading machine, and dlkit autograde.
ROLES = ("scheduler", "worker", "client")
#: How long the certificates hold by default: a course's term and its regrades.
DAYS = 365
#: The schemes of a scheduler's address that are encrypted and authenticated.
SECURE_SCHEMES = ("tls",)


def folder_of(course_dir: Path) -> Path:
    return Path(course_dir) / FOLDER


def certificate(role: str) -> str:
    return f"{role}.pem"


def key(role: str) -> str:
    return f"{role}-key.pem"


def files() -> list[str]:
    return [CA, *(name for role in ROLES for name in (certificate(role), key(role)))]


def scheme_of(address: str) -> str:
    """The protocol of a scheduler's address, as distributed reads it (none given is tcp)."""
    return address.split("://", 1)[0].lower() if "://" in address else "tcp"


def is_secure(address: str) -> bool:
    """Whether a scheduler's address is encrypted and authenticated (TLS)."""
    return scheme_of(address) in SECURE_SCHEMES


def require_secure(address: str, insecure: bool) -> None:
    """Refuse a scheduler's address that is not TLS unless the instructor said ``--insecure-cluster``."""
    if not is_secure(address) and not insecure:
        raise UsageError(
            f"--scheduler {address}: the cluster would be neither authenticated nor encrypted (anybody who reaches "
            f"the scheduler could start a worker and receive students' files); use a tls:// address with the "
            f"course's certificates (`dlkit cluster init`), or add --insecure-cluster on a network only the course's "
            f"machines reach")


def init(course_dir: Path, days: int = DAYS) -> tuple[Path, datetime.datetime]:
    """Make the course's certificate authority and a certificate and key for each role in ``COURSE/cluster/``;
    (the folder, when they expire). Refuses to replace certificates that exist (machines may be using them)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    if days < 1:
        raise UsageError(f"--days must be at least 1, got {days}")
    folder = folder_of(course_dir)
    present = [name for name in files() if (folder / name).exists()]
    if present:
        raise UsageError(f"{folder} already holds the course's cluster certificates ({', '.join(present)}); the "
                         f"cluster's machines may be using them. To make new ones, move that folder away first: "
                         f"every machine then needs the new files")
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    expires = now + datetime.timedelta(days=days)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "dlkit course"),
                          x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def signed(subject: x509.Name, public: Any, issuer: x509.Name, signer: Any, authority: bool) -> x509.Certificate:
        builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public)
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
                   .not_valid_after(expires)
                   .add_extension(x509.BasicConstraints(ca=authority, path_length=0 if authority else None),
                                  critical=True)
                   .add_extension(x509.KeyUsage(digital_signature=not authority, key_cert_sign=authority,
                                                crl_sign=authority, content_commitment=False, key_encipherment=False,
                                                data_encipherment=False, key_agreement=False, encipher_only=False,
                                                decipher_only=False), critical=True))
        if not authority:  # every role both listens and connects: the scheduler and workers serve, all are clients
            builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                                   ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        return builder.sign(signer, hashes.SHA256())

    authority_key = ec.generate_private_key(ec.SECP256R1())
    authority_name = name(f"dlkit course authority {secrets.token_hex(8)}")  # one of its own per init
    authority = signed(authority_name, authority_key.public_key(), authority_name, authority_key, authority=True)
    _write(folder / CA, authority.public_bytes(serialization.Encoding.PEM), private=False)
    for role in ROLES:
        private = ec.generate_private_key(ec.SECP256R1())
        issued = signed(name(f"dlkit {role}"), private.public_key(), authority_name, authority_key, authority=False)
        _write(folder / certificate(role), issued.public_bytes(serialization.Encoding.PEM), private=False)
        _write(folder / key(role), private.private_bytes(serialization.Encoding.PEM,
                                                          serialization.PrivateFormat.PKCS8,
                                                          serialization.NoEncryption()), private=True)
    return folder, expires


def _write(path: Path, content: bytes, private: bool) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if private else 0o644)
    with os.fdopen(descriptor, "wb") as file:
        file.write(content)


def start_commands(folder: Path, scheduler_host: str = "SCHEDULER-HOST") -> Sequence[tuple[str, str]]:
    """(what, command) to start the scheduler and a worker with the certificates in ``folder``, and to grade."""
    def tls(role: str) -> str:
        return (f"--tls-ca-file {folder / CA} --tls-cert {folder / certificate(role)} "
                f"--tls-key {folder / key(role)}")

    return [("the scheduler", f"dask scheduler --protocol tls {tls('scheduler')}"),
            ("each grading machine",
             f"dask worker tls://{scheduler_host}:8786 --nthreads 1 {tls('worker')}"),
            ("grade", f"dlkit autograde ASSIGNMENT --course-dir {folder.parent} "
                      f"--scheduler tls://{scheduler_host}:8786")]


def client_security(course_dir: Path) -> Any:
    """The ``distributed.Security`` of dlkit autograde's connection: the course's client certificate, its
    authority, and encryption required."""
    from distributed import Security

    folder = folder_of(course_dir)
    missing = [name for name in (CA, certificate("client"), key("client")) if not (folder / name).is_file()]
    if missing:
        raise UsageError(f"a tls:// scheduler needs the course's cluster certificates, and {folder} lacks "
                         f"{', '.join(missing)}: run `dlkit cluster init --course-dir {course_dir}` and start the "
                         f"scheduler and workers with the files it makes")
    return Security(tls_ca_file=str(folder / CA), tls_client_cert=str(folder / certificate("client")),
                    tls_client_key=str(folder / key("client")), require_encryption=True)
