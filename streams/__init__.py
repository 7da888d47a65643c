"""Wiring: faust app, topics, agents, the event-sourced application, CLI and composition root."""
