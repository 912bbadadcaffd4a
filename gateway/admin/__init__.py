"""Operations surface: Prometheus metrics of the order flow and the admin HTTP API (SPEC §6).

- `metrics.PrometheusObserver` — counts what the router does (a `RoutingObserver`).
- `collector.GatewayCollector` — builds the fixgw_* metric families at scrape time.
- `http.HttpServer` — a small asyncio HTTP/1.1 server (h11) bound to 127.0.0.1.
- `api.AdminApi` — the JSON routes (/health, /sessions, /breakers, /orders, /lps, /metrics).
"""
