"""The shipped subword vectors: unseen words get meaning from their characters, document
vectors are unit length without the corpus's common direction, and the files read are
plain arrays."""

from __future__ import annotations

import numpy as np
import pytest

from search.vectors import industry, load, ngram_hashes


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.linalg.norm(v)


def test_ngram_hashes_are_fasttexts():
    """The reader hashes n-grams as gensim's FastText does (values from
    ``gensim.models.fasttext.ft_ngram_hashes(word, 1, 3, 16384)``), byte sign quirk included:
    an unseen word's vector is the mean of exactly the rows training wrote."""
    assert ngram_hashes("医用", 1, 3, 16384) == [14267, 13752, 10285, 16322, 14772, 1242, 13036]
    assert ngram_hashes("CMF", 1, 3, 16384) == [
        2984,
        14719,
        14834,
        10157,
        5873,
        15640,
        6906,
        8844,
        13625,
        14853,
    ]


@pytest.mark.parametrize(
    "unseen, related, unrelated",
    [
        ("医用器械", "医疗器械", "食品包装"),
        ("无人艇", "无人机", "火锅"),
        ("康养", "养老", "摩托车"),
    ],
)
def test_an_unseen_word_lands_near_the_words_sharing_its_characters(unseen, related, unrelated):
    vectors = load()
    assert unseen not in vectors.index and related in vectors.index
    vector, weight = vectors.word(unseen)
    assert weight == pytest.approx(vectors.unknown_weight)
    near = float(_unit(vector) @ _unit(vectors.word(related)[0]))
    far = float(_unit(vector) @ _unit(vectors.word(unrelated)[0]))
    assert near > far + 0.2


def test_document_vectors_are_unit_length_without_the_common_direction():
    vectors = load()
    v = vectors.vector(["医疗器械", "外壳", "结构设计", "无人艇"])
    assert float(np.linalg.norm(v)) == pytest.approx(1.0, abs=1e-5)
    assert abs(float(v @ vectors.common)) < 1e-5
    assert vectors.vector([]) is None


def test_new_wording_of_the_same_work_is_closer_than_other_work():
    """外形开发 (never seen) of a medical device reads closer to 医疗器械外观设计 than to a
    hotpot package: the meaning signal works on words the vectors did not train on."""
    vectors = load()
    demand = vectors.vector(["医用", "雾化器", "外形开发"])
    same = vectors.vector(["医疗器械", "外观设计"])
    other = vectors.vector(["火锅", "底料", "包装设计"])
    assert float(demand @ same) > float(demand @ other) + 0.2


def test_industry_votes_by_closeness_split_over_a_neighbours_clusters():
    shares = industry(
        [(0.9, ["biomedicine"]), (0.88, ["biomedicine", "electronics"]), (0.5, ["food-agri"])]
    )
    assert set(shares) == {"biomedicine", "electronics"}
    assert shares["biomedicine"] > shares["electronics"]
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-3)
    assert industry([(0.9, [])]) == {}
