"""The one error the pipeline's stages raise; ``python -m precompute`` prints it as one line."""

from __future__ import annotations

from visemb.errors import VisembError


class PipelineError(VisembError):
    """A run cannot go on as asked (settings changed, partitions unfinished, a chunk inconsistent); the message
    says what to do."""


class DiskFullError(PipelineError):
    """The disk under the work folder filled up: a local write failure, never a property of the noun being
    fetched (nothing is recorded for it, so a rerun with space fetches it again)."""


class LexiconInputError(PipelineError):
    """A dictionary file given to ``python -m precompute lexicons`` cannot be read as one (not gzip, too big, not
    the format it should be); the message names the file."""
