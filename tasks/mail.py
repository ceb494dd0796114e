"""Deliver outbox mails, and queue again what is still unsent."""

import logging

from celery import shared_task

from app.services import delivery, delivery_batch, digest

logger = logging.getLogger(__name__)


@shared_task(name="tasks.mail.deliver_mail")
def deliver_mail(mail_id: int) -> str:
    """Deliver one outbox mail; safe to run twice."""
    return delivery.deliver(mail_id)


@shared_task(name="tasks.mail.deliver_mails")
def deliver_mails(mail_ids: list[int]) -> dict[str, int]:
    """Deliver the mails that one commit queued, over one connection. Safe to run twice."""
    return delivery_batch.deliver_batch(len(mail_ids), mail_ids=mail_ids)


@shared_task(name="tasks.mail.requeue_unsent")
def requeue_unsent() -> int:
    """Send the mails still pending in batches over one connection; return how many were sent.

    The task queued after each commit sends new mails at once. This sweep runs
    every 60 s and drains what is left, such as retries and a backlog, for at most 50 s.
    """
    return delivery_batch.drain()


@shared_task(name="tasks.mail.new_request_digest")
def new_request_digest() -> int:
    """Queue the hourly digest of new requests when agents get digests; safe to run twice."""
    return digest.send_digests()
