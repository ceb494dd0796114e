"""Domain errors that views turn into an HTTP status and a Dutch message."""

from flask_babel import lazy_gettext as _l


class DomainError(Exception):
    """A refused action; ``message`` is shown to the user, ``status`` is the HTTP status."""

    status = 409
    default_message = _l("Deze actie kan nu niet worden uitgevoerd.")

    def __init__(self, message=None, detail: str = ""):
        self.message = message or self.default_message
        # For logs and developers: what was expected and what came instead.
        self.detail = detail
        super().__init__(detail or str(self.message))


class NotAllowed(DomainError):
    status = 403
    default_message = _l("Je hebt geen rechten voor deze actie.")


class TransitionRefused(DomainError):
    status = 409
    default_message = _l("Deze actie past niet bij de huidige status van het verzoek. "
                         "Vernieuw de pagina om de actuele status te zien.")


class TicketChanged(DomainError):
    status = 409
    default_message = _l("Het verzoek is intussen gewijzigd door iemand anders. "
                         "Vernieuw de pagina en probeer het opnieuw.")


class InvalidInput(DomainError):
    status = 422
    default_message = _l("Controleer de invoer en probeer het opnieuw.")
