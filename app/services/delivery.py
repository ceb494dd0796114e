"""Send outbox mails over SMTP, or write them as .eml files when no SMTP host is set.

A worker claims a row with a conditional UPDATE before sending, so two workers
never send the same mail at once, and a row marked sent is never sent again.
A temporary SMTP failure (a 4xx reply, a refused or dropped connection) puts the
row back with a later ``next_attempt_at``, and the requeue sweep tries again. A
permanent failure (a 5xx reply) marks it failed and records that on the ticket.

NOTE: delivery is at least once, not exactly once. If a worker dies after the SMTP
server accepted a mail but before the row is marked sent, the claim expires after
ROLDESK_MAIL_CLAIM_SECONDS and the mail is sent again, with the same Message-ID so
a receiving system can drop the copy.
"""

import logging
import smtplib
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from datetime import timedelta
from email import policy
from email.policy import Compat32
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, update

from app.extensions import db
from app.models import MAIL_FAILED, MAIL_PENDING, MAIL_SENT, HistoryEvent, OutboxMail
from app.models.types import utcnow
from app.services.dispatch import enqueue_after_commit

logger = logging.getLogger(__name__)

# One mail per task; commits queue DELIVER_BATCH_TASK (app/services/outbox.py) instead.
DELIVER_TASK = "tasks.mail.deliver_mail"
EVENT_MAIL_FAILED = "mail_failed"
# Retry delays double from the first one up to this cap; after MAX_ATTEMPTS the mail is
# marked failed. With the default first delay of 60 s that is about a day of retries.
MAX_RETRY_DELAY = timedelta(hours=1)
MAX_ATTEMPTS = 30
SMTP_TIMEOUT_SECONDS = 30


class _SmtpCompat32(Compat32):
    """The compat32 policy with CRLF line ends, writing short ASCII headers as they are.

    compat32 runs every header through an ``email.header.Header`` to fold it, which
    leaves a short ASCII header unchanged but, in a profile of batch delivery, took as
    long as building the rest of the message. Longer or non-ASCII headers still go that way.
    """

    def fold_binary(self, name: str, value) -> bytes:
        if (isinstance(value, str) and value.isascii() and "\n" not in value and "\r" not in value
                and len(name) + 2 + len(value) <= self.max_line_length):
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


SMTP_COMPAT32 = _SmtpCompat32(linesep="\r\n")


@dataclass
class DeliveryError(Exception):
    """An SMTP failure: ``permanent`` for a 5xx reply, otherwise worth another try.

    ``connection_lost`` marks a failed connection, as opposed to a reply that rejects this mail.
    """

    permanent: bool
    detail: str
    connection_lost: bool = False

    def __str__(self) -> str:
        return self.detail


def _ascii_domain(address: str) -> str:
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.encode('idna').decode('ascii')}"


@lru_cache(maxsize=8)
def _sender(mail_from: str) -> tuple[str, str]:
    return parseaddr(mail_from)


def build_message(mail: OutboxMail, address: str | None = None) -> EmailMessage:
    """Build the MIME message with a text and an HTML part, addressed to ``address``."""
    message = EmailMessage()
    sender_name, sender_address = _sender(current_app.config["MAIL_FROM"])
    message["From"] = Address(sender_name, addr_spec=sender_address)
    local, _, domain = (address or mail.to_address).rpartition("@")
    message["To"] = Address(mail.to_name, local, domain)
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = mail.message_id
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    # After the parts, because set_content drops every Content-* header set before it.
    message["Content-Language"] = mail.language
    return message


