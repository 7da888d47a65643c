"""Everything that talks to the outside world: Procore, DATEV, Kafka, the vault, emulators."""
