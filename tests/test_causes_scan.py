"""The scanner finds exactly what ``finditer`` finds, only faster: every pattern of the lexicon
and of the normaliser, over the labelled texts, generated postmortems and arbitrary text."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.causes_data import labelled_texts
from tracker.causes import lexicon
from tracker.causes.linear import LinearSet, _without_lookarounds, agrees
from tracker.causes.prefilter import FOLDS_TO_ASCII
from tracker.causes.scan import ANY_WORD, DIGIT, Scanner, View, heads

PATTERNS = (
    [m.pattern for m in lexicon.MECHANISMS]
    + [cue[1] for cue in lexicon.CUES]
    + [
        lexicon.CAUSE_MARKERS,
        lexicon.EFFECT_MARKERS,
        lexicon.UNKNOWN_PATTERN,
        lexicon.DISCOVERY_PATTERN,
        lexicon.BOILERPLATE_PATTERN,
    ]
)
SCANNER = Scanner(PATTERNS)


def _spans(text: str, scanner: Scanner = SCANNER) -> list[list[tuple[int, int]]]:
    view = View(text)
    starts = scanner.starts(view)
    return [
        [m.span() for m in scanner.finditer(k, view, starts[k])] if k in starts else []
        for k in range(len(scanner.patterns))
    ]


def _expected(text: str, patterns: list[re.Pattern[str]] = PATTERNS) -> list[list[tuple[int, int]]]:
    return [[m.span() for m in p.finditer(text)] for p in patterns]


def test_every_lexicon_pattern_has_known_starts() -> None:
    """A pattern whose starts are unknown runs over the whole text: the slow path, kept for
    patterns written in ways the derivation does not read."""
    assert SCANNER.always == []


def test_same_matches_as_finditer_onlabelled_texts() -> None:
    texts = labelled_texts()
    assert len(texts) > 300
    for text in texts:
        assert _spans(text) == _expected(text), text


def test_same_matches_on_generated_postmortems() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import postmortem_text

    for i in range(60):
        text = postmortem_text(i, seed=3)
        assert _spans(text) == _expected(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "x",
        "NOT A DDOS: the TLS CERT EXPIRED",
        "Café — the certificate’s renewal “lapsed”; naïve datetime in the tz data",
        "The \u212aubernetes cert expired and the \u017fecret rotated",  # folds onto ASCII letters
        "İstanbul DNS: the ıssuer cert",
        "a-list change; white-list update; 3x the normal traffic; Acme's API was down",
        "ups batteries failed; the UPS failed; backups failed",
        "certcert cert-cert _cert cert_ 9cert",
    ],
)
def test_same_matches_on_edge_cases(text: str) -> None:
    assert _spans(text) == _expected(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["the", "cert", "certificate", "expired", "not", "config", "pushed", "to", "all", "regions",
             "at", "once", "DNS", "TTL", "-", ",", ".", " ", "  ", "\n", "leap", "second", "Dst", "é",
             "\u212a", "db", "failed over", "3x", "a-list", "'s", "ups", "power"]
        ),
        max_size=40,
    ).map(" ".join)
)
def test_same_matches_on_arbitrary_text(text: str) -> None:
    assert _spans(text) == _expected(text)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_same_matches_on_any_unicode(text: str) -> None:
    assert _spans(text) == _expected(text)


def test_heads_of_simple_patterns() -> None:
    assert heads(re.compile(r"\b(?:certs?|tls)\b", re.I)) == {("cert", True, None), ("tls", True, None)}
    # An optional start: the match begins with it or with what follows.
    assert heads(re.compile(r"(?:the )?wrong host")) == {("the ", False, None), ("wrong host", False, None)}
    # A boundary before a non-word character is not a word start.
    assert heads(re.compile(r"\b[- ]x")) == {("-", False, None), (" ", False, None)}
    # Wildcards: any word, or a word that starts with a digit, with what the match must hold.
    assert heads(re.compile(r"\b\w+'s api")) == {(ANY_WORD, True, frozenset({"'s api"}))}
    assert heads(re.compile(r"\b(?:\d+|ten)x load")) == {
        (DIGIT, True, frozenset({"x load"})),
        ("ten", True, None),
    }
    # Unknown starts: anything may begin the match.
    assert heads(re.compile(r"\w+'s")) is None
    assert heads(re.compile(r"(?:a|b?)c")) is None
    assert heads(re.compile(r"^cert")) is None


def test_wildcard_patterns_are_skipped_when_the_text_lacks_what_they_need() -> None:
    scanner = Scanner([re.compile(r"\b\w+'s api failed"), re.compile(r"\b\d+x load")])
    view = View("the vendor api failed at 3 am")
    assert scanner.starts(view) == {}
    view = View("Acme's api failed under 10x load")
    starts = scanner.starts(view)
    assert [m.group() for m in scanner.finditer(0, view, starts[0])] == ["Acme's api failed"]
    assert [m.group() for m in scanner.finditer(1, view, starts[1])] == ["10x load"]
    assert starts[1] == [24]


def test_folds_to_ascii_lists_every_character_ignorecase_maps_to_an_ascii_letter() -> None:
    letters = re.compile(r"[a-z]", re.IGNORECASE)
    found = {chr(c) for c in range(0x80, sys.maxunicode + 1) if letters.fullmatch(chr(c))}
    assert found == set(FOLDS_TO_ASCII)


# --- RE2 (tracker.causes.linear): the same spans in one pass where both engines agree.

LINEAR = LinearSet(PATTERNS)


def _linear_spans(text: str) -> list[list[tuple[int, int]]]:
    found = LINEAR.spans(text)
    return [found.get(k, []) for k in range(len(PATTERNS))]


def test_re2_is_installed_and_checks_every_lexicon_pattern() -> None:
    assert LINEAR.available
    assert LINEAR.unchecked == []
    assert LINEAR._raw  # spans straight from RE2's matcher, not a match object each


def test_re2_finds_the_same_spans_as_re_on_labelled_and_generated_texts() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import postmortem_text

    texts = labelled_texts() + [postmortem_text(i, seed=5) for i in range(60)]
    checked = 0
    for text in texts:
        if agrees(text):
            assert _linear_spans(text) == _expected(text), text
            checked += 1
    assert checked > 300


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["the", "cert", "certificate", "expired", "not", "config", "pushed", "to", "all", "regions",
             "at", "once", "DNS", "dns-less", "TTL", "-", ",", ".", " ", "\n", "leap", "second", "’", "—",
             "“quoted”", "db", "failed over", "3x", "a-list", "'s", "ups", "backups", "UPS", "power", "x.509"]
        ),
        max_size=40,
    ).map(" ".join)
)
def test_re2_finds_the_same_spans_on_arbitrary_text(text: str) -> None:
    assert agrees(text)
    assert _linear_spans(text) == _expected(text)


@pytest.mark.parametrize(
    ("text", "agree"),
    [
        ("plain ASCII, with punctuation: (x) [y]", True),
        ("curly ‘quotes’ and — dashes …", True),
        ("café", False),  # a non-ASCII letter: RE2's \w is ASCII
        ("non\u00a0breaking space", False),  # a non-ASCII space: RE2's \s is ASCII
        ("vertical\x0btab", False),  # Python's \s matches it, RE2's does not
        ("Kelvin \u212a", False),
        ("digits ٣", False),
    ],
)
def test_texts_re2_reads_as_python_does(text: str, agree: bool) -> None:
    assert agrees(text) is agree


def test_scanner_gives_the_same_spans_by_either_engine() -> None:
    for text in ["the TLS cert expired, not a DDoS", "caf\u00e9 DNS records were stale", "ups batteries failed"]:
        expected = {k: s for k, s in enumerate(_expected(text)) if s}
        assert SCANNER.spans(View(text)) == expected


def test_lookarounds_are_cut_out_for_the_wider_check() -> None:
    assert _without_lookarounds(r"\b(?:dns(?![- ]less)|x)") == r"\b(?:dns|x)"
    assert _without_lookarounds(r"(?<![-\w])ups (?:a|b)") == r"ups (?:a|b)"
    assert _without_lookarounds(r"a(?=[)(])b\(c") == r"ab\(c"


def test_normalising_gives_the_same_text_with_or_without_re2(monkeypatch: pytest.MonkeyPatch) -> None:
    from tracker.causes import normalise as module

    assert module._LINEAR.available and module._LINEAR.unchecked == []
    texts = labelled_texts() + [
        "See https://status.example.com/x and mail ops@example.com: the \u212aubernetes v1.2.3 cert expired",
        "Our SSL cert for shop.example.io lapsed at 03:00 UTC; `max_connections = 100` on Postgres",
    ]
    with_re2 = [module.normalise(t) for t in texts]
    monkeypatch.setattr(module._LINEAR, "available", False)
    assert [module.normalise(t) for t in texts] == with_re2
