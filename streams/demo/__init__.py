"""``ml-connector demo``: a realistic contractor synced from the Procore emulator into DATEV's."""
