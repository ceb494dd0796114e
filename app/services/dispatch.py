"""Queue Celery tasks only after the commit that makes their rows visible."""

import logging

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

_PENDING_KEY = "roldesk_tasks_after_commit"


def enqueue_after_commit(session: Session, task_name: str, *args) -> None:
    """Send ``task_name`` with ``args`` once ``session`` commits; drop it on rollback.

    A broker that is down loses nothing: the row stays pending and a periodic
    sweep queues it again.
    """
    session.info.setdefault(_PENDING_KEY, []).append((task_name, args))


@event.listens_for(Session, "after_commit")
def _send_pending_tasks(session: Session) -> None:
    pending = session.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    celery = current_app.extensions.get("celery")
    if celery is None:
        return
    for task_name, args in pending:
        try:
            celery.send_task(task_name, args=list(args))
        except Exception:  # noqa: BLE001 - any broker failure; the periodic sweep retries
            logger.warning("could not queue %s%r; the periodic sweep will retry", task_name, args,
                           exc_info=True)


@event.listens_for(Session, "after_rollback")
def _drop_pending_tasks(session: Session) -> None:
    session.info.pop(_PENDING_KEY, None)
