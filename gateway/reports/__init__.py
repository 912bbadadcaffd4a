"""Reports from the order store (SPEC §6): LP scorecards and best-execution records.

Both work on an `OrderBook`: the live one (`GET /lps`, `GET /orders/{id}`) or one
rebuilt offline from the journal in DataPath (`fixgw report`), so the admin API
and the CLI print the same figures.

- `source` — read the journal without touching it; build the book.
- `scorecard` — per-LP figures over a time window.
- `bestex` — the best-execution record of one order, and the CSV export.
- `render` — text for the terminal.
- `periods` — windows, durations and timestamps as operators write them.
"""
