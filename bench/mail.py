"""Benchmark: delivering outbox mails to an SMTP server on loopback, against plain smtplib.

Roldesk sides run on 10,000 pending outbox rows in a private PostgreSQL database, without
the broker. The one measured against the target is
``app.services.delivery_batch.deliver_batch`` in batches of 500 until none is left: the
task queued after each commit sends that commit's mails this way, and the requeue sweep
drains a backlog this way (one claim, one connection, few updates a batch). For comparison
the run also times ``app.services.delivery.deliver`` for each row, as the older per-mail
task runs it (claim, build, send, mark sent, then a fresh session). Baseline: the same
messages, serialised beforehand, sent with ``smtplib`` over one connection. The server is aiosmtpd's Sink
handler in a process of its own on 127.0.0.1, so neither side shares its interpreter.

Run: .venv/bin/python -m bench.mail [--quick] [--repeats N]
Set ROLDESK_BENCH_MAILS to use another number of mails (for a shorter run).
"""

import os
import smtplib
import sys
import tempfile
from email import policy
from email.utils import make_msgid, parseaddr
from pathlib import Path

from bench.common import (Result, Server, at_least, bench_app, format_times, free_port, median_seconds,
                          migrate, parse_args, print_results, private_database, wait_for_port)

BATCH_SIZE = 500
BODY_TEXT = (
    "Beste ontvanger,\n\nJe verzoek om je rol om te zetten naar Docent is ontvangen. "
    "We behandelen het binnen één werkdag.\n\nMet vriendelijke groet,\nDe helpdesk\n"
) * 4


def _insert_mails(count: int) -> list[int]:
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.models import OutboxMail

    rows = [
        {
            "template": "request_received",
            "to_address": f"ontvanger{number}@school.example",
            "to_name": f"Ontvanger {number}",
            "language": "nl",
            "subject": f"Verzoek RD-2026-{number:05d} ontvangen",
            "body_text": BODY_TEXT,
            "body_html": "<p>" + BODY_TEXT.replace("\n\n", "</p><p>") + "</p>",
            "message_id": make_msgid(domain="roldesk.example"),
        }
        for number in range(count)
    ]
    db.session.execute(insert(OutboxMail), rows)
    db.session.commit()
    return list(db.session.scalars(select(OutboxMail.id).order_by(OutboxMail.id)))


def _reset_mails() -> None:
    from sqlalchemy import update

    from app.extensions import db
    from app.models import MAIL_PENDING, OutboxMail

    db.session.execute(update(OutboxMail).values(
        status=MAIL_PENDING, claimed_at=None, claim_token=None, attempts=0, sent_at=None,
        next_attempt_at=None, last_error=""))
    db.session.commit()


def _sent_count() -> int:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import MAIL_SENT, OutboxMail

    return db.session.scalar(select(func.count()).where(OutboxMail.status == MAIL_SENT))


def run(argv: list[str] | None = None) -> list[Result]:
    args = parse_args(__doc__.splitlines()[0], argv)
    count = 200 if args.quick else int(os.environ.get("ROLDESK_BENCH_MAILS", 10_000))
    repeats = args.repeats or (1 if args.quick else 3)
    with tempfile.TemporaryDirectory() as folder, private_database() as database_url:
        instance = Path(folder)
        migrate(database_url, instance)
        port = free_port()
        server = Server([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                         "-l", f"127.0.0.1:{port}"], dict(os.environ), instance / "smtp.log")
        try:
            wait_for_port(port, server)
            app = bench_app(database_url, instance,
                            {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_TLS": "none"})
            with app.app_context():
                return _measure(app, port, count, repeats)
        finally:
            server.stop()


def _measure(app, port: int, count: int, repeats: int) -> list[Result]:
    from sqlalchemy import select

    from app.extensions import db
    from app.models import OutboxMail
    from app.services.delivery import build_message, deliver
    from app.services.delivery_batch import deliver_batch

    ids = _insert_mails(count)
    # Serialised up front: ten thousand EmailMessage objects with parsed headers take about a gigabyte.
    messages = [(mail.to_address, build_message(mail).as_bytes(policy=policy.SMTP))
                for mail in db.session.scalars(select(OutboxMail).order_by(OutboxMail.id))]
    sender = parseaddr(app.config["MAIL_FROM"])[1]
    db.session.remove()
    outcomes: dict[str, int] = {}

    def roldesk():
        for mail_id in ids:
            outcome = deliver(mail_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            db.session.remove()

    def roldesk_batches():
        while True:
            outcome = deliver_batch(BATCH_SIZE)
            db.session.remove()
            if not any(outcome.values()):
                return

    def smtplib_one_connection():
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
            for address, message in messages:
                smtp.sendmail(sender, [address], message)

    roldesk_times, batch_times, smtplib_times, sent_counts, batch_sent_counts = [], [], [], [], []
    for _ in range(repeats):
        _reset_mails()
        roldesk_times.append(median_seconds(roldesk, 1)[0])
        sent_counts.append(_sent_count())
        db.session.remove()
        _reset_mails()
        batch_times.append(median_seconds(roldesk_batches, 1)[0])
        batch_sent_counts.append(_sent_count())
        db.session.remove()
        smtplib_times.append(median_seconds(smtplib_one_connection, 1)[0])
    roldesk_median = sorted(roldesk_times)[len(roldesk_times) // 2]
    batch_median = sorted(batch_times)[len(batch_times) // 2]
    smtplib_median = sorted(smtplib_times)[len(smtplib_times) // 2]
    share = smtplib_median / roldesk_median
    details = [
        f"{count:,} mails, {repeats} runs each, batches of {BATCH_SIZE}, "
        f"aiosmtpd Sink on 127.0.0.1:{port} in its own process",
        f"Roldesk deliver_batch(): {format_times(batch_times)}, rows marked sent per run: {batch_sent_counts}",
        f"plain smtplib, one connection: {format_times(smtplib_times)}",
        f"median rate: batches {count / batch_median:,.0f} mails/s, smtplib {count / smtplib_median:,.0f} mails/s",
        f"for comparison, deliver() one mail at a time: {format_times(roldesk_times)}, rows marked sent "
        f"per run: {sent_counts}, outcomes over all runs: {outcomes}; {count / roldesk_median:,.0f} mails/s, "
        f"{share:.2f} of the smtplib rate",
    ]
    return [at_least("Mail delivery: share of the smtplib rate", smtplib_median / batch_median, 0.5, details)]


if __name__ == "__main__":
    print_results(run())
