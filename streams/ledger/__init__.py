"""The ledger: the event-sourced application (system of record), its store and booking rules."""
