"""After sealing: submit batches to DATEV (EXTF or DXSO jobs) or write them as files, upload
documents, relay booking events; the DATEV gateway they share."""
