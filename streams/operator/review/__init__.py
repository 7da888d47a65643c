"""Review before DATEV: what an advisor sees of a sealed batch, and approve / reject."""
