"""precompute: build an embedding store in resumable, partitioned stages (vocabulary -> fetch -> embed -> merge)."""