def ascii_message_bytes(mail: OutboxMail, address: str) -> bytes:
    """Serialise ``mail`` to ``address`` as SMTP-ready bytes, for ASCII sender and recipient addresses.

    The same parts and headers as ``build_message``, built with the ``email.mime``
    classes and the compat32 policy. That measured about three times faster than
    EmailMessage, whose header parsing and folding took longer than the SMTP exchange
    on loopback (bench/mail.py). Non-ASCII display names and subjects are RFC 2047 encoded.
    """
    sender_name, sender_address = _sender(current_app.config["MAIL_FROM"])
    # A boundary of our own, so the generator does not compile a regular expression per
    # mail to pick one. The underscore never occurs in base64, so no body line can match it.
    message = MIMEMultipart("alternative", boundary=f"=_roldesk_{uuid.uuid4().hex}")
    message["From"] = formataddr((sender_name, sender_address), charset="utf-8")
    message["To"] = formataddr((mail.to_name, address), charset="utf-8")
    message["Subject"] = mail.subject if mail.subject.isascii() else Header(mail.subject, "utf-8")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = mail.message_id
    message["Content-Language"] = mail.language
    for body, subtype in ((mail.body_text, "plain"), (mail.body_html, "html")):
        part = MIMEText(body, subtype, "utf-8")
        del part["MIME-Version"]  # the top level carries it
        message.attach(part)
    return message.as_bytes(policy=SMTP_COMPAT32)


def claim_lease() -> timedelta:
    return timedelta(seconds=current_app.config.get("MAIL_CLAIM_SECONDS", 300))


def claimable(now):
    """Return the WHERE clause for due pending mails with no claim or an expired one."""
    return (
        OutboxMail.status == MAIL_PENDING,
        or_(OutboxMail.claimed_at.is_(None), OutboxMail.claimed_at < now - claim_lease()),
        or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now),
    )


def _claim(mail_id: int) -> str | None:
    token = uuid.uuid4().hex
    claimed = db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, *claimable(utcnow()))
        .values(claimed_at=utcnow(), claim_token=token, attempts=OutboxMail.attempts + 1)
    )
    db.session.commit()
    return token if claimed.rowcount == 1 else None


def write_file(message: EmailMessage, mail: OutboxMail) -> None:
    folder = Path(current_app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    # An internationalised address needs UTF-8 headers (RFC 6532); other mails keep the
    # ASCII-only form that every mail program reads.
    data = message.as_bytes(policy=policy.default.clone(utf8=not mail.to_address.isascii()))
    (folder / f"{mail.id:08d}-{mail.template}.eml").write_bytes(data)


def open_smtp() -> smtplib.SMTP:
    config = current_app.config
    smtp_class = smtplib.SMTP_SSL if config["SMTP_TLS"] == "ssl" else smtplib.SMTP
    smtp = smtp_class(config["SMTP_HOST"], config["SMTP_PORT"], timeout=SMTP_TIMEOUT_SECONDS)
    try:
        smtp.ehlo()
        if config["SMTP_TLS"] == "starttls":
            smtp.starttls()
            smtp.ehlo()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def _smtp_address(smtp: smtplib.SMTP, address: str) -> str:
    """Return ``address`` in a form the server accepts: punycode domain without SMTPUTF8."""
    if address.isascii() or smtp.has_extn("smtputf8"):
        return address
    if not address.rpartition("@")[0].isascii():
        raise DeliveryError(True, "the SMTP server does not support SMTPUTF8, which the "
                                  "non-ASCII local part of the address requires")
    return _ascii_domain(address)


@contextmanager
def smtp_errors():
    """Turn smtplib's exceptions into a DeliveryError for the mail being sent."""
    try:
        yield
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        raise DeliveryError(code >= 500, f"recipient refused: {code} {reply!r}") from error
    except smtplib.SMTPResponseException as error:
        raise DeliveryError(error.smtp_code >= 500,
                            f"SMTP reply {error.smtp_code} {error.smtp_error!r}") from error
    except OSError as error:
        # Refused and dropped connections and timeouts; smtplib's other errors are OSErrors too.
        raise DeliveryError(False, f"{type(error).__name__}: {error}",
                            connection_lost=True) from error


def send_over(smtp: smtplib.SMTP, mail: OutboxMail) -> None:
    """Send ``mail`` over the open connection ``smtp``; raise DeliveryError when it is refused."""
    with smtp_errors():
        address = _smtp_address(smtp, mail.to_address)
        sender = _sender(current_app.config["MAIL_FROM"])[1]
        if address.isascii() and sender.isascii():
            smtp.sendmail(sender, [address], ascii_message_bytes(mail, address))
        else:
            # Internationalised addresses need SMTPUTF8 and UTF-8 headers, which send_message sets up.
            smtp.send_message(build_message(mail, address), to_addrs=[address])


def _send_smtp(mail: OutboxMail) -> None:
    with smtp_errors():
        with open_smtp() as smtp:
            send_over(smtp, mail)


def _retry_delay(attempts: int) -> timedelta:
    first = timedelta(seconds=current_app.config.get("MAIL_RETRY_SECONDS", 60))
    return min(first * 2 ** max(attempts - 1, 0), MAX_RETRY_DELAY)


def _finish(mail_id: int, token: str, **values) -> None:
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.claim_token == token)
        .values(**values)
    )
    db.session.commit()


