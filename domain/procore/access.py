"""A Procore 403 as a named configuration problem: company, project, tool, permission to grant."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

# Our resource → the Procore tool (as named on its permission screens) a read needs.
TOOLS: dict[str, str] = {
    "requisition": "Commitments (Subcontractor Invoices)",
    "commitment": "Commitments",
    "direct_cost": "Direct Costs",
    "vendor": "Directory (Company Vendors)",
}


class AccessProblem(BaseModel):
    """Procore refused the service account one tool in one project (or the company)."""

    model_config = ConfigDict(frozen=True)

    company_id: int
    project_id: int | None
    resource: str
    procore_message: str = ""
    since: datetime
    retry_at: datetime
    attempts: int = 1

    @property
    def key(self) -> str:
        project = "-" if self.project_id is None else str(self.project_id)
        return f"{self.company_id}:{project}:{self.resource}"

    @property
    def tool(self) -> str:
        return TOOLS.get(self.resource, self.resource)

    @property
    def where(self) -> str:
        if self.project_id is None:
            return f"company {self.company_id}"
        return f"project {self.project_id} of company {self.company_id}"

    @property
    def message(self) -> str:
        said = f" (Procore: {self.procore_message})" if self.procore_message else ""
        return (
            f"Procore denies the service account the tool {self.tool} in {self.where}{said}; "
            f"its {self.resource} records are not read "
            f"(next try {self.retry_at:%Y-%m-%d %H:%M} UTC)"
        )

    @property
    def fix(self) -> str:
        if self.project_id is None:
            return (
                f"Company Admin → App Management: give the app's service account read "
                f"permission on {self.tool} for company {self.company_id}"
            )
        return (
            f"grant the service account read permission on {self.tool} in project "
            f"{self.project_id} (Project Admin → Directory → permissions), and make sure the "
            "project is among the app's permitted projects (Company Admin → App Management)"
        )
