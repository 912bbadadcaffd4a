"""JSON views of live gateway objects for the admin API: sessions and breakers."""

from __future__ import annotations

from typing import Any

from gateway.admin.collector import BREAKER_GAUGE
from gateway.fix.errors import SessionRejectReason
from gateway.reports.periods import iso
from gateway.session.core import Session
from routing.breaker.core import BreakerRecord


def session_view(session: Session) -> dict[str, Any]:
    """State, sequence numbers, heartbeat and traffic counters of one FIX session."""
    settings = session.settings
    stats = session.stats
    rejects = {_reason(code): count for code, count in sorted(stats.rejects_sent.items())}
    return {
        "id": str(session.session_id),
        "role": "lp" if session.initiator else "client",
        "lp": settings.lp.name if settings.lp is not None else None,
        "state": session.state.name,
        "logged_on": session.is_logged_on,
        "connected": session.connected,
        "next_sender_seq": session.store.next_sender_seq,
        "next_target_seq": session.store.next_target_seq,
        "heartbeat_interval_s": session.heartbeat_s,
        "last_received_at": iso(session.last_received_s),
        "last_sent_at": iso(session.last_sent_s),
        "messages_in": stats.messages_in,
        "messages_out": stats.messages_out,
        "resend_requests_sent": stats.resend_requests_sent,
        "resend_requests_received": stats.resend_requests_received,
        "rejects_sent": rejects,
    }


def _reason(code: int) -> str:
    try:
        return f"{int(code)} {SessionRejectReason(code).name}"
    except ValueError:
        return str(code)


def breaker_view(lp: str, record: BreakerRecord) -> dict[str, Any]:
    """One LP's breaker: state (and its gauge value), since when, why, recent failures."""
    return {
        "lp": lp,
        "state": record.state.value,
        "gauge": BREAKER_GAUGE[record.state],
        "description": record.state.description,
        "since": iso(record.since_s),
        "reason": record.reason or None,
        "recent_failures": len(record.failures),
        "half_open_trials_used": record.trials,
    }
