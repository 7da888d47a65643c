"""Kafka plumbing: the embedded broker for development/tests/demo, and admin helpers."""
