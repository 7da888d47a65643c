"""Which DATEV client books which Procore company, and the mapping proposal for each pair.

``init`` maps the client named by ``--advisor-number``/``--client-number`` (it must be visible
to the login), else the login's only client, else the ones the user picks; each gets a Procore
company the same way, and a proposal naming a document type the client offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from streams.errors import ConnectorError
from streams.setup.discovery import CompanyView, DatevClientView
from streams.setup.proposal import ProposalInput, propose_mapping

DEFAULT_DOCUMENT_TYPE = "Rechnungseingang"


class Chooser(Protocol):
    """How the user picks among options (part of the ``init`` UI)."""

    def choose(self, question: str, options: Sequence[str], *, many: bool = False) -> list[int]:
        """Indexes of the chosen options; a non-interactive UI raises ``ConnectorError``."""
        ...


def choose_pairs(
    clients: list[DatevClientView],
    companies: list[CompanyView],
    ui: Chooser,
    wanted: tuple[int, int] | None = None,
) -> list[tuple[DatevClientView, CompanyView]]:
    """The (DATEV client, Procore company) pairs to map: ``wanted`` (advisor, client) if given,
    else the only client or the ones the user picks; a company per client the same way."""
    if wanted is not None:
        match = [c for c in clients if (c.advisor_number, c.client_number) == wanted]
        if not match and clients:
            visible = ", ".join(c.label for c in clients)
            raise ConnectorError(
                f"DATEV client {wanted[0]}/{wanted[1]} is not visible to this login "
                f"(visible: {visible}); check --advisor-number/--client-number or the "
                "login's rights"
            )
        picked = match or [DatevClientView(wanted[0], wanted[1], "")]
    elif len(clients) == 1:
        picked = clients
    elif not clients:
        raise ConnectorError(
            "no DATEV client to map: pass --advisor-number and --client-number "
            "(or log in to DATEV so its clients can be listed)"
        )
    else:
        indexes = ui.choose("Which DATEV client(s) should receive the bookings?",
                            [c.label for c in clients], many=True)  # fmt: skip
        picked = [clients[i] for i in indexes]
    pairs = []
    for client in picked:
        if len(companies) == 1:
            company = companies[0]
        else:
            i = ui.choose(f"Which Procore company books into {client.label}?",
                          [f"{c.id} {c.name}" for c in companies])[0]  # fmt: skip
            company = companies[i]
        pairs.append((client, company))
    return pairs


def proposal_text(
    client: DatevClientView,
    company: CompanyView,
    document_type: str | None,
    cadence: str,
    skr: Literal["03", "04"],
) -> str:
    """The mapping proposal for one pair; ``document_type`` must be one the client offers."""
    types = client.document_types
    doc_type = document_type or (
        DEFAULT_DOCUMENT_TYPE if DEFAULT_DOCUMENT_TYPE in types or not types else types[0]
    )
    if document_type and types and document_type not in types:
        raise ConnectorError(
            f"document type {document_type!r} is not offered by DATEV client "
            f"{client.label} (offered: {', '.join(types)}); check --document-type"
        )
    return propose_mapping(
        ProposalInput(
            advisor_number=client.advisor_number,
            client_number=client.client_number,
            client_name=client.name or company.name,
            company_id=company.id,
            projects=company.projects,
            cost_type_codes=company.cost_type_codes,
            tax_codes=company.tax_codes,
            cadence=cadence,
            skr=skr,
            document_type=doc_type,
            cost_codes=company.cost_codes,
            vendors=company.vendors,
        )
    )
