"""Reading a Prometheus text exposition back into numbers, for assertions."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str | bytes) -> Samples:
    """Every sample, keyed by (sample name, frozenset of its labels)."""
    if isinstance(text, bytes):
        text = text.decode()
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return out


def value(scraped: Samples, name: str, **labels: str) -> float | None:
    """The sample `name` with exactly `labels`, or None when absent."""
    return scraped.get((name, frozenset(labels.items())))


def bucket(scraped: Samples, name: str, le: str, **labels: str) -> float | None:
    """Cumulative count of histogram `name` for the bucket `le`."""
    return value(scraped, f"{name}_bucket", le=le, **labels)
