"""The values passed between stages survive the cache's pickling unchanged."""

from __future__ import annotations

import pickle

from digestsite.model import Article, ArticleOverride, Person, Spokesperson, Statement, Subhead


def test_articles_and_pages_round_trip_through_pickle_as_equal_values() -> None:
    speaker = Spokesperson("Ann Lee", "the ministry")
    article = Article(
        id="abc", slug="a", title="T", standfirst="S.", body="S.\n\n## Plans\n\nMore.", topics=("Trade",),
        tags=("Paris",), spokespersons=(speaker,), people=(Person("Bo Kim", "a professor"),),
        statements=(Statement("Ann Lee", "Lee said so.", 3),), date="2025-01-20", digest="digests/d.txt",
        start=2, end=9, order=4, subheads=(Subhead("Plans", 5, "line"),), source_path="",
    )
    page = ArticleOverride("abc", "content/articles/a.md", title="T", spokespersons=(speaker,), body="B.")
    for value in (article, page):
        copy = pickle.loads(pickle.dumps(value, protocol=5))
        assert copy == value and copy is not value
        assert type(copy.spokespersons[0]) is Spokesperson
    # pickled as a call with the fields in order, not as a state to set field by field
    assert article.__reduce__() == (Article, tuple(getattr(article, f) for f in Article.__dataclass_fields__))
