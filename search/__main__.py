"""``python -m search`` runs the ``eventsearch`` command."""

from .cli import main

main(prog_name="eventsearch")
