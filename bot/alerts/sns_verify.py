"""SNS HTTPS messages are trusted only once their signature checks out against SNS's certificate."""

from __future__ import annotations

import base64
import binascii
import re
import threading
import urllib.error
import urllib.request
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any, Final
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from bot.alerts import sns_message
from bot.alerts.fields import when
from bot.alerts.sns_message import SnsMessage
from bot.errors import BadEnvelope, ForgedMessage
from bot.models import utcnow

Fetcher = Callable[[str], bytes]

# The documented string-to-sign: "Name\nvalue\n" for each field, in this order (Subject only
# when the message has one).
SIGNED_FIELDS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "Notification": (
        ("Message", "message"),
        ("MessageId", "message_id"),
        ("Subject", "subject"),
        ("Timestamp", "timestamp"),
        ("TopicArn", "topic_arn"),
        ("Type", "type"),
    ),
    "SubscriptionConfirmation": (
        ("Message", "message"),
        ("MessageId", "message_id"),
        ("SubscribeURL", "subscribe_url"),
        ("Timestamp", "timestamp"),
        ("Token", "token"),
        ("TopicArn", "topic_arn"),
        ("Type", "type"),
    ),
}
SIGNED_FIELDS["UnsubscribeConfirmation"] = SIGNED_FIELDS["SubscriptionConfirmation"]
HASHES: Final[dict[str, Callable[[], hashes.HashAlgorithm]]] = {
    "1": hashes.SHA1,  # SignatureVersion 1 is SHA1withRSA
    "2": hashes.SHA256,
}
REGION: Final = re.compile(r"\A[a-z]{2}(-[a-z]+)+-\d{1,2}\Z")
SNS_CERT_NAME: Final = re.compile(r"\Asns(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?\Z")
MAX_CERT_BYTES: Final = 64 * 1024
FETCH_TIMEOUT_SECONDS: Final = 5.0
CACHED_CERTIFICATES: Final = 16
# SNS retries an HTTP/S delivery for at most an hour (the delivery policy's ceiling), so a
# genuine message is never older; an older one is a replay. The future allows clock skew.
MAX_MESSAGE_AGE: Final = timedelta(hours=1)
MAX_CLOCK_SKEW: Final = timedelta(minutes=5)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The certificate must come from the checked URL itself, not wherever it points."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def fetch_pem(url: str) -> bytes:
    """GET the PEM over verified TLS, with a timeout and a size cap, following no redirect."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        # The URL was checked by check_certificate_url: https, SNS's own host, a .pem path.
        with opener.open(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
            data: bytes = response.read(MAX_CERT_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise ForgedMessage(f"Cannot fetch the SNS signing certificate ({error}).") from None
    if len(data) > MAX_CERT_BYTES:
        raise ForgedMessage("The SNS signing certificate is implausibly large.")
    return data


def expected_host(region: str) -> str:
    if not REGION.match(region):
        raise ForgedMessage("The TopicArn has no valid region.")
    return f"sns.{region}.amazonaws.com" + (".cn" if region.startswith("cn-") else "")


def check_certificate_url(url: str, region: str) -> None:
    """https, exactly sns.<topic's region>.amazonaws.com[.cn] (port 443 at most), a .pem path.

    Comparing the whole netloc rejects userinfo ('…@evil.com'), other ports, and look-alike
    hosts ('sns.us-east-1.amazonaws.com.evil.com') in one test.
    """
    parts = urlsplit(url)
    host = expected_host(region)
    if parts.scheme != "https":
        raise ForgedMessage("SigningCertURL is not https.")
    if parts.netloc.lower() not in {host, f"{host}:443"}:
        raise ForgedMessage(f"SigningCertURL host {parts.netloc[:80]!r} is not {host}.")
    if not parts.path.endswith(".pem") or parts.query or parts.fragment:
        raise ForgedMessage("SigningCertURL is not a .pem certificate.")


def string_to_sign(message: SnsMessage) -> bytes:
    fields = SIGNED_FIELDS[message.type]
    values = ((name, getattr(message, attribute)) for name, attribute in fields)
    return "".join(f"{name}\n{value}\n" for name, value in values if value is not None).encode()


class SnsVerifier:
    """Checks topic, certificate and signature; caches certificates by URL."""

    def __init__(
        self,
        allowed_topics: Iterable[str],
        *,
        fetch_certificate: Fetcher | None = None,
        clock: Callable[[], datetime] = utcnow,
        max_age: timedelta = MAX_MESSAGE_AGE,
    ) -> None:
        self.allowed_topics = frozenset(allowed_topics)
        self.max_age = max_age
        self._fetch = fetch_certificate or fetch_pem
        self._clock = clock
        self._certificates: OrderedDict[str, x509.Certificate] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, message: Mapping[str, Any]) -> SnsMessage:
        """The message, once trusted; ForgedMessage saying why not otherwise."""
        sns = self._read(message)
        if sns.topic_arn not in self.allowed_topics:
            if not self.allowed_topics:
                raise ForgedMessage("No SNS topic is allowed (set KEYCHECK_SNS_TOPIC_ARNS).")
            raise ForgedMessage(f"Topic {sns.topic_arn[:200]} is not on the allowlist.")
        algorithm = HASHES.get(sns.signature_version)
        if algorithm is None:
            raise ForgedMessage(f"Unsupported SignatureVersion {sns.signature_version[:10]!r}.")
        if sns.type != "Notification" and not (sns.token and sns.subscribe_url):
            raise ForgedMessage(f"SNS {sns.type} without Token or SubscribeURL.")
        if not sns.signature or not sns.signing_cert_url:
            raise ForgedMessage("SNS message without Signature or SigningCertURL.")
        check_certificate_url(sns.signing_cert_url, sns.region)
        public_key = self._public_key(sns.signing_cert_url)
        try:
            signature = base64.b64decode(sns.signature, validate=True)
            public_key.verify(signature, string_to_sign(sns), padding.PKCS1v15(), algorithm())
        except (binascii.Error, InvalidSignature):
            raise ForgedMessage("The SNS signature does not match the message.") from None
        self._check_timestamp(sns)
        return sns

    def _check_timestamp(self, sns: SnsMessage) -> None:
        """Signed but replayed is still refused: the Timestamp must be within SNS's hour."""
        sent = when(sns.timestamp)
        if sent is None:
            raise ForgedMessage("The SNS Timestamp is not a time.")
        now = self._clock()
        if sent < now - self.max_age - MAX_CLOCK_SKEW:
            raise ForgedMessage(f"The SNS message is from {sns.timestamp[:40]}: too old, a replay.")
        if sent > now + MAX_CLOCK_SKEW:
            raise ForgedMessage(f"The SNS message is from {sns.timestamp[:40]}, in the future.")

    def _read(self, message: Mapping[str, Any]) -> SnsMessage:
        if not sns_message.is_sns(message):
            raise ForgedMessage("Not an SNS message (no Type SNS uses).")
        try:
            return sns_message.read(dict(message))
        except BadEnvelope as error:
            raise ForgedMessage(str(error)) from None

    def _public_key(self, url: str) -> rsa.RSAPublicKey:
        with self._lock:
            certificate = self._certificates.get(url)
            if certificate is not None:
                self._certificates.move_to_end(url)
        if certificate is None:
            certificate = self._load(url)
            with self._lock:
                self._certificates[url] = certificate
                while len(self._certificates) > CACHED_CERTIFICATES:
                    self._certificates.popitem(last=False)
        now = self._clock()
        if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
            raise ForgedMessage("The SNS signing certificate is not valid now.")
        key = certificate.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise ForgedMessage("The SNS signing certificate does not hold an RSA key.")
        return key

    def _load(self, url: str) -> x509.Certificate:
        """Fetch and parse; only a certificate issued to SNS is cached."""
        try:
            certificate = x509.load_pem_x509_certificate(self._fetch(url))
        except ValueError:
            raise ForgedMessage("The SNS signing certificate is not a PEM certificate.") from None
        if not _issued_to_sns(certificate):
            raise ForgedMessage("The signing certificate was not issued to SNS.")
        return certificate


def _issued_to_sns(certificate: x509.Certificate) -> bool:
    names = [str(a.value) for a in certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    try:
        alternative = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names += alternative.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        pass
    return any(SNS_CERT_NAME.match(name.lower()) for name in names)
