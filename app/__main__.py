"""``python -m app`` runs the ``roldesk`` command."""

from app.cli import main

main()
