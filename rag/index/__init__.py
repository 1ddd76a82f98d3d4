"""Indexing: embeddings, the Chroma store, and the persisted BM25 keyword index."""
