"""Ingestion: read files, strip page chrome, chunk with original offsets, write to the index."""
