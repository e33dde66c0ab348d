"""The ``keqi`` command: thin fronts over the services, one module per group of verbs.

Exit status is 0 only on full success, so scripts can rely on it.
"""

from __future__ import annotations

import typer

from . import contracts, credit, policy, registry, screening, server, synth

app = typer.Typer(
    name="keqi",
    help="KeQi 科企: the enterprise registry, the official criteria and the screening of technology enterprises.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

server.register(app)
registry.register(app)

synth.register(app)
policy.register(app)
screening.register(app)
contracts.register(app)
credit.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
