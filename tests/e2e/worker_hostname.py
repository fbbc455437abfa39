"""The host name a Celery worker of the multi-worker e2e reports (Airflow's hostname_callable).

Both workers run on this machine, so the default (its FQDN) would not tell them apart: each
reports the name it was given, as two hosts would report theirs.
"""

from __future__ import annotations

import os


def hostname() -> str:
    """This worker's name, from NEWS_E2E_WORKER_HOSTNAME."""
    return os.environ["NEWS_E2E_WORKER_HOSTNAME"]
