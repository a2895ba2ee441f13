"""``pmt lint``: what a postmortem lacks, as findings with a rule name, severity and line.

    from tracker.lint import lint_postmortem, lint_paths, RULES

``lint_postmortem(pm, text, settings=LintSettings())`` lints one parsed document;
``lint_paths(paths, settings)`` lints files and folders and reports unusable files as findings.
"""

from __future__ import annotations

from tracker.lint.findings import UNUSABLE_FILE, Finding, Severity
from tracker.lint.rules import RULES, Rule
from tracker.lint.runner import LintReport, check_settings, lint_file, lint_paths, lint_postmortem
from tracker.lint.vague import vagueness

__all__ = [
    "RULES",
    "UNUSABLE_FILE",
    "Finding",
    "LintReport",
    "Rule",
    "Severity",
    "check_settings",
    "lint_file",
    "lint_paths",
    "lint_postmortem",
    "vagueness",
]
