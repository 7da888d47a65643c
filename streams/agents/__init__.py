"""faust agents and timers: small functions that read, call the application, and send."""
