"""Shared fixtures and plugins for the whole suite."""

pytest_plugins = [
    "tests.fixtures.redis_server",
    "tests.fixtures.qf_lp",
    "tests.acceptance.plugin",
]
