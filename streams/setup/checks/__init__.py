"""``ml-connector doctor`` checks: one module per system, found by the runner.

A check module defines ``ORDER`` (an int: the position in the checklist, in the order a person
fixes things) and ``async def run(ctx: DoctorContext) -> list[Check]``. Adding a module here adds
its lines to the checklist; nothing else needs to change. A check only reads: it never creates,
registers or rotates anything (``ml-connector webhooks register`` is the explicit command for
that). Shared facts found by earlier checks (vault, rules, ledger) are on the context.

Orders in use: settings 0, files 5, status page 8, vault 10, mapping 20, procore 30, datev 40,
kafka 50, event store 60, encryption 62, backlog 70. Leave gaps; pick a number between the
neighbours you depend on.
"""
