"""Queue Celery tasks only after the commit that makes their rows visible."""

import logging
import time

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

_PENDING_KEY = "roldesk_tasks_after_commit"
_BATCHED_KEY = "roldesk_batched_tasks_after_commit"


def enqueue_after_commit(session: Session, task_name: str, *args) -> None:
    """Send ``task_name`` with ``args`` once ``session`` commits; drop it on rollback.

    A broker that is down loses nothing: the row stays pending and a periodic
    sweep queues it again.
    """
    session.info.setdefault(_PENDING_KEY, []).append((task_name, args))


def enqueue_batched_after_commit(session: Session, task_name: str, item) -> None:
    """Send ``task_name`` once ``session`` commits, with every item queued for it in a list.

    One message per commit instead of one per item, such as all the mails a new
    request causes. Dropped on rollback, like ``enqueue_after_commit``.
    """
    session.info.setdefault(_BATCHED_KEY, {}).setdefault(task_name, []).append(item)


# After a failed publish, this process leaves the broker alone for a while, so a request
# that queues many mails waits for one connection timeout, not one per mail.
BROKER_PAUSE_SECONDS = 5.0
_broker_down_until = 0.0


@event.listens_for(Session, "after_commit")
def _send_pending_tasks(session: Session) -> None:
    global _broker_down_until

    pending = session.info.pop(_PENDING_KEY, [])
    pending += [(task_name, (items,)) for task_name, items in session.info.pop(_BATCHED_KEY, {}).items()]
    if not pending:
        return
    celery = current_app.extensions.get("celery")
    if celery is None:
        return
    if time.monotonic() < _broker_down_until:
        logger.info("broker unreachable a moment ago; %s tasks left to the periodic sweep",
                    len(pending))
        return
    for index, (task_name, args) in enumerate(pending):
        try:
            celery.send_task(task_name, args=list(args))
        except Exception:  # noqa: BLE001 - any broker failure; the periodic sweep retries
            _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
            logger.warning("could not queue %s%r; the periodic sweep will queue it and %s "
                           "more tasks again", task_name, args, len(pending) - index - 1,
                           exc_info=True)
            return


@event.listens_for(Session, "after_rollback")
def _drop_pending_tasks(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
    session.info.pop(_BATCHED_KEY, None)
