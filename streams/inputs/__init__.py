"""Inputs: Procore webhooks, the poller and the fetch reads that feed ``procore.changes``."""
