"""The Celery app, bound to Flask so every task runs in an app context."""

from pathlib import Path

from celery import Celery, Task
from flask import Flask

TASK_MODULES = ["tasks.mail", "tasks.sla", "tasks.apply"]


def _broker_settings(app: Flask) -> dict:
    url = app.config["BROKER_URL"]
    if not url.startswith("filesystem://"):
        return {"broker_url": url}
    # A broker that needs no server: messages are files in folders under the instance path.
    folder = Path(app.config["BROKER_FOLDER"])
    for name in ("queue", "processed", "control"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            # Without this, kombu keeps its exchange table in ./control of the working directory.
            "control_folder": str(folder / "control"),
            "store_processed": False,
        },
    }


def celery_init_app(app: Flask) -> Celery:
    """Create the Celery app for ``app`` and store it in ``app.extensions["celery"]``."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    # A clean session for the next task, also after a failed one.
                    from app.extensions import db

                    db.session.remove()

    celery_app = Celery(app.name, task_cls=FlaskTask, include=TASK_MODULES)
    celery_app.config_from_object("celeryconfig")
    celery_app.conf.update(_broker_settings(app))
    # Web, workers and beat of one installation agree on the queue through ROLDESK_CELERY_QUEUE.
    celery_app.conf.task_default_queue = app.config.get("CELERY_QUEUE", "roldesk")
    celery_app.conf.update(app.config.get("CELERY_OVERRIDES", {}))
    celery_app.conf.beat_schedule_filename = str(Path(app.instance_path) / "celerybeat-schedule")
    celery_app.set_default()
    app.extensions["celery"] = celery_app
    return celery_app
