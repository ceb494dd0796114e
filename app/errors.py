"""Error pages and the mapping of domain errors to HTTP statuses."""

import logging

from flask import Flask, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from app.services.errors import DomainError

logger = logging.getLogger(__name__)


def register(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        logger.warning("rejected %s %s: %s", request.method, request.path, error.detail)
        return render_template("errors/error.html", title=_("Niet gelukt"),
                               message=error.message), error.status

    @app.errorhandler(403)
    def forbidden(error):
        return render_template("errors/error.html", title=_("Geen toegang"),
                               message=_("Je hebt geen toegang tot deze pagina.")), 403

    @app.errorhandler(404)
    def not_found(error):
        return render_template("errors/error.html", title=_("Pagina niet gevonden"),
                               message=_("Deze pagina bestaat niet (meer). Controleer het adres.")), 404

    @app.errorhandler(413)
    def too_large(error):
        return render_template("errors/error.html", title=_("Bestand te groot"),
                               message=_("Wat je verstuurt is groter dan 8 MB. Kies een kleiner "
                                         "bestand of verdeel de lijst over meer verzoeken.")), 413

    @app.errorhandler(429)
    def too_many(error):
        return render_template("errors/error.html", title=_("Even geduld"),
                               message=_("Te veel pogingen achter elkaar. Wacht een paar minuten "
                                         "en probeer het dan opnieuw.")), 429

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # The form's fields come back so the user can post them again with a fresh token.
        fields = {key: value for key, value in request.form.items(multi=True)
                  if key != "csrf_token" and "password" not in key and "wachtwoord" not in key}
        return render_template("errors/csrf.html", fields=fields, action=request.path), 400
