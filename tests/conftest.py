"""Shared fixtures and plugins for the whole suite."""

pytest_plugins = ["tests.fixtures.redis_server", "tests.acceptance.plugin"]
