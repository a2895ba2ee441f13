"""What a lint rule reports: one finding, pointing at a file and (where it can) a line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]

# Not a rule (it cannot be disabled): the file could not be read or parsed at all.
UNUSABLE_FILE = "unusable-file"


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    # 1-based; None when the finding is about the whole file and no better line is known.
    line: int | None
    rule: str
    severity: Severity
    message: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
        }

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.path, self.line or 0, self.rule, self.message)
