"""A real SMTP server on loopback (aiosmtpd) that records what it receives."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SinkHandler:
    def __init__(
        self,
        *,
        refuse: bool = False,
        rcpt_delay: float = 0.0,
        refuse_for: frozenset[str] = frozenset(),
        delay_for: frozenset[str] = frozenset(),
    ):
        # Every recipient refused, or only those of `refuse_for`.
        self.refuse = refuse
        self.refuse_for = refuse_for
        # Holds the conversation open before the message is accepted, so a
        # test can kill the sending worker mid-send: for every recipient, or
        # only those of `delay_for`.
        self.rcpt_delay = rcpt_delay
        self.delay_for = delay_for
        self.rcpt_started = threading.Event()
        self.messages: list[Message] = []
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        import asyncio

        delayed = not self.delay_for or address in self.delay_for
        if delayed:
            self.rcpt_started.set()
        waited = 0.0
        while delayed and waited < self.rcpt_delay:
            await asyncio.sleep(0.1)
            waited += 0.1
        if self.refuse or address in self.refuse_for:
            # As Postfix words it: the reply quotes the address.
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.messages.append(message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def wait_for(self, count: int, timeout: float) -> list[Message]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.messages) < count:
            time.sleep(0.1)
        return list(self.messages)


@contextmanager
def smtp_sink(*, port: int | None = None, **options):
    """The sink on `port` (a free one by default): a test can point a worker
    at a port first and start the server there later."""
    handler = SinkHandler(**options)
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()
