"""FIX session states and the transitions between them, as data.

A session is in exactly one of these states; flags that are orthogonal to the
logon handshake (outstanding ResendRequest range, test requests sent, queued
too-high messages) live on the session itself. An event that has no entry in
TRANSITIONS for the current state is a programming error (`SessionStateError`).
"""

from __future__ import annotations

import enum


class SessionState(enum.Enum):
    """Where the session is in the FIX 4.4 logon/logout handshake."""

    DISCONNECTED = "no transport attached"
    CONNECTED = "transport attached, no Logon exchanged yet"
    LOGON_SENT = "initiator: our Logon sent, waiting for the peer's Logon"
    LOGGED_ON = "both Logons exchanged; application messages flow"
    LOGOUT_SENT = "our Logout sent; waiting for the peer's Logout or LogoutTimeout"


class SessionEvent(enum.Enum):
    CONNECT = "transport attached"
    SEND_LOGON = "we sent a Logon (initiator)"
    LOGON_ACCEPTED = "the peer's Logon passed every check"
    SEND_LOGOUT = "we sent a Logout"
    DISCONNECT = "transport detached"


S, E = SessionState, SessionEvent

TRANSITIONS: dict[tuple[SessionState, SessionEvent], SessionState] = {
    (S.DISCONNECTED, E.CONNECT): S.CONNECTED,
    (S.CONNECTED, E.SEND_LOGON): S.LOGON_SENT,
    (S.CONNECTED, E.LOGON_ACCEPTED): S.LOGGED_ON,
    (S.LOGON_SENT, E.LOGON_ACCEPTED): S.LOGGED_ON,
    # ResetSeqNumFlag=Y Logon in mid-session: sequence numbers restart, still logged on.
    (S.LOGGED_ON, E.LOGON_ACCEPTED): S.LOGGED_ON,
    (S.CONNECTED, E.SEND_LOGOUT): S.LOGOUT_SENT,
    (S.LOGON_SENT, E.SEND_LOGOUT): S.LOGOUT_SENT,
    (S.LOGGED_ON, E.SEND_LOGOUT): S.LOGOUT_SENT,
    (S.LOGOUT_SENT, E.SEND_LOGOUT): S.LOGOUT_SENT,
    (S.CONNECTED, E.DISCONNECT): S.DISCONNECTED,
    (S.LOGON_SENT, E.DISCONNECT): S.DISCONNECTED,
    (S.LOGGED_ON, E.DISCONNECT): S.DISCONNECTED,
    (S.LOGOUT_SENT, E.DISCONNECT): S.DISCONNECTED,
    (S.DISCONNECTED, E.DISCONNECT): S.DISCONNECTED,
}


class SessionStateError(RuntimeError):
    """An event arrived in a state where it has no meaning."""


def transition(state: SessionState, event: SessionEvent) -> SessionState:
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        raise SessionStateError(f"{event.name} is not valid in state {state.name}") from None
