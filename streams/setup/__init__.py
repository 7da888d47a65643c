"""First-run setup and checks: ``init`` (discovery, proposal, files) and ``doctor``."""
