"""Retrieval: hybrid dense + BM25 search, fused and with near-duplicates collapsed."""
