"""The admin HTTP API routes (JSON), served by `http.HttpServer` on 127.0.0.1:AdminHttpPort.

Routes (docs/admin-api.md has examples):

    GET  /health                      liveness and a one-line summary ("ok" / "degraded")
    GET  /sessions                    every FIX session: state, seq numbers, heartbeat, counters
    GET  /sessions/{id}               one session (id = FIX.4.4:SENDER->TARGET, or an LPName)
    POST /sessions/{id}/logout        start a Logout (initiators reconnect after ReconnectInterval)
    GET  /breakers                    every LP's breaker
    POST /breakers/{lp}/trip          open by hand (FORCED_OPEN until reset)
    POST /breakers/{lp}/reset         close by hand
    GET  /orders/{id}                 parent, children, executions, routing record (OrderID or ClOrdID)
    GET  /lps?window=1h[&until=ISO]   LP scorecard over the window
    GET  /metrics                     Prometheus text format

Unknown path or name → 404, known path with another method → 405 (with Allow),
bad parameters → 400; every error body is `{"error": "..."}`. Operator actions
(trip, reset, logout) are written to the event log like any other event.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from prometheus_client import CONTENT_TYPE_LATEST

from gateway.admin.http import Request, Response
from gateway.admin.views import breaker_view, session_view
from gateway.reports.bestex import find_order, order_record
from gateway.reports.periods import PeriodError, Window, parse_duration, parse_instant
from gateway.reports.scorecard import scorecard
from gateway.session.core import Session
from routing.breaker.table import BreakerState

if TYPE_CHECKING:
    from gateway.service import Gateway

Params = dict[str, str]
RouteHandler = Callable[[Request, Params], Awaitable[Response]]
DEFAULT_WINDOW = "1h"


def _segments(path: str) -> list[str]:
    return [unquote(part) for part in path.strip("/").split("/")] if path.strip("/") else []


def _match(pattern: list[str], segments: list[str]) -> Params | None:
    if len(pattern) != len(segments):
        return None
    params: Params = {}
    for want, got in zip(pattern, segments, strict=True):
        if want.startswith("{"):
            if not got:
                return None
            params[want[1:-1]] = got
        elif want != got:
            return None
    return params


class AdminApi:
    """Request handler for `HttpServer`: dispatches to the routes above."""

    def __init__(self, gateway: Gateway, clock: Callable[[], float] = time.time) -> None:
        self.gateway = gateway
        self.clock = clock
        self.started_at_s = clock()
        table: list[tuple[str, str, RouteHandler]] = [
            ("GET", "/health", self.health),
            ("GET", "/sessions", self.sessions),
            ("GET", "/sessions/{id}", self.session),
            ("POST", "/sessions/{id}/logout", self.logout),
            ("GET", "/breakers", self.breakers),
            ("POST", "/breakers/{lp}/trip", self.trip),
            ("POST", "/breakers/{lp}/reset", self.reset),
            ("GET", "/orders/{id}", self.order),
            ("GET", "/lps", self.lps),
            ("GET", "/metrics", self.metrics),
        ]
        self.routes = [(method, _segments(pattern), handler) for method, pattern, handler in table]

    async def __call__(self, request: Request) -> Response:
        segments = _segments(request.path)
        allowed: list[str] = []
        for method, pattern, handler in self.routes:
            params = _match(pattern, segments)
            if params is None:
                continue
            if method == request.method:
                return await handler(request, params)
            allowed.append(method)
        if allowed:
            return Response.error(405, f"{request.method} is not allowed on {request.path}",
                                  (("Allow", ", ".join(allowed)),))
        return Response.error(404, f"no such route: {request.path}")

    # -- helpers ---------------------------------------------------------------------------------
    @property
    def lp_names(self) -> list[str]:
        return [lp.name for lp in self.gateway.config.lps]

    def _find_session(self, key: str) -> Session | None:
        for session_id, session in self.gateway.engine.sessions.items():
            if str(session_id) == key:
                return session
        return self.gateway.app.lp_sessions.get(key)

    def _event(self, text: str, **fields: str) -> None:
        self.gateway.app.on_event("admin", text, dict(fields))

    # -- routes ----------------------------------------------------------------------------------
    async def health(self, request: Request, params: Params) -> Response:
        sessions = list(self.gateway.engine.sessions.values())
        lps = self.lp_names
        up = sorted(lp for lp, s in self.gateway.app.lp_sessions.items() if s.is_logged_on)
        records = await self.gateway.breakers.snapshot(lps)
        not_closed = sorted(lp for lp, r in records.items() if r.state is not BreakerState.CLOSED)
        healthy = len(up) == len(lps) and not not_closed
        return Response.json(200, {
            "status": "ok" if healthy else "degraded",
            "uptime_s": round(self.clock() - self.started_at_s, 3),
            "sessions": {"total": len(sessions), "logged_on": sum(s.is_logged_on for s in sessions)},
            "lps": {"configured": lps, "up": up, "breakers_not_closed": not_closed},
            "orders": {"total": len(self.gateway.router.book.orders),
                       "quoting": len(self.gateway.router.rounds)},
        })

    async def sessions(self, request: Request, params: Params) -> Response:
        views = [session_view(s) for s in self.gateway.engine.sessions.values()]
        return Response.json(200, {"sessions": views})

    async def session(self, request: Request, params: Params) -> Response:
        session = self._find_session(params["id"])
        if session is None:
            return Response.error(404, f"no such session: {params['id']}")
        return Response.json(200, session_view(session))

    async def logout(self, request: Request, params: Params) -> Response:
        session = self._find_session(params["id"])
        if session is None:
            return Response.error(404, f"no such session: {params['id']}")
        if not session.connected:
            return Response.error(409, f"session {session.session_id} is not connected")
        session.logout("Logout requested by operator")
        self._event(f"operator logged out {session.session_id} via the admin API",
                    session=str(session.session_id))
        return Response.json(202, session_view(session))

    async def breakers(self, request: Request, params: Params) -> Response:
        records = await self.gateway.breakers.snapshot(self.lp_names)
        if self.gateway.metrics is not None:
            self.gateway.metrics.breaker_snapshot(records)
        return Response.json(200, {"breakers": [breaker_view(lp, records[lp]) for lp in sorted(records)]})

    async def trip(self, request: Request, params: Params) -> Response:
        return await self._manual(request, params["lp"], trip=True)

    async def reset(self, request: Request, params: Params) -> Response:
        return await self._manual(request, params["lp"], trip=False)

    async def _manual(self, request: Request, lp: str, trip: bool) -> Response:
        if lp not in self.lp_names:
            return Response.error(404, f"no such LP: {lp}")
        try:
            body = request.json()
        except ValueError:
            return Response.error(400, "the body must be JSON, e.g. {\"reason\": \"...\"}")
        verb = "trip" if trip else "reset"
        reason = body.get("reason") if isinstance(body, dict) else None
        reason = str(reason or f"manual {verb} via admin API")
        store = self.gateway.breakers
        now = self.clock()
        transitions = await (store.trip(lp, reason, now) if trip else store.reset(lp, reason, now))
        self.gateway.app.log_transitions(transitions)
        self._event(f"operator {verb} of breaker {lp} via the admin API: {reason}", lp=lp)
        record = (await store.snapshot([lp]))[lp]
        return Response.json(200, {**breaker_view(lp, record), "changed": bool(transitions)})

    async def order(self, request: Request, params: Params) -> Response:
        book = self.gateway.router.book
        order = find_order(book, params["id"], self.gateway.app.clients)
        if order is None:
            return Response.error(404, f"no such order: {params['id']}")
        return Response.json(200, order_record(book, order).as_dict())

    async def lps(self, request: Request, params: Params) -> Response:
        try:
            duration_s = parse_duration(request.query.get("window", DEFAULT_WINDOW))
            until = request.query.get("until")
            end_s = parse_instant(until) if until else self.clock()
        except PeriodError as error:
            return Response.error(400, str(error))
        window = Window.last(duration_s, end_s)
        scores = scorecard(self.gateway.router.book, window, self.lp_names)
        return Response.json(200, {"window": window.as_dict(), "lps": [s.as_dict() for s in scores]})

    async def metrics(self, request: Request, params: Params) -> Response:
        observer = self.gateway.metrics
        if observer is None:
            return Response.error(404, "metrics are off for this gateway")
        observer.breaker_snapshot(await self.gateway.breakers.snapshot(self.lp_names))
        return Response(200, observer.render(), CONTENT_TYPE_LATEST)
