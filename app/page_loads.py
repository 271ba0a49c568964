"""When the warm-up loads what only the translate page needs (the offline photos' labels and the query encoder).

A visitor who opens the translate page (the landing page) gets them loading at once. A visitor who opens another
page first (a shared neighbours or map link) gets them after that page is drawn, so that the page's first run and
the browser's loading of Streamlit's scripts do not share the CPU with loads the page does not use. A server that
nobody visits loads them once it has been idle for :data:`IDLE_S`.

``serve.py`` reports every page request (:class:`PageRequests`, a middleware), ``streamlit_app.py`` the page it
runs and the end of each run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

TRANSLATE_PATHS = frozenset({"", "translate"})  # the landing page's URL paths: its first run reads both
OTHER_PAGES = frozenset({"neighbours", "map", "about"})
IDLE_S = 3.0  # after the store is ready: a server that no page was asked of loads them anyway
MAX_WAIT_S = 30.0  # a page was asked for but never drawn (a closed tab, a crawler): load anyway


@dataclass
class LoadSchedule:
    """The two signals the warm-up waits on: a page that needs the loads, or the first page drawn."""

    released: threading.Event = field(default_factory=threading.Event)
    asked: threading.Event = field(default_factory=threading.Event)

    def page_asked(self, path: str) -> None:
        """A visitor asked for the page at URL path ``path`` (``/neighbours``, ``/``; under any base path);
        paths of files and of Streamlit's own endpoints are ignored."""
        name = path.rstrip("/").rsplit("/", 1)[-1]
        if name in TRANSLATE_PATHS:
            self.released.set()
        elif name in OTHER_PAGES:
            self.asked.set()

    def page_drawn(self) -> None:
        """A page's run ended: the CPU is free for the loads."""
        self.released.set()

    def wait(self, idle_s: float | None = None, max_wait_s: float | None = None) -> str:
        """Block until the loads may start (waits of :data:`IDLE_S` and :data:`MAX_WAIT_S` unless given); says
        why: ``released`` (by a page), ``idle`` or ``timeout``."""
        idle_s = IDLE_S if idle_s is None else idle_s
        max_wait_s = MAX_WAIT_S if max_wait_s is None else max_wait_s
        if self.released.wait(idle_s):
            return "released"
        if not self.asked.is_set():
            return "idle"
        return "released" if self.released.wait(max_wait_s) else "timeout"


SCHEDULE = LoadSchedule()  # one per server process


class PageRequests:
    """ASGI middleware: tells :data:`SCHEDULE` which page each HTTP GET asks for, then passes the request on."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "http" and scope.get("method") == "GET":
            SCHEDULE.page_asked(scope.get("path", ""))
        await self.app(scope, receive, send)
