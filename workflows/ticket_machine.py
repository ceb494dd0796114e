"""The request workflow, declared once as data for the ``transitions`` library.

The tables here define which trigger moves a request from which state to which, and
who may fire it. ``fire`` runs one trigger on a throw-away proxy that carries only
the state, so no machine or callback stays attached to an ORM object.
"""

from dataclasses import dataclass, field

from transitions import Machine, MachineError

SUBMITTED = "submitted"
IN_REVIEW = "in_review"
WAITING_FOR_REQUESTER = "waiting_for_requester"
APPROVED = "approved"
APPLIED = "applied"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
ANSWERED = "answered"

STATES = [SUBMITTED, IN_REVIEW, WAITING_FOR_REQUESTER, APPROVED, APPLIED, REJECTED, WITHDRAWN, ANSWERED]
OPEN_STATES = (SUBMITTED, IN_REVIEW, WAITING_FOR_REQUESTER, APPROVED)
# States in which the working-day clock runs.
CLOCK_RUNNING_STATES = (SUBMITTED, IN_REVIEW, APPROVED)
FINAL_STATES = (APPLIED, REJECTED, ANSWERED, WITHDRAWN)
# Final states that count towards the SLA share; a withdrawn request leaves the figures.
SLA_FINAL_STATES = (APPLIED, REJECTED, ANSWERED)

# Actors that fire triggers: a helpdesk agent, the request's own requester, or the worker.
AGENT = "agent"
REQUESTER = "requester"
SYSTEM = "system"

ACTIVE = (SUBMITTED, IN_REVIEW, WAITING_FOR_REQUESTER)

# trigger, sources, destination, who may fire it.
_COMMON = [
    ("start_review", [SUBMITTED], IN_REVIEW, AGENT),
    ("ask_requester", [IN_REVIEW], WAITING_FOR_REQUESTER, AGENT),
    ("requester_replied", [WAITING_FOR_REQUESTER], IN_REVIEW, REQUESTER),
    ("reject", list(ACTIVE), REJECTED, AGENT),
    ("withdraw", list(ACTIVE), WITHDRAWN, REQUESTER),
    ("reopen", [REJECTED], IN_REVIEW, AGENT),
]
_CHANGE = [
    ("approve", [IN_REVIEW], APPROVED, AGENT),
    ("apply", [APPROVED], APPLIED, SYSTEM),
]
_QUESTION = [
    ("answer", [IN_REVIEW], ANSWERED, AGENT),
]

TRANSITION_TABLES = {
    "role_change": _COMMON + _CHANGE,
    "account_creation": _COMMON + _CHANGE,
    "question": _COMMON + _QUESTION,
}

# Triggers that need a reason or message text from the actor.
TEXT_REQUIRED = {"ask_requester", "reject", "requester_replied", "answer"}


class InvalidTransition(Exception):
    """The trigger cannot fire from the request's current state."""

    def __init__(self, kind: str, trigger: str, state: str):
        super().__init__(f"trigger {trigger!r} cannot fire on a {kind} request in state {state!r}")
        self.kind = kind
        self.trigger = trigger
        self.state = state


@dataclass
class _StateHolder:
    """The model the machine moves: only the state, nothing else."""

    state: str
    needs_second_approval: bool = field(default=False)

    def is_second_approval_needed(self) -> bool:
        return self.needs_second_approval


def _machine_transitions(kind: str) -> list[dict]:
    transitions = []
    for trigger, sources, dest, _actor in TRANSITION_TABLES[kind]:
        if trigger == "approve":
            # The first approval of a four-eyes role keeps the request in review.
            transitions.append({
                "trigger": trigger, "source": sources, "dest": None,
                "conditions": "is_second_approval_needed",
            })
        transitions.append({"trigger": trigger, "source": sources, "dest": dest})
    return transitions


def triggers_for(kind: str) -> list[str]:
    return [row[0] for row in TRANSITION_TABLES[kind]]


def actor_for(kind: str, trigger: str) -> str | None:
    """Return who may fire ``trigger`` on a request of ``kind``, or None for an unknown trigger."""
    for name, _sources, _dest, actor in TRANSITION_TABLES.get(kind, []):
        if name == trigger:
            return actor
    return None


def allowed_triggers(kind: str, state: str, actor: str) -> list[str]:
    """Return the triggers ``actor`` may fire on a request of ``kind`` in ``state``."""
    return [
        trigger for trigger, sources, _dest, who in TRANSITION_TABLES[kind]
        if state in sources and who == actor
    ]


def fire(kind: str, state: str, trigger: str, needs_second_approval: bool = False) -> str:
    """Fire ``trigger`` from ``state`` and return the resulting state.

    Raises:
        InvalidTransition: the trigger does not exist for this kind or cannot fire from ``state``.
    """
    if kind not in TRANSITION_TABLES or state not in STATES:
        raise InvalidTransition(kind, trigger, state)
    holder = _StateHolder(state=state, needs_second_approval=needs_second_approval)
    Machine(
        model=holder,
        states=STATES,
        transitions=_machine_transitions(kind),
        initial=state,
        auto_transitions=False,
        model_attribute="state",
        send_event=False,
    )
    try:
        fired = holder.trigger(trigger)
    except (MachineError, AttributeError):
        raise InvalidTransition(kind, trigger, state) from None
    if not fired:
        raise InvalidTransition(kind, trigger, state)
    return holder.state
