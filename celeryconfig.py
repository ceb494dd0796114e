"""Celery settings shared by every worker and the beat process.

The broker URL comes from the Flask config (ROLDESK_BROKER_URL); this module holds
what does not change between deployments.
"""

from celery.schedules import crontab  # noqa: F401 - kept at hand for daily schedules

# Acknowledge after the task ran, so a worker that dies mid-task leaves it for another.
task_acks_late = True
task_reject_on_worker_lost = True
worker_prefetch_multiplier = 1

task_serializer = "json"
result_serializer = "json"
accept_content = ["json"]
task_ignore_result = True

timezone = "Europe/Amsterdam"
enable_utc = True

# Publishing must not hang a web request while Redis is down: one quick try, and
# the outbox sweep queues the work again once the broker is back.
task_publish_retry = False
broker_connection_timeout = 2
broker_connection_retry_on_startup = True

# Redis re-delivers an unacknowledged task after this many seconds, so no task is
# ever scheduled further ahead (ETA/countdown); timed work is found by periodic sweeps.
broker_transport_options = {"visibility_timeout": 3600}

beat_schedule = {
    "requeue-unsent-mail": {"task": "tasks.mail.requeue_unsent", "schedule": 60.0},
    "sla-sweep": {"task": "tasks.sla.sweep", "schedule": 60.0},
    # Does nothing unless ROLDESK_NEW_REQUEST_MAIL is "digest"; each hour is mailed once.
    "new-request-digest": {"task": "tasks.mail.new_request_digest", "schedule": 60.0},
}
