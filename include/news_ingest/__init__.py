"""news_ingest: turn news feeds into deduplicated articles and events in partitioned Parquet."""

__version__ = "0.1.0"
