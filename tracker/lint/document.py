"""A parsed postmortem together with its raw lines, as the rules see it.

The parser's ``Postmortem`` says *what* a document holds; some rules also need *where* (the line
of the "Duration:" label, the lines of the timeline section) or what the parser deliberately
drops (a ``{{blank}}`` left from ``pmt new``). Those raw-text lookups live here, once, and skip
fenced code blocks: a Helm or Jinja snippet quoted in a postmortem is not a blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property

from tracker.models import Postmortem, Section

# A blank left for the author by `pmt new`: {{what goes here}}.
PLACEHOLDER = re.compile(r"\{\{[^{}\n]*\}\}")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
# Markdown decoration in front of a label: list markers, quotes, headings, emphasis, table pipes.
_LABEL_PREFIX = r"^[\s>#|*_+\-]*(?:\d+[.)]\s*)?(?:\*\*|__)?\s*"


@dataclass
class LintDocument:
    pm: Postmortem
    # The document's text split into lines (index 0 is line 1). Empty when only a Postmortem
    # is at hand (unit tests, other callers); raw-text rules then have less to go on.
    lines: list[str] = field(default_factory=list)
    # Section kinds the document must have (``lint.required_sections``).
    required_sections: tuple[str, ...] = ("summary", "timeline", "root_cause", "actions")

    @cached_property
    def _code_lines(self) -> frozenset[int]:
        """Line numbers inside fenced code blocks (fences included)."""
        inside: set[int] = set()
        fence: str | None = None
        for number, text in enumerate(self.lines, start=1):
            match = _FENCE.match(text)
            if fence is None:
                if match:
                    fence = match.group(1)
                    inside.add(number)
            else:
                inside.add(number)
                if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                    fence = None
        return frozenset(inside)

    def prose(self, number: int) -> str:
        """Line ``number`` without inline code, or "" inside a code block or out of range."""
        if number in self._code_lines or not 1 <= number <= len(self.lines):
            return ""
        return _CODE_SPAN.sub("", self.lines[number - 1])

    @cached_property
    def placeholders(self) -> dict[int, list[str]]:
        """Line number -> the ``{{blanks}}`` on it."""
        found: dict[int, list[str]] = {}
        for number in range(1, len(self.lines) + 1):
            blanks = PLACEHOLDER.findall(self.prose(number))
            if blanks:
                found[number] = blanks
        return found

    def label_line(self, *labels: str) -> int | None:
        """First line that starts with one of ``labels`` ("Duration", "Root cause", ...)."""
        pattern = re.compile(
            _LABEL_PREFIX + r"(?:" + "|".join(re.escape(lb) for lb in labels) + r")\b",
            re.IGNORECASE,
        )
        for number in range(1, len(self.lines) + 1):
            if pattern.match(self.prose(number)):
                return number
        return None

    def section(self, *kinds: str) -> Section | None:
        for kind in kinds:
            found = self.pm.section(kind)
            if found is not None:
                return found
        return None

    def section_lines(self, section: Section) -> range:
        """The lines a section spans: its heading up to the next heading of the same or a
        higher level (any next heading when levels are unknown)."""
        end = len(self.lines) + 1
        later = [s for s in self.pm.sections if s.line > section.line]
        for other in sorted(later, key=lambda s: s.line):
            if not section.level or not other.level or other.level <= section.level:
                end = other.line
                break
        return range(section.line, max(end, section.line + 1))

    def where(self, labels: tuple[str, ...], kinds: tuple[str, ...]) -> int | None:
        """Best line for a document-level finding: the label's line, else the section's."""
        line = self.label_line(*labels) if labels else None
        if line is None:
            section = self.section(*kinds)
            line = section.line if section else None
        return line
