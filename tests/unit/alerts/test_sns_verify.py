"""POST /sns trusts a message only when SNS's certificate vouches for it, and its topic is ours."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

import pytest

from bot.alerts.sns_verify import MAX_CERT_BYTES, SnsVerifier, fetch_pem
from bot.errors import ForgedMessage

if TYPE_CHECKING:
    from tests.unit.alerts.conftest import SnsSigner

Load = Callable[[str], dict[str, Any]]
TOPIC = "arn:aws:sns:us-east-1:123456789012:keycheck-alerts"
HOST = "sns.us-east-1.amazonaws.com"


@pytest.fixture
def notification(load_event: Load) -> dict[str, Any]:
    return load_event("sns_eventbridge_getcalleridentity.json")


@pytest.fixture
def confirmation(load_event: Load) -> dict[str, Any]:
    return load_event("sns_subscription_confirmation.json")


# The fixtures were recorded once; tests of other checks accept their old Timestamps.
ANY_AGE = timedelta(days=3650)


def verifier(signer: SnsSigner, topics: tuple[str, ...] = (TOPIC,)) -> SnsVerifier:
    return SnsVerifier(topics, fetch_certificate=signer.fetch, max_age=ANY_AGE)


@pytest.mark.parametrize("version", ["1", "2"])
def test_signed_notification_is_trusted(
    sns_signer: SnsSigner, notification: dict[str, Any], version: str
) -> None:
    message = verifier(sns_signer).verify(sns_signer.sign(notification, version))

    assert message.type == "Notification"
    assert message.topic_arn == TOPIC
    assert message.message_id == notification["MessageId"]


def test_notification_with_a_subject_signs_the_subject(
    sns_signer: SnsSigner, load_event: Load
) -> None:
    alarm = load_event("sns_cloudwatch_alarm_access_denied.json")
    signed = sns_signer.sign(alarm, "2")

    assert verifier(sns_signer).verify(signed).subject == alarm["Subject"]
    with pytest.raises(ForgedMessage, match="signature does not match"):
        verifier(sns_signer).verify(signed | {"Subject": "OK: all quiet"})


def test_signed_subscription_confirmation_is_trusted(
    sns_signer: SnsSigner, confirmation: dict[str, Any]
) -> None:
    message = verifier(sns_signer).verify(sns_signer.sign(confirmation))

    assert message.type == "SubscriptionConfirmation"
    assert message.token == confirmation["Token"]


def test_certificate_is_fetched_once(sns_signer: SnsSigner, notification: dict[str, Any]) -> None:
    check = verifier(sns_signer)
    before = len(sns_signer.fetched)

    for version in ("1", "2", "1"):
        check.verify(sns_signer.sign(notification, version))

    assert len(sns_signer.fetched) - before == 1


@pytest.mark.parametrize("field", ["Message", "MessageId", "Timestamp", "TopicArn"])
def test_tampered_field_is_refused(
    sns_signer: SnsSigner, notification: dict[str, Any], field: str
) -> None:
    signed = sns_signer.sign(notification)
    tampered = signed | {field: signed[field] + "x"}
    check = SnsVerifier(
        (TOPIC, tampered["TopicArn"]), fetch_certificate=sns_signer.fetch, max_age=ANY_AGE
    )

    with pytest.raises(ForgedMessage, match="signature does not match"):
        check.verify(tampered)


def test_signature_from_another_key_is_refused(
    sns_signer: SnsSigner, make_signer: Callable[..., SnsSigner], notification: dict[str, Any]
) -> None:
    impostor = make_signer()

    with pytest.raises(ForgedMessage, match="signature does not match"):
        verifier(sns_signer).verify(impostor.sign(notification))


def test_signature_that_is_not_base64_is_refused(
    sns_signer: SnsSigner, notification: dict[str, Any]
) -> None:
    signed = sns_signer.sign(notification) | {"Signature": "not base64 at all!"}

    with pytest.raises(ForgedMessage, match="signature does not match"):
        verifier(sns_signer).verify(signed)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"http://{HOST}/SimpleNotificationService-x.pem", "not https"),
        (f"https://{HOST}.evil.com/SimpleNotificationService-x.pem", "is not " + HOST),
        (f"https://{HOST}@evil.com/SimpleNotificationService-x.pem", "is not " + HOST),
        (f"https://evil.com#@{HOST}/SimpleNotificationService-x.pem", "is not " + HOST),
        (f"https://{HOST}:8443/SimpleNotificationService-x.pem", "is not " + HOST),
        ("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-x.pem", "is not " + HOST),
        ("https://s3.amazonaws.com/my-bucket/SimpleNotificationService-x.pem", "is not " + HOST),
        (f"https://{HOST}/SimpleNotificationService-x.crt", "not a .pem"),
        (f"https://{HOST}/x.pem?redirect=https://evil.com/a.pem", "not a .pem"),
    ],
)
def test_certificate_url_that_is_not_sns_is_refused_without_fetching(
    sns_signer: SnsSigner, notification: dict[str, Any], url: str, reason: str
) -> None:
    before = len(sns_signer.fetched)
    signed = sns_signer.sign(notification | {"SigningCertURL": url})

    with pytest.raises(ForgedMessage, match=reason):
        verifier(sns_signer).verify(signed)
    assert len(sns_signer.fetched) == before


def test_port_443_and_upper_case_host_are_still_sns(
    sns_signer: SnsSigner, notification: dict[str, Any]
) -> None:
    url = "https://SNS.us-east-1.amazonaws.com:443/SimpleNotificationService-x.pem"

    assert verifier(sns_signer).verify(sns_signer.sign(notification | {"SigningCertURL": url}))


def test_china_regions_use_their_own_domain(
    sns_signer: SnsSigner, notification: dict[str, Any]
) -> None:
    topic = "arn:aws-cn:sns:cn-north-1:123456789012:keycheck-alerts"
    url = "https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-x.pem"
    signed = sns_signer.sign(notification | {"TopicArn": topic, "SigningCertURL": url})

    assert verifier(sns_signer, (topic,)).verify(signed).topic_arn == topic


def test_unknown_topic_is_refused_before_any_fetch(
    sns_signer: SnsSigner, notification: dict[str, Any]
) -> None:
    before = len(sns_signer.fetched)
    signed = sns_signer.sign(notification | {"TopicArn": TOPIC.replace("alerts", "other")})

    with pytest.raises(ForgedMessage, match="not on the allowlist"):
        verifier(sns_signer).verify(signed)
    assert len(sns_signer.fetched) == before


def test_empty_allowlist_refuses_everything(
    sns_signer: SnsSigner, notification: dict[str, Any]
) -> None:
    with pytest.raises(ForgedMessage, match="No SNS topic is allowed"):
        verifier(sns_signer, ()).verify(sns_signer.sign(notification))


@pytest.mark.parametrize("version", ["3", "", "1.0"])
def test_unsupported_signature_version_is_refused(
    sns_signer: SnsSigner, notification: dict[str, Any], version: str
) -> None:
    signed = sns_signer.sign(notification) | {"SignatureVersion": version}

    with pytest.raises(ForgedMessage, match="Unsupported SignatureVersion"):
        verifier(sns_signer).verify(signed)


@pytest.mark.parametrize(
    ("field", "reason"),
    [
        ("Signature", "without Signature"),
        ("SigningCertURL", "without Signature or SigningCertURL"),
        ("Message", "Message field required"),
        ("MessageId", "MessageId field required"),
        ("Timestamp", "Timestamp field required"),
        ("TopicArn", "TopicArn field required"),
        ("Type", "Not an SNS message"),
    ],
)
def test_missing_field_is_refused(
    sns_signer: SnsSigner, notification: dict[str, Any], field: str, reason: str
) -> None:
    signed = sns_signer.sign(notification)
    del signed[field]

    with pytest.raises(ForgedMessage, match=reason):
        verifier(sns_signer).verify(signed)


def test_field_of_the_wrong_type_is_refused(
    sns_signer: SnsSigner, notification: dict[str, Any]
) -> None:
    signed = sns_signer.sign(notification) | {"Message": {"detail": "smuggled"}}

    with pytest.raises(ForgedMessage, match="Message"):
        verifier(sns_signer).verify(signed)


def test_confirmation_without_token_is_refused(
    sns_signer: SnsSigner, confirmation: dict[str, Any]
) -> None:
    unsigned = copy.deepcopy(confirmation)
    del unsigned["Token"]

    with pytest.raises(ForgedMessage, match="without Token"):
        verifier(sns_signer).verify(sns_signer.sign(unsigned))


def test_certificate_not_issued_to_sns_is_refused(
    make_signer: Callable[..., SnsSigner], notification: dict[str, Any]
) -> None:
    rogue = make_signer("sns.amazonaws.com.evil.com")

    with pytest.raises(ForgedMessage, match="not issued to SNS"):
        verifier(rogue).verify(rogue.sign(notification))


def test_expired_certificate_is_refused(
    sns_signer: SnsSigner, notification: dict[str, Any]
) -> None:
    later = datetime.now(UTC) + timedelta(days=400)
    check = SnsVerifier(
        [TOPIC], fetch_certificate=sns_signer.fetch, clock=lambda: later, max_age=ANY_AGE
    )

    with pytest.raises(ForgedMessage, match="not valid now"):
        check.verify(sns_signer.sign(notification))


def test_garbage_certificate_is_refused(
    sns_signer: SnsSigner, notification: dict[str, Any]
) -> None:
    check = SnsVerifier(
        [TOPIC], fetch_certificate=lambda url: b"<html>hello</html>", max_age=ANY_AGE
    )

    with pytest.raises(ForgedMessage, match="not a PEM certificate"):
        check.verify(sns_signer.sign(notification))


class _CertificateServer(BaseHTTPRequestHandler):
    pem = b""

    def do_GET(self) -> None:
        if self.path == "/moved.pem":
            self.send_response(302)
            self.send_header("Location", "/cert.pem")
            self.end_headers()
            return
        body = self.pem if self.path == "/cert.pem" else b"-" * (MAX_CERT_BYTES + 10)
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture(scope="module")
def certificate_server(sns_signer: SnsSigner) -> Iterator[str]:
    handler = type("Handler", (_CertificateServer,), {"pem": sns_signer.pem})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_default_fetcher_reads_a_certificate(
    certificate_server: str, sns_signer: SnsSigner
) -> None:
    assert fetch_pem(f"{certificate_server}/cert.pem") == sns_signer.pem


def test_default_fetcher_follows_no_redirect(certificate_server: str) -> None:
    with pytest.raises(ForgedMessage, match="Cannot fetch"):
        fetch_pem(f"{certificate_server}/moved.pem")


def test_default_fetcher_caps_the_size(certificate_server: str) -> None:
    with pytest.raises(ForgedMessage, match="implausibly large"):
        fetch_pem(f"{certificate_server}/huge.pem")


@pytest.mark.parametrize(
    ("sent", "reason"),
    [
        (timedelta(hours=-2), "too old"),
        (timedelta(days=-400), "too old"),
        (timedelta(minutes=30), "in the future"),
    ],
)
def test_a_signed_message_outside_the_sns_hour_is_refused(
    sns_signer: SnsSigner, notification: dict[str, Any], sent: timedelta, reason: str
) -> None:
    """Finding: the Timestamp was not checked, so a captured message could be replayed."""
    now = datetime.now(UTC)
    stamp = (now + sent).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    signed = sns_signer.sign(notification | {"Timestamp": stamp})

    with pytest.raises(ForgedMessage, match=reason):
        SnsVerifier([TOPIC], fetch_certificate=sns_signer.fetch, clock=lambda: now).verify(signed)


def test_a_signed_message_from_within_the_hour_is_trusted(
    sns_signer: SnsSigner, notification: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    stamp = (now - timedelta(minutes=55)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    check = SnsVerifier([TOPIC], fetch_certificate=sns_signer.fetch, clock=lambda: now)

    assert check.verify(sns_signer.sign(notification | {"Timestamp": stamp})).timestamp == stamp