def record_failure(mail: OutboxMail, token: str, error: DeliveryError) -> str:
    if error.permanent or mail.attempts >= MAX_ATTEMPTS:
        _finish(mail.id, token, status=MAIL_FAILED, last_error=error.detail, claim_token=None)
        if mail.ticket_id is not None:
            db.session.add(HistoryEvent(ticket_id=mail.ticket_id, kind=EVENT_MAIL_FAILED,
                                        reason=f"{mail.template}: {error.detail}", internal=True))
            db.session.commit()
        logger.warning("mail %s (%s) for ticket %s failed after %s attempts: %s", mail.id,
                       mail.template, mail.ticket_id, mail.attempts, error.detail)
        return "failed"
    delay = _retry_delay(mail.attempts)
    _finish(mail.id, token, claimed_at=None, claim_token=None, last_error=error.detail,
            next_attempt_at=utcnow() + delay)
    logger.warning("mail %s (%s) for ticket %s not delivered (attempt %s): %s; retry in %s",
                   mail.id, mail.template, mail.ticket_id, mail.attempts, error.detail, delay)
    return "retry"


def deliver(mail_id: int) -> str:
    """Send mail ``mail_id`` unless it is sent, failed or claimed by another worker.

    Returns "sent", "skipped", "retry" (a temporary failure) or "failed".
    """
    token = _claim(mail_id)
    if token is None:
        logger.debug("mail %s already sent, failed, not due or being sent; skipped", mail_id)
        return "skipped"
    mail = db.session.get(OutboxMail, mail_id)
    try:
        if current_app.config.get("SMTP_HOST"):
            _send_smtp(mail)
        else:
            write_file(build_message(mail), mail)
    except DeliveryError as error:
        return record_failure(mail, token, error)
    _finish(mail_id, token, status=MAIL_SENT, sent_at=utcnow(), last_error="")
    logger.info("mail %s (%s) for ticket %s sent", mail_id, mail.template, mail.ticket_id)
    return "sent"


def requeue_unsent(limit: int = 500) -> int:
    """Queue delivery for pending mails whose claim is free or expired and whose retry is due."""
    ids = db.session.scalars(
        select(OutboxMail.id)
        .where(*claimable(utcnow()))
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    for mail_id in ids:
        enqueue_after_commit(db.session, DELIVER_TASK, mail_id)
    db.session.commit()
    if ids:
        logger.info("queued %s unsent mails again", len(ids))
    return len(ids)


def failed_mails(ticket_id: int) -> list[OutboxMail]:
    """Return the ticket's mails that could not be delivered, newest first, for staff to see."""
    return list(db.session.scalars(
        select(OutboxMail)
        .where(OutboxMail.ticket_id == ticket_id, OutboxMail.status == MAIL_FAILED)
        .order_by(OutboxMail.id.desc())
    ))
