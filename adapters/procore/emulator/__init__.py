"""Procore emulator."""
