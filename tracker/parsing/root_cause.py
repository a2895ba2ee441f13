"""The incident's root cause and resolution: a "Root cause:" line, a section of that name, or
the sentence that states one in the summary."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tracker.parsing.blocks import ListBlock, Para
from tracker.parsing.headings import classify, normalise, plain
from tracker.parsing.sections import Node
from tracker.parsing.summary import KEY_VALUE, key_name, key_values, section_text, sentences
from tracker.parsing.vocabulary import TEMPLATE_INSTRUCTION

if TYPE_CHECKING:
    from tracker.parsing.metadata import Meta


_CAUSE_WORDS = re.compile(
    r"\b(?:caus\w*|due to|because|bug|failure|misconfigur\w*|error|broke\w*|triggered|result of|root cause)\b",
    re.IGNORECASE,
)

_STATES_CAUSE = re.compile(
    r"\broot[ -]?cause\b[^.;]{0,80}?\b(?:was|is|were|are|appears? to (?:be|have been)|turned out|seems)\b|\broot[ -]?cause\s*:",
    re.IGNORECASE,
)

# Cheap tests on a raw paragraph before its sentences are split and read.
_MENTIONS_CAUSE = ("root cause", "root-cause", "rootcause")
_MENTIONS_CAUSED = ("caused by", "stemmed from", "resulted from", "arose from", "due to")

# A sentence saying what brought the incident about.
_CAUSED_BY = re.compile(
    r"\b(?:was|were|is|are|got|been)\s+(?:\w+\s+)?caused by\b|\b(?:stemmed|resulted|arose) from\b"
    r"|\b(?:was|were)\s+(?:\w+\s+)?due to\b",
    re.IGNORECASE,
)

_MENTIONS_FIX = ("resol", "fixed", "mitigated", "remedied", "restored", "recovered")

_RESOLVED_BY = re.compile(
    r"\b(?:resolved|fixed|mitigated|remedied|restored|recovered)\s+by\b|\bresolution\b|\bto resolve\b",
    re.IGNORECASE,
)


def read_root_cause(
    meta: Meta, front: dict[str, Any], nodes: list[Node], summaries: list[Node], lower: str = ""
) -> None:
    # ``lower``: the document lower-cased, to skip the searches for "root cause" it cannot answer.
    names_cause = not lower or any(w in lower for w in _MENTIONS_CAUSE)
    rc_nodes = [
        n
        for n in nodes
        if n.kind == "root_cause" and (n.parent is None or n.parent.kind != "root_cause")
    ]
    if rc_nodes:
        detail = "\n\n".join(t for t in (section_text(n) for n in rc_nodes) if t)
        meta.pm.root_cause_detail = detail or None

    # 1. "Root cause: ..." on a line of its own (summary or the root-cause section).
    candidates = [
        kv
        for kv in key_values(summaries + rc_nodes)
        if kv[0] == "root_cause" and not TEMPLATE_INSTRUCTION.match(kv[1])
    ]
    if candidates:
        meta.pm.root_cause = _first_sentence(candidates[0][1], whole=True)
        return
    # 2. The root-cause section's first sentence, when it speaks of a cause ("The issue was
    #    caused by ..."); a section that opens with background gives way to the summary's line.
    for node in [n for n in rc_nodes if "contribut" not in n.title.lower()][:1]:
        first = next(
            (x for x in _node_sentences(node, deep=True) if len(x) > 15 and not x.endswith(":")),
            None,
        )
        if first and _CAUSE_WORDS.search(first):
            meta.pm.root_cause = first
            return
    # 3. A summary sentence saying what the root cause was.
    for node in summaries if names_cause else ():
        for sentence in _node_sentences(node, having=_MENTIONS_CAUSE):
            if _STATES_CAUSE.search(sentence):
                meta.pm.root_cause = sentence
                return
    # 4. The root-cause section's first sentence ("Contributing factors" only as a last resort).
    for node in [n for n in rc_nodes if "contribut" not in n.title.lower()]:
        for sentence in _node_sentences(node, deep=True):
            if len(sentence) > 15 and not sentence.endswith(":"):
                meta.pm.root_cause = sentence
                return
    # 5. Any sentence that names the root cause, outside the action section.
    for node in nodes if names_cause else ():
        if node.kind in ("actions", "takeaways"):
            continue
        for sentence in _node_sentences(node, having=_MENTIONS_CAUSE):
            if _STATES_CAUSE.search(sentence):
                meta.pm.root_cause = sentence
                return
    # 6. Front matter, then the summary's first sentence when it speaks of a cause.
    value = front.get("root_cause") or front.get("cause")
    if isinstance(value, str) and value.strip():
        meta.pm.root_cause = value.strip()
        return
    # 6b. With no root cause named anywhere, the sentence saying what caused the incident
    #     ("the issue was caused by a typo"), in the summary, then in any other section.
    ordered = summaries + [n for n in nodes if n not in summaries]
    for node in ordered:
        if node.kind in ("actions", "takeaways", "timeline"):
            continue
        for sentence in _node_sentences(node, having=_MENTIONS_CAUSED):
            if _CAUSED_BY.search(sentence):
                meta.pm.root_cause = sentence
                return
    for node in summaries:
        if node.kind != "summary":
            continue
        first = next(iter(_node_sentences(node)), None)
        if first and _CAUSE_WORDS.search(first):
            meta.pm.root_cause = first
            return
    # 7. The first contributing factor.
    for node in rc_nodes:
        for sentence in _node_sentences(node, deep=True):
            if len(sentence) > 15:
                meta.pm.root_cause = sentence
                return


def _node_sentences(node: Node, deep: bool = False, having: tuple[str, ...] = ()) -> Iterator[str]:
    """The sentences of a section's paragraphs (and, ``deep``, its subsections and list items);
    with ``having``, only of paragraphs holding one of those lower-case words (splitting costs
    more than looking)."""
    for n in node.walk() if deep else [node]:
        for block in n.blocks:
            if isinstance(block, Para):
                if having:
                    lower = block.text.lower()
                    if not any(word in lower for word in having):
                        continue
                text = plain(block.text)
                if (
                    (":" in text or "=" in text)
                    and KEY_VALUE.match(text)
                    and len(text.split(":", 1)[0].split()) <= 4
                    and text.split(":", 1)[0].istitle()
                ):
                    # "Primary Causes:" style labels and "Date: ..." lines are not prose.
                    key = text.split(":", 1)[0]
                    if classify(key) != "other" or key_name(key):
                        continue
                yield from (x for x in sentences(text) if not TEMPLATE_INSTRUCTION.match(x))
            elif isinstance(block, ListBlock) and deep:
                for item in block.items:
                    if item.text:
                        yield from (
                            x
                            for x in sentences(plain(item.text))
                            if not TEMPLATE_INSTRUCTION.match(x)
                        )


def _first_sentence(text: str, whole: bool = False) -> str:
    found = sentences(text)
    if not found:
        return text.strip()
    return found[0] if not whole or len(found[0]) > 25 else " ".join(found[:2])


def read_resolution(meta: Meta, nodes: list[Node], summaries: list[Node], lower: str = "") -> None:
    res_nodes = [
        n
        for n in nodes
        if n.kind == "resolution" and (n.parent is None or n.parent.kind != "resolution")
    ]
    for node in res_nodes:
        text = section_text(node)
        if text:
            meta.pm.resolution = text
            return
    kv = [
        v
        for v in key_values(summaries + [n for n in nodes if n.kind == "root_cause"])
        if v[0] == "resolution"
    ]
    if kv:
        meta.pm.resolution = kv[0][1]
        return
    # A combined "Root Cause and Resolution" section: its paragraph about the fix.
    for node in nodes:
        if node.kind == "root_cause" and "resol" in normalise(node.title):
            paras = [plain(b.text) for b in node.blocks if isinstance(b, Para)]
            for text in paras[1:]:
                if _RESOLVED_BY.search(text) or re.search(
                    r"\b(?:rolled back|rolling back|reverted|fixed)\b", text, re.IGNORECASE
                ):
                    meta.pm.resolution = text
                    return
    if lower and not any(w in lower for w in _MENTIONS_FIX):
        return
    for node in summaries:
        for sentence in _node_sentences(node, having=_MENTIONS_FIX):
            if _RESOLVED_BY.search(sentence):
                meta.pm.resolution = sentence
                return
