"""Deliver outbox mails, and queue again what is still unsent."""

import logging

from celery import shared_task

from app.services import delivery, digest

logger = logging.getLogger(__name__)


@shared_task(name="tasks.mail.deliver_mail")
def deliver_mail(mail_id: int) -> str:
    """Deliver one outbox mail; safe to run twice."""
    return delivery.deliver(mail_id)


@shared_task(name="tasks.mail.requeue_unsent")
def requeue_unsent() -> int:
    """Queue delivery again for mails still pending; return how many were queued."""
    return delivery.requeue_unsent()


@shared_task(name="tasks.mail.new_request_digest")
def new_request_digest() -> int:
    """Queue the hourly digest of new requests when agents get digests; safe to run twice."""
    return digest.send_digests()
