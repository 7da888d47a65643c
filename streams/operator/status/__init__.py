"""The worker's status page, health endpoints and Prometheus metrics (served by faust's web)."""
