"""Infrastructure tasks shared by all apps."""

import os
import socket

from celery import shared_task


@shared_task(name="smo.ping")
def ping(token: str) -> dict[str, str]:
    """Health ping: echo the token with the host and process that ran it.

    The test suite uses it to prove that a real worker process consumes tasks
    from Redis (the pid differs from the test process).
    """
    return {"token": token, "host": socket.gethostname(), "pid": str(os.getpid())}
