"""Send outbox mails over SMTP, or write them as .eml files when no SMTP host is set.

A worker claims a row with a conditional UPDATE before sending, so two workers
never send the same mail at once, and a row marked sent is never sent again.
"""

import logging
import smtplib
import uuid
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from pathlib import Path

from flask import current_app
from sqlalchemy import or_, select, update

from app.extensions import db
from app.models import MAIL_PENDING, MAIL_SENT, OutboxMail
from app.models.types import utcnow
from app.services.dispatch import enqueue_after_commit

logger = logging.getLogger(__name__)

# A claim older than this is taken to belong to a worker that died while sending.
CLAIM_LEASE = timedelta(minutes=5)
DELIVER_TASK = "tasks.mail.deliver_mail"


def build_message(mail: OutboxMail) -> EmailMessage:
    """Build the MIME message with a text and an HTML part."""
    message = EmailMessage()
    sender_name, sender_address = parseaddr(current_app.config["MAIL_FROM"])
    message["From"] = Address(sender_name, addr_spec=sender_address)
    local, _, domain = mail.to_address.rpartition("@")
    message["To"] = Address(mail.to_name, local, domain)
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = mail.message_id
    message["Content-Language"] = mail.language
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    return message


def _claim(mail_id: int) -> str | None:
    token = uuid.uuid4().hex
    now = utcnow()
    claimed = db.session.execute(
        update(OutboxMail)
        .where(
            OutboxMail.id == mail_id,
            OutboxMail.status == MAIL_PENDING,
            or_(OutboxMail.claimed_at.is_(None), OutboxMail.claimed_at < now - CLAIM_LEASE),
        )
        .values(claimed_at=now, claim_token=token, attempts=OutboxMail.attempts + 1)
    )
    db.session.commit()
    return token if claimed.rowcount == 1 else None


def _send(message: EmailMessage, mail: OutboxMail) -> None:
    config = current_app.config
    if not config.get("SMTP_HOST"):
        folder = Path(config["MAIL_DIR"])
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{mail.id:08d}-{mail.template}.eml").write_bytes(bytes(message))
        return
    smtp_class = smtplib.SMTP_SSL if config["SMTP_TLS"] == "ssl" else smtplib.SMTP
    with smtp_class(config["SMTP_HOST"], config["SMTP_PORT"], timeout=30) as smtp:
        if config["SMTP_TLS"] == "starttls":
            smtp.starttls()
        if config.get("SMTP_USER"):
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)


def deliver(mail_id: int) -> str:
    """Send mail ``mail_id`` unless it is sent or claimed by another worker; return the outcome."""
    token = _claim(mail_id)
    if token is None:
        logger.debug("mail %s already sent or being sent; skipped", mail_id)
        return "skipped"
    mail = db.session.get(OutboxMail, mail_id)
    _send(build_message(mail), mail)
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id == mail_id, OutboxMail.claim_token == token)
        .values(status=MAIL_SENT, sent_at=utcnow(), last_error="")
    )
    db.session.commit()
    logger.info("mail %s (%s) sent to ticket %s's recipient", mail_id, mail.template, mail.ticket_id)
    return "sent"


def requeue_unsent(limit: int = 500) -> int:
    """Queue delivery for pending mails whose claim is free or expired."""
    now = utcnow()
    ids = db.session.scalars(
        select(OutboxMail.id)
        .where(
            OutboxMail.status == MAIL_PENDING,
            or_(OutboxMail.claimed_at.is_(None), OutboxMail.claimed_at < now - CLAIM_LEASE),
            or_(OutboxMail.next_attempt_at.is_(None), OutboxMail.next_attempt_at <= now),
        )
        .order_by(OutboxMail.id)
        .limit(limit)
    ).all()
    for mail_id in ids:
        enqueue_after_commit(db.session, DELIVER_TASK, mail_id)
    db.session.commit()
    return len(ids)
