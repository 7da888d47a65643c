"""The mapping editor: what Procore sends, suggestions, and validated edits of the mapping file."""
