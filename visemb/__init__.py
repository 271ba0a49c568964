"""visemb: visual word embeddings — nouns get vectors from what they look like."""

__version__ = "0.1.0"
