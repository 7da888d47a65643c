"""Procore adapter: API client (client-credentials auth, pagination, rate limits), webhook payloads,
and a faithful loopback emulator (``emulators.procore``)."""
