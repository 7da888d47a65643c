"""Operator surfaces: actions on the ledger, the month-end close, the status page."""
