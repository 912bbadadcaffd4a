"""Fixtures of the LP simulator's integration tests."""

from tests.fixtures.qf_lp import qf_lp_factory

__all__ = ["qf_lp_factory"]
