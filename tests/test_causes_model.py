"""The trained root-cause model: its data, its artefact, its features, its probabilities and
its reasons."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import TfidfVectorizer

from tests.causes_data import labelled_texts
from tracker.causes import train
from tracker.causes.classify import classify_many, classify_text, explain
from tracker.causes.model import CHAR_NGRAMS, MODEL_PATH, load_model
from tracker.causes.normalise import normalise
from tracker.causes.taxonomy import NAMES
from tracker.causes.vectors import char_tfidf, drop_stop, stop_words, word_terms

DATA = train.DATA
CARD = DATA.parent / "README.md"


def rows() -> list[dict]:
    return train.load_incidents()


def test_the_data_set_is_real_labelled_and_split() -> None:
    found = rows()
    assert len(found) >= 600
    assert len({r["id"] for r in found}) == len(found)
    assert {r["category"] for r in found} == set(NAMES)
    assert all(r["url"].startswith(("http://", "https://")) and r["summary"].strip() for r in found)
    assert {r["split"] for r in found} == {"train", "test"}
    for category in NAMES:
        in_category = [r for r in found if r["category"] == category]
        test = sum(r["split"] == "test" for r in in_category)
        assert test == max(1, round(0.2 * len(in_category))), category
    banned = re.compile(r"danluu|icco/postmortems|shared/realworld", re.IGNORECASE)
    assert not any(banned.search(r["url"] + r["collected_via"]) for r in found)


def test_the_data_card_counts_are_the_file_s() -> None:
    found = rows()
    card = CARD.read_text(encoding="utf-8")
    for category, n in Counter(r["category"] for r in found).items():
        tests = sum(r["split"] == "test" for r in found if r["category"] == category)
        assert f"| `{category}` | {n - tests} | {tests} | {n} |" in card, category
    assert f"**{len(found)}**" in card


def test_the_artefact_is_small_versioned_and_trained_on_the_current_data() -> None:
    model = load_model()
    assert MODEL_PATH.stat().st_size < 1_000_000
    assert model.meta["format"] == 1
    assert set(model.classes) == set(NAMES)
    assert 0.0 < model.threshold < 1.0 and model.temperature > 0
    digest = train.data_hash(train.DATA, train.EXTRA)
    assert model.meta["trained_on"]["data_sha256"] == digest, (
        "data changed: run python -m tracker.causes.train"
    )
    assert model.version == f"{train.MODEL_VERSION}.{digest[:8]}"
    assert model.meta["trained_on"]["incidents"] == sum(r["split"] == "train" for r in rows())


def test_the_frozen_split_is_not_read_by_training() -> None:
    assert all(r["split"] == "train" for r in train.load_incidents(split="train"))
    assert not any(e.text == r["summary"] for e in train.load_extra() for r in rows())


def _texts() -> list[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from generate import postmortem_text

    return (
        [r["summary"] for r in rows()]
        + labelled_texts()[:100]
        + [postmortem_text(i, 4)[:1500] for i in range(20)]
    )


def test_features_equal_scikit_learns_vectorizers() -> None:
    model = load_model()
    texts = _texts() + ["", "x", "  Mixed   CASE\twords\n", "été naïve"]
    ours = model.vectors.transform(texts).toarray()
    words = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, vocabulary=model.vectors.words.vocabulary
    )
    chars = TfidfVectorizer(
        analyzer="char_wb",
        ngram_range=CHAR_NGRAMS,
        sublinear_tf=True,
        vocabulary=model.vectors.chars.vocabulary,
    )
    words.idf_ = model.vectors.word_weights.idf_
    chars.idf_ = model.vectors.char_weights.idf_
    theirs = np.hstack([words.transform(texts).toarray(), chars.transform(texts).toarray()])
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


def _sklearn_chars() -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, dtype=np.float32
    )


def test_repeat_char_tfidf_equals_scikit_learns() -> None:
    texts = drop_stop([normalise(t) for t in _texts()])
    ours = char_tfidf(texts)
    theirs = _sklearn_chars().fit_transform(texts)
    assert ours.shape == theirs.shape and ours.dtype == np.float32
    np.testing.assert_allclose(ours.toarray(), theirs.toarray(), rtol=1e-5, atol=1e-6)


@given(st.lists(st.text(alphabet="abcde xyz\n", max_size=40), min_size=1, max_size=12))
@settings(max_examples=150, deadline=None)
def test_repeat_char_tfidf_on_arbitrary_documents(texts: list[str]) -> None:
    ours = char_tfidf(texts)
    if not any(t.split() for t in texts):
        assert ours.nnz == 0
        return
    np.testing.assert_allclose(
        ours.toarray(), _sklearn_chars().fit_transform(texts).toarray(), rtol=1e-5, atol=1e-6
    )


def test_word_terms_drop_english_and_postmortem_stop_words() -> None:
    assert {"the", "root", "cause", "outage"} <= set(stop_words())
    assert word_terms("the root cause was an expired certificate") == Counter(
        {"expired": 1, "certificate": 1, "expired certificate": 1}
    )


def test_probabilities_are_calibrated_and_a_batch_equals_one_by_one() -> None:
    texts = [r["summary"] for r in rows()[:40]]
    batch = classify_many([(t, None, None) for t in texts])
    assert batch == [classify_text(t) for t in texts]
    model = load_model()
    preds = model.predict(texts, [""] * len(texts), [train.text_evidence(t, None) for t in texts])
    assert all(abs(sum(p.probabilities) - 1.0) < 1e-9 for p in preds)


def test_below_the_threshold_the_answer_is_unknown() -> None:
    vague = "Something was slow for a while."
    strict = classify_text(vague, min_confidence=0.999)
    assert strict.category == "unknown"
    assert classify_text("The TLS certificate expired.", min_confidence=0.999).category in (
        "unknown",
        "cert_credential",
    )


def test_the_detail_is_read_at_half_weight() -> None:
    alone = classify_text("Checkout failed for an hour.")
    with_detail = classify_text(
        "Checkout failed for an hour.",
        "Investigation showed the primary database failed over and the app kept writing to the old primary.",
    )
    assert alone.category == "unknown"
    assert with_detail.category == "database"


def test_explain_names_the_features_behind_the_label() -> None:
    found = explain("The wildcard TLS certificate expired and nobody renewed it.", None, None)
    assert found.classification.category == "cert_credential"
    assert found.probabilities[0][0] == "cert_credential"
    names = [r.feature for r in found.reasons]
    assert names and all(r.weight > 0 for r in found.reasons)
    assert any(
        n in names
        for n in ("mechanism:cert_expired", "category:cert_credential", "word:certificate")
    )
    assert found.to_dict()["model_version"] == load_model().version


def test_front_matter_needs_no_reasons() -> None:
    found = explain("The disk filled up.", None, {"cause": "dns"})
    assert (
        found.classification.category == "network_dns"
        and found.classification.source == "front_matter"
    )


@pytest.mark.parametrize("text", ["", "   ", None])
def test_no_text_is_unknown_without_loading_anything(text: str | None) -> None:
    c = classify_text(text)
    assert (c.category, c.confidence) == ("unknown", 1.0)


def test_the_stored_figures_are_the_training_s() -> None:
    meta = load_model().meta
    assert 0.6 <= meta["cv_accuracy"] <= 1.0 and 0.4 <= meta["cv_macro_f1"] <= 1.0
    assert json.loads(json.dumps(meta)) == meta


def test_a_missing_or_foreign_artefact_says_to_retrain(tmp_path: Path) -> None:
    from tracker.causes.model import ModelError
    from tracker.errors import PmtError

    with pytest.raises(ModelError, match="python -m tracker.causes.train"):
        load_model(tmp_path / "none.npz")
    with np.load(MODEL_PATH, allow_pickle=False) as arrays:
        copied = {name: arrays[name] for name in arrays.files}
    copied["meta"] = np.array(json.dumps({**json.loads(str(copied["meta"])), "format": 99}))
    np.savez_compressed(tmp_path / "old.npz", **copied)
    with pytest.raises(ModelError, match="retrain"):
        load_model(tmp_path / "old.npz")
    assert issubclass(ModelError, PmtError)
