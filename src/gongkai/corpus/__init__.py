"""The corpus: many parsed reports in one database (SQLite by default, PostgreSQL by
URL) — import, agencies, checks across reports, indicators, export, compare, charts."""
from .store import Corpus, CorpusError, db_url
from .review import carry as _carry  # noqa: F401  (registers the review's carry-over with store)

__all__ = ["Corpus", "CorpusError", "db_url", "open_corpus"]


def open_corpus(url: str | None = None) -> Corpus:
    return Corpus(url)
