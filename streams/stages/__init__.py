"""After folding: seal batches, submit them to DATEV, upload documents, relay booking events."""
