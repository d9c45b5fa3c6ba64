"""The shingles and Jaccard that dedup and the eval's story matching compare headlines by."""

from __future__ import annotations

from aidaily.checks.similarity import jaccard, shingles


def test_shingles_are_every_k_gram_of_the_normalised_text() -> None:
    assert shingles("GPT-5 发布！") == {"gpt", "pt5", "t5发", "5发布"}
    assert shingles("GPT-5 发布！", k=2) == {"gp", "pt", "t5", "5发", "发布"}


def test_a_text_shorter_than_a_shingle_is_one_and_an_empty_one_none() -> None:
    assert shingles("AI") == {"ai"}
    assert shingles("！？ …") == set()


def test_jaccard_of_nothing_is_zero() -> None:
    """An empty headline (only punctuation) is like no other, itself included."""
    assert jaccard(set(), set()) == 0.0
    assert jaccard(set(), {"ai"}) == 0.0 and jaccard({"ai"}, set()) == 0.0
    assert jaccard({"a", "b"}, {"b", "c"}) == 1 / 3
