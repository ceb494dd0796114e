"""Write mails to the outbox, rendered in the recipient's language."""

import logging
from dataclasses import dataclass
from email.utils import make_msgid, parseaddr

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Account, OutboxMail, Ticket
from app.services.dispatch import enqueue_batched_after_commit

logger = logging.getLogger(__name__)

# Delivers every mail of one commit over one SMTP connection.
DELIVER_BATCH_TASK = "tasks.mail.deliver_mails"


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str = ""
    language: str = "nl"

    @classmethod
    def of(cls, account: Account) -> "Recipient":
        return cls(account.email_normalized, account.full_name, account.language or "nl")


def _message_id() -> str:
    sender_domain = parseaddr(current_app.config["MAIL_FROM"])[1].rpartition("@")[2] or "roldesk.example"
    return make_msgid(domain=sender_domain)


def _render(template: str, recipient: Recipient, context: dict, ticket: Ticket | None) -> tuple[str, str, str]:
    """Render the subject, text and HTML of ``templates/mail/<template>`` in the recipient's language."""
    context = {**context, "recipient": recipient, "ticket": ticket,
               "base_url": current_app.config["BASE_URL"]}
    with force_locale(recipient.language):
        subject = render_template(f"mail/{template}.subject.txt", **context).strip()
        body_text = render_template(f"mail/{template}.txt", **context)
        body_html = render_template(f"mail/{template}.html", **context)
    return " ".join(subject.split()), body_text, body_html


def _add_mail(template: str, recipient: Recipient, rendered: tuple[str, str, str], ticket: Ticket | None,
              message_id: str | None) -> OutboxMail:
    subject, body_text, body_html = rendered
    mail = OutboxMail(
        ticket_id=ticket.id if ticket is not None else None,
        template=template,
        to_address=recipient.address,
        to_name=recipient.name,
        language=recipient.language,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        message_id=message_id or _message_id(),
    )
    db.session.add(mail)
    logger.debug("queued mail %s for ticket %s", template, ticket.id if ticket is not None else None)
    return mail


def queue_mail(template: str, recipient: Recipient, context: dict, ticket: Ticket | None = None,
               message_id: str | None = None) -> OutboxMail:
    """Render ``templates/mail/<template>`` and add it to the outbox in the current transaction.

    The mail is delivered by a Celery task after the caller commits. Its id is set
    at the next flush. The template
    set is ``<template>.subject.txt``, ``<template>.txt`` and ``<template>.html``.
    A fixed ``message_id`` makes a second mail with the same id fail on the unique
    constraint, which the hourly digest uses to mail each window once.
    """
    return _add_mail(template, recipient, _render(template, recipient, context, ticket), ticket, message_id)


def queue_mail_to_each(template: str, recipients: list[Recipient], context: dict,
                       ticket: Ticket | None = None) -> list[OutboxMail]:
    """Add one mail per recipient, rendering the template once per language.

    Only for templates that use nothing of the recipient but the language, such as a
    notice to every agent. A mail that greets its reader by name goes through ``queue_mail``.
    """
    rendered: dict[str, tuple[str, str, str]] = {}
    mails = []
    for recipient in recipients:
        if recipient.language not in rendered:
            rendered[recipient.language] = _render(template, recipient, context, ticket)
        mails.append(_add_mail(template, recipient, rendered[recipient.language], ticket, None))
    return mails


@event.listens_for(Session, "after_flush")
def _deliver_new_mails_after_commit(session: Session, flush_context) -> None:
    # Mails are flushed with the change that causes them, in one INSERT where the
    # database allows it. Their ids, needed by the delivery task, exist only from here on.
    for instance in session.new:
        if isinstance(instance, OutboxMail):
            enqueue_batched_after_commit(session, DELIVER_BATCH_TASK, instance.id)
