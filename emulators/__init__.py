"""API emulators of Procore and DATEV, built from their published contracts (never shipped)."""
