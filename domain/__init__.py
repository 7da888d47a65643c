"""Pure model of ml-connector: Procore records, mapping, tax rules, booking lines, EXTF, aggregates.

Nothing in this package performs I/O, awaits, or opens a socket.
"""
