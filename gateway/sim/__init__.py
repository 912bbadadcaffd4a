"""The LP simulator (SPEC §7): pure LP behaviour (`lp_logic`) and its engine adapter (`lp_app`)."""

from gateway.sim.behaviour import DEFAULT_MIDS, LPBehaviour, SpreadUnit
from gateway.sim.common import LPCounters, Reaction
from gateway.sim.lp_logic import LPLogic

__all__ = ["DEFAULT_MIDS", "LPBehaviour", "LPCounters", "LPLogic", "Reaction", "SpreadUnit"]
