"""The ``keqi`` command: thin fronts over the services, one module per group of verbs.

Exit status is 0 only on full success, so scripts can rely on it.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from contextlib import suppress

# numpy's OpenBLAS starts a thread per core that spins while idle; no verb does linear algebra, and the
# screens run their own threads (1.3 % of a million-firm file screen's CPU went to that spinning).
# Set before anything imports numpy; a value given in the environment is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import typer  # noqa: E402

from . import applications, contracts, credit, policy, registry, screening, server, synth  # noqa: E402

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
applications.register(app)


def _before_exit() -> None:
    """At exit, once the other exit handlers have run: close Django's database connections, then spare
    the interpreter its search for reference cycles among the objects the libraries made (~140,000
    after a screen; it searched them while tearing the modules down, ~0.3 s of a short command). The
    output is complete and the files closed by then; the memory goes back with the process."""
    if "django.db" in sys.modules:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            with suppress(Exception):  # closing is a courtesy to the server; the process ends anyway
                connections.close_all()
    gc.freeze()


atexit.register(_before_exit)  # run after the handlers registered later (those of the libraries a verb imports)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
