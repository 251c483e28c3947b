import signal

import pytest
from django.core.management import call_command

SIGNALS = [s for s in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", None)) if s is not None]


@pytest.fixture
def run_worker():
    """Run django-tasks-db's worker until the queue is empty, as ``bangfu worker --once`` does."""

    def run() -> None:
        saved = {sig: signal.getsignal(sig) for sig in SIGNALS}
        try:
            call_command("db_worker", batch=True, startup_delay=False, interval=0, verbosity=0)
        finally:
            for sig, handler in saved.items():  # the worker installs its own shutdown handlers
                signal.signal(sig, handler)

    return run
