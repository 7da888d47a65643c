"""Settings, logging and process telemetry: what every entry point configures first."""
