"""Citations: parse [n] markers, find verbatim supporting quotes, number citations by first use."""
