"""Batch loops over many articles: ingest into the store, re-analyse what it holds."""
