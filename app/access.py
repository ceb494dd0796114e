"""Access rules shared by the blueprints."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from app.extensions import db
from app.models import Ticket


def staff_required(kind: str):
    """Allow only logged-in staff with membership ``kind`` (agent, manager or admin); others get 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if kind not in current_user.staff_kinds:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def get_ticket_or_404(ticket_id: int, check_owner: bool = True) -> Ticket:
    """Return the ticket, or abort with 404 when missing and 403 when not the user's own.

    With ``check_owner`` an agent may see any ticket and anyone else only their own.
    """
    ticket = db.session.get(Ticket, ticket_id)
    if ticket is None:
        abort(404)
    if check_owner and not current_user.is_agent and ticket.requester_id != current_user.id:
        abort(403)
    return ticket
