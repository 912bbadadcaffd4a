"""Building the router's and breakers' configuration from sessions.cfg."""

from __future__ import annotations

from decimal import Decimal

from gateway.config.errors import ConfigError, Location
from gateway.config.model import GatewayConfig
from routing.breaker.core import BreakerConfig, BreakerSettings
from routing.model import LPInfo
from routing.risk import RiskLimits
from routing.router import RouterConfig


def router_config(config: GatewayConfig) -> RouterConfig:
    gateway = config.gateway
    lps: dict[str, LPInfo] = {}
    terms: dict[str, tuple[str, str]] = {}
    for settings in config.initiators:
        lp = settings.lp
        if lp is None:
            continue
        lps[lp.name] = LPInfo(lp.name, frozenset(lp.symbols), lp.lot_size or Decimal(1),
                              lp.min_qty or Decimal(0))
        terms[lp.name] = (lp.child_ord_type.value, lp.child_time_in_force.value)
    risk = {}
    for settings in config.acceptors:
        client = settings.client
        if client is not None:
            risk[str(settings.session_id)] = RiskLimits(
                client.max_order_qty, client.max_order_notional, client.price_collar_pct,
                client.max_orders_per_second)
    return RouterConfig(
        lps=lps, child_terms=terms, risk=risk,
        rfq_timeout_s=gateway.rfq_timeout_ms / 1000,
        routing_budget_s=gateway.routing_time_budget_ms / 1000,
        default_quote_ttl_s=gateway.default_quote_ttl_ms / 1000,
        child_ack_timeout_s=gateway.child_ack_timeout_ms / 1000,
        unknown_child_timeout_s=gateway.unknown_child_timeout_ms / 1000,
        release_unknown=gateway.unknown_child_policy.value == "release",
        resting_requote_s=gateway.resting_requote_ms / 1000)


def breaker_settings(config: GatewayConfig) -> BreakerSettings:
    per_lp = {
        lp.name: BreakerConfig(lp.breaker_failure_threshold, lp.breaker_window_s,
                               lp.breaker_reset_s, lp.breaker_half_open_trials)
        for lp in config.lps
    }
    return BreakerSettings(per_lp=per_lp)


def require_lp_names(config: GatewayConfig) -> None:
    """The gateway routes to every initiator session, so each must name its LP."""
    for settings in config.initiators:
        if settings.lp is None:
            raise ConfigError(
                Location(str(config.path), "SESSION", settings.index, str(settings.session_id),
                         key="LPName"),
                "missing (required by fixgw run: every initiator session is an LP)")
