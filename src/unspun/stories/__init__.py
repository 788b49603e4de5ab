"""Tracing rewritten stories: shingles, MinHash, embeddings, alignment, clustering, origin, diff."""
