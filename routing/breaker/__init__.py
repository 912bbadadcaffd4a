"""Per-LP circuit breakers (SPEC §5): state table, pure logic, and stores.

`MemoryBreakerStore` is the default; `ResilientBreakerStore` over a
`RedisBreakerStore` shares state between gateway instances and keeps routing
on local state while Redis is unreachable. All stores follow `BreakerStore`.
"""

from routing.breaker.core import (
    BreakerConfig,
    BreakerRecord,
    BreakerSettings,
    BreakerTransition,
)
from routing.breaker.memory import MemoryBreakerStore
from routing.breaker.redis_store import RedisBreakerStore
from routing.breaker.resilient import ResilientBreakerStore
from routing.breaker.store import Admission, BreakerStore, Transitions
from routing.breaker.table import BreakerState, Trigger

__all__ = [
    "Admission",
    "BreakerConfig",
    "BreakerRecord",
    "BreakerSettings",
    "BreakerState",
    "BreakerStore",
    "BreakerTransition",
    "MemoryBreakerStore",
    "RedisBreakerStore",
    "ResilientBreakerStore",
    "Transitions",
    "Trigger",
]
