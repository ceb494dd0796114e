"""Send a backlog of outbox mails in batches over one SMTP connection.

``deliver_batch`` claims up to ``limit`` due mails with one SELECT (SKIP LOCKED on
PostgreSQL) and one UPDATE that writes a claim token of its own. It sends them over one
connection, opened again once if it drops, and marks the sent ones with one UPDATE per
chunk. The guarantees of ``delivery.deliver`` hold: a claimed mail is sent by one worker
only, a mail marked sent is never picked again, a 4xx reply schedules a retry and a 5xx
reply fails that mail alone. Delivery stays at least once, because a worker killed
mid-batch leaves its claimed mails to be sent again once the claim expires. A batch
stops sending at half the claim lease and gives the rest back, so another worker does
not take over a mail this one is still sending.
"""

import logging
import smtplib
import time
import uuid

from flask import current_app
from sqlalchemy import select, update

from app.extensions import db
from app.models import MAIL_SENT, OutboxMail
from app.models.types import utcnow
from app.services import delivery
from app.services.delivery import DeliveryError

logger = logging.getLogger(__name__)

# Sent mails are marked in chunks, so a worker killed mid-batch sends few of them again.
MARK_EVERY = 50


def _claim_batch(limit: int, mail_ids: list[int] | None) -> tuple[str, list[OutboxMail]]:
    token = uuid.uuid4().hex
    now = utcnow()
    due = select(OutboxMail.id).where(*delivery.claimable(now)).order_by(OutboxMail.id).limit(limit)
    if mail_ids is not None:
        due = due.where(OutboxMail.id.in_(mail_ids))
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    # Two statements, because as a subquery of the UPDATE PostgreSQL ran the SELECT again
    # after rows changed and claimed more than ``limit``. The UPDATE checks the claim again,
    # so a row another batch claimed in between is left out.
    ids = list(db.session.scalars(due))
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(ids), *delivery.claimable(now))
        .values(claimed_at=now, claim_token=token, attempts=OutboxMail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    mails = list(db.session.scalars(
        select(OutboxMail).where(OutboxMail.claim_token == token).order_by(OutboxMail.id)))
    # Detached, so the commits while marking results do not reload each mail one by one.
    for mail in mails:
        db.session.expunge(mail)
    return token, mails


def _mark_sent(token: str, mail_ids: list[int]) -> None:
    if mail_ids:
        db.session.execute(
            update(OutboxMail)
            .where(OutboxMail.id.in_(mail_ids), OutboxMail.claim_token == token)
            .values(status=MAIL_SENT, sent_at=utcnow(), last_error="")
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
        mail_ids.clear()


def _release(token: str, mail_ids: list[int]) -> None:
    """Give unsent mails back without counting an attempt, for the next batch to take."""
    db.session.execute(
        update(OutboxMail)
        .where(OutboxMail.id.in_(mail_ids), OutboxMail.claim_token == token)
        .values(claimed_at=None, claim_token=None, attempts=OutboxMail.attempts - 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


class _Connection:
    """One SMTP connection for a batch, opened again once after it drops."""

    def __init__(self):
        self.smtp = None
        self.opens = 0

    def send(self, mail: OutboxMail) -> None:
        if self.smtp is None:
            if self.opens >= 2:
                raise DeliveryError(False, "SMTP connection lost twice in this batch",
                                    connection_lost=True)
            self.opens += 1
            with delivery.smtp_errors():
                self.smtp = delivery.open_smtp()
        try:
            delivery.send_over(self.smtp, mail)
        except DeliveryError as error:
            if not error.connection_lost:
                raise
            self.close()
            if self.opens >= 2:
                raise
            logger.info("SMTP connection lost at mail %s (%s); connecting again", mail.id, error)
            self.send(mail)

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None


def _send_one(connection: _Connection | None, mail: OutboxMail) -> None:
    if connection is None:
        delivery.write_file(delivery.build_message(mail), mail)
    else:
        connection.send(mail)


def deliver_batch(limit: int = 100, mail_ids: list[int] | None = None) -> dict[str, int]:
    """Claim up to ``limit`` due mails, only those in ``mail_ids`` if given, and send them over one connection.

    Return how many were "sent", "retry" (temporary failure), "failed" and "released"
    (given back unsent because the batch ran out of its time).
    """
    token, mails = _claim_batch(limit, mail_ids)
    outcomes = {"sent": 0, "retry": 0, "failed": 0, "released": 0}
    if not mails:
        return outcomes
    deadline = time.monotonic() + delivery.claim_lease().total_seconds() / 2
    connection = _Connection() if current_app.config.get("SMTP_HOST") else None
    sent: list[int] = []
    try:
        for position, mail in enumerate(mails):
            if time.monotonic() > deadline:
                unsent = [rest.id for rest in mails[position:]]
                _release(token, unsent)
                outcomes["released"] = len(unsent)
                break
            try:
                _send_one(connection, mail)
            except DeliveryError as error:
                outcomes[delivery.record_failure(mail, token, error)] += 1
                continue
            sent.append(mail.id)
            outcomes["sent"] += 1
            if len(sent) >= MARK_EVERY:
                _mark_sent(token, sent)
        _mark_sent(token, sent)
    finally:
        if connection is not None:
            connection.close()
    logger.info("mail batch of %s: %s", len(mails), outcomes)
    return outcomes


def drain(limit: int = 100, seconds: float = 50.0) -> int:
    """Deliver batches until no mail is due or ``seconds`` passed; return how many were sent."""
    stop = time.monotonic() + seconds
    total = 0
    while time.monotonic() < stop:
        outcomes = deliver_batch(limit)
        total += outcomes["sent"]
        if sum(outcomes.values()) < limit or outcomes["released"]:
            break
        db.session.expire_all()
    return total
