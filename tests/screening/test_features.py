"""Feature extraction: the serving transform gives scikit-learn's numbers; topic masking keeps stance words."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from screening.data import load_training_data
from screening.features import LexicalFeatures, TextPreparer, mask_topic_words

TRAINING_DATA = Path(__file__).resolve().parents[2] / "training_data"


def test_serving_transform_equals_sklearn_transform() -> None:
    rows = load_training_data(TRAINING_DATA)
    preparer = TextPreparer(use_rules=False)
    prepared = [preparer.prepare(r.text) for r in rows[:300] + rows[-40:]]
    features = LexicalFeatures().fit(prepared[:250] + prepared[-20:])
    unseen = prepared[250:300] + prepared[-20:] + [preparer.prepare(""), preparer.prepare("zzz qqq")]
    fast, reference = features.transform(unseen), features.sklearn_transform(unseen)
    assert fast.shape == reference.shape
    assert np.abs((fast - reference).toarray()).max() < 1e-6
    for one in unseen[:5] + unseen[-2:]:  # the single-text path used when serving
        assert np.abs((features.transform([one]) - features.sklearn_transform([one])).toarray()).max() < 1e-6


def test_topic_words_are_masked_but_stance_and_function_words_stay() -> None:
    words = ["menurut", "polisi", "kabar", "penculikan", "itu", "tidak", "benar", ",", "ada", "3", "korban", "urltoken"]
    assert mask_topic_words(words) == "menurut * kabar * itu tidak benar , ada # * urltoken"
