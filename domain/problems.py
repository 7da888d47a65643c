"""A configuration problem: where it is, what is wrong, how to fix it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Problem(BaseModel):
    """One problem in a mapping or chart file. ``path`` is the TOML key path."""

    model_config = ConfigDict(frozen=True)

    path: tuple[str | int, ...]
    message: str
    fix: str
    location: str = ""  # e.g. "mapping.toml:42", filled in by the file loader

    @property
    def key(self) -> str:
        """The key path as written in TOML terms, e.g. ``cost_accounts[3].account``."""
        out = ""
        for part in self.path:
            if isinstance(part, int):
                out += f"[{part}]"
            else:
                out += ("." if out else "") + (
                    part if part.replace("_", "").isalnum() else f'"{part}"'
                )
        return out or "(file)"

    def render(self) -> str:
        where = f"{self.location}: {self.key}" if self.location else self.key
        return f"{where}: {self.message}\n    fix: {self.fix}"
