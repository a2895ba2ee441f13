"""The pattern set finds exactly what ``finditer`` finds, by RE2 where both engines read the
text alike and by Python's ``re`` elsewhere: every pattern of the lexicon and of the
normaliser, over the labelled texts, generated postmortems, real incident summaries and
arbitrary text."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.causes_data import labelled_texts
from tracker.causes import evidence as evidence_module
from tracker.causes import lexicon
from tracker.causes.matcher import PatternSet, agrees, without_lookarounds

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
SET = PatternSet(PATTERNS)
INCIDENTS = (
    Path(__file__).resolve().parent.parent / "tracker" / "causes" / "data" / "incidents.jsonl"
)


def _spans(text: str, patterns: PatternSet = SET) -> list[list[tuple[int, int]]]:
    found = patterns.spans(text)
    return [found.get(k, []) for k in range(len(patterns.patterns))]


def _expected(text: str, patterns: list[re.Pattern[str]] = PATTERNS) -> list[list[tuple[int, int]]]:
    return [[m.span() for m in p.finditer(text)] for p in patterns]


def _generated(seed: int, n: int) -> list[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import postmortem_text

    return [postmortem_text(i, seed=seed) for i in range(n)]


def test_re2_is_installed_and_checks_every_lexicon_pattern() -> None:
    assert SET.available
    assert SET.unchecked == []


def test_same_spans_as_finditer_on_labelled_generated_and_real_texts() -> None:
    real = [
        json.loads(line)["summary"] for line in INCIDENTS.read_text(encoding="utf-8").splitlines()
    ]
    texts = labelled_texts() + _generated(3, 60) + real
    checked = 0
    for text in texts:
        assert _spans(text) == _expected(text), text
        checked += agrees(text)
    assert checked > 900


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
        "dns-less setup, DNS records",
    ],
)
def test_same_spans_on_edge_cases(text: str) -> None:
    assert _spans(text) == _expected(text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "the",
                "cert",
                "certificate",
                "expired",
                "not",
                "config",
                "pushed",
                "to",
                "all",
                "regions",
                "at",
                "once",
                "DNS",
                "dns-less",
                "TTL",
                "-",
                ",",
                ".",
                " ",
                "  ",
                "\n",
                "leap",
                "second",
                "’",
                "—",
                "“quoted”",
                "é",
                "\u212a",
                "db",
                "failed over",
                "3x",
                "a-list",
                "'s",
                "ups",
                "backups",
                "UPS",
                "power",
                "x.509",
            ]
        ),
        max_size=40,
    ).map(" ".join)
)
def test_same_spans_on_arbitrary_text(text: str) -> None:
    assert _spans(text) == _expected(text)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_same_spans_on_any_unicode(text: str) -> None:
    assert _spans(text) == _expected(text)


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


def test_lookarounds_are_cut_out_for_the_wider_check() -> None:
    assert without_lookarounds(r"\b(?:dns(?![- ]less)|x)") == r"\b(?:dns|x)"
    assert without_lookarounds(r"(?<![-\w])ups (?:a|b)") == r"ups (?:a|b)"
    assert without_lookarounds(r"a(?=[)(])b\(c") == r"ab\(c"


def test_anchors_and_empty_matches_are_left_to_python() -> None:
    patterns = [
        re.compile(r"^cert"),
        re.compile(r"cert$"),
        re.compile(r"\b(?:x)?"),
        re.compile(r"[^a]b"),
    ]
    found = PatternSet(patterns)
    assert found.unchecked == [0, 1]
    for text in ["cert x cert", "ab cb x", "", "cert\n"]:
        assert _spans(text, found) == _expected(text, patterns)


def test_without_re2_every_pattern_runs_in_python(monkeypatch: pytest.MonkeyPatch) -> None:
    texts = [
        "the TLS cert expired, not a DDoS",
        "caf\u00e9 DNS records were stale",
        "ups batteries failed",
    ]
    expected = [_spans(t) for t in texts]
    monkeypatch.setattr(SET, "available", False)
    assert SET.may_match(texts[0]) is None
    assert [_spans(t) for t in texts] == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="notevrdisuhcaflb'ſ -.\n", max_size=50))
def test_every_negation_holds_one_of_the_hint_words(text: str) -> None:
    if lexicon.NEGATION_PATTERN.search(text):
        assert evidence_module._NEGATION_HINT.search(text)


def test_negation_hint_covers_the_labelled_texts() -> None:
    for text in labelled_texts():
        for end in range(0, len(text), 7):
            window = text[max(0, end - 40) : end]
            if lexicon.NEGATION_PATTERN.search(window):
                assert evidence_module._NEGATION_HINT.search(window), window


def test_normalising_gives_the_same_text_with_or_without_re2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tracker.causes import normalise as module

    assert module._PATTERNS.available and module._PATTERNS.unchecked == []
    texts = labelled_texts() + [
        "See https://status.example.com/x and mail ops@example.com: the \u212aubernetes v1.2.3 cert expired",
        "Our SSL cert for shop.example.io lapsed at 03:00 UTC; `max_connections = 100` on Postgres",
    ]
    with_re2 = [module.normalise(t) for t in texts]
    monkeypatch.setattr(module._PATTERNS, "available", False)
    assert [module.normalise(t) for t in texts] == with_re2
