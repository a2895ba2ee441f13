"""Run the rules over postmortems: one document, one file, or files and folders."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.errors import ConfigError, InputError
from tracker.lint.document import LintDocument
from tracker.lint.findings import UNUSABLE_FILE, Finding
from tracker.lint.rules import RULES
from tracker.models import SECTION_KINDS, Postmortem

if TYPE_CHECKING:
    from tracker.config import LintSettings, Settings

REQUIRABLE_KINDS = tuple(k for k in SECTION_KINDS if k != "other")


def check_settings(settings: LintSettings) -> None:
    """Refuse rule names and section kinds pmt does not know: a typo must not switch nothing off."""
    for name in settings.disable:
        if name not in RULES:
            raise ConfigError(f"lint.disable: unknown rule {name!r} (rules: {', '.join(RULES)})")
    for kind in settings.required_sections:
        if kind not in REQUIRABLE_KINDS:
            raise ConfigError(
                f"lint.required_sections: unknown section kind {kind!r} "
                f"(kinds: {', '.join(REQUIRABLE_KINDS)})"
            )


def lint_postmortem(
    pm: Postmortem,
    text: str = "",
    *,
    settings: LintSettings | None = None,
    path: str | None = None,
) -> list[Finding]:
    """Findings for one parsed document; ``text`` is its source (for lines and blanks)."""
    from tracker.config import LintSettings

    settings = settings or LintSettings()
    check_settings(settings)
    doc = LintDocument(
        pm=pm, lines=text.splitlines(), required_sections=tuple(settings.required_sections)
    )
    where = path if path is not None else pm.path
    disabled = set(settings.disable)
    findings = [
        Finding(where, line, rule.name, rule.severity, message)
        for rule in RULES.values()
        if rule.name not in disabled
        for line, message in rule.check(doc)
    ]
    if "placeholder" not in disabled:
        # A line still holding a blank is reported once, as the blank: "no owner" or "too
        # vague" about "{{concrete action}}" would only repeat it.
        blanks = doc.placeholders
        findings = [f for f in findings if f.rule == "placeholder" or f.line not in blanks]
    return sorted(findings, key=Finding.sort_key)


def lint_file(path: Path, settings: Settings, *, display: str | None = None) -> list[Finding]:
    """Parse and lint one file. Raises InputError when the file is unusable."""
    from tracker.parsing import parse_file

    pm = parse_file(path, settings.parsing)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:  # parse_file read it a moment ago
        raise InputError(str(path), f"cannot read: {exc}") from exc
    return lint_postmortem(pm, text, settings=settings.lint, path=display or str(path))


@dataclass
class LintReport:
    files: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unusable: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if not f.is_error)

    @property
    def failed(self) -> bool:
        return self.errors > 0


def lint_paths(
    paths: Sequence[str | Path],
    settings: Settings,
    *,
    on_skip: Callable[[Path, str], None] | None = None,
    only_postmortems: bool = False,
) -> LintReport:
    """Lint files and folders (folders recursively, with ``ingest.include``/``exclude``).

    A path that does not exist or a file that cannot be parsed becomes an ``unusable-file``
    error finding; the other files are still linted.

    ``only_postmortems`` (the pre-commit hook, which names every Markdown file changed): a
    file outside ``lint.postmortems`` is skipped; when that setting is empty, a file that
    does not read as a postmortem at all is skipped instead of being an error.
    """
    from tracker.discovery import discover, matches
    from tracker.paths import stored_path

    check_settings(settings.lint)
    report = LintReport()
    files: list[Path] = []
    for raw in paths:
        try:
            files.extend(
                discover([raw], settings.ingest.include, settings.ingest.exclude, on_skip=on_skip)
            )
        except InputError as exc:
            report.findings.append(_unusable(exc))
    globs = settings.lint.postmortems
    for path in _unique(files):
        if (
            only_postmortems
            and globs
            and not matches(stored_path(path, settings.project_root), globs)
        ):
            if on_skip is not None:
                on_skip(path, "not a postmortem: outside lint.postmortems")
            continue
        try:
            findings = lint_file(path, settings)
        except InputError as exc:
            if only_postmortems and not globs:
                if on_skip is not None:
                    on_skip(path, f"not a postmortem: {exc.reason}")
                continue
            report.files.append(str(path))
            report.findings.append(_unusable(exc))
            continue
        report.files.append(str(path))
        report.findings.extend(findings)
    report.unusable = sum(1 for f in report.findings if f.rule == UNUSABLE_FILE)
    return report


def _unusable(exc: InputError) -> Finding:
    return Finding(exc.path, exc.line, UNUSABLE_FILE, "error", exc.reason)


def _unique(paths: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    out: list[Path] = []
    for p in paths:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
