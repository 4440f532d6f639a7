"""``python -m kikimimi`` runs the CLI."""

from kikimimi.cli import main

main()
