"""The errors visemb raises; each carries a message meant for the user, naming the fix."""


class VisembError(Exception):
    """Base class: the message is complete and safe to show to a user as is."""


class WordNetMissingError(VisembError):
    """WordNet is not installed where NLTK or Debian put it."""


class WeightsMissingError(VisembError):
    """Encoder weights are neither on disk nor downloadable."""


class ChecksumError(VisembError):
    """A file's sha256 is not the one recorded for it."""


class SourceUnavailableError(VisembError):
    """An image source cannot be reached (network down, server dead, throttling, missing key); ``retry_after`` is
    the wait in seconds the source asked for, when it did."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class DiskError(VisembError):
    """A local folder cannot take what must be written there: a full disk, no free inodes, not a folder."""


class NoImagesError(VisembError):
    """An image source answered but gave no usable image for the query."""


class UnknownWordError(NoImagesError):
    """No offline source knows the word: not an English noun, not in any shipped dictionary or label list. The CLI
    and the app each add how to search the web for it, in their own terms."""


class StoreError(VisembError):
    """A store is missing, corrupt, of an unknown format, or used against its rules."""


class EncoderMismatchError(VisembError):
    """A query encoder differs from the one that built the store."""


class BadQueryError(VisembError):
    """The query itself is unusable (empty, too long, unknown word)."""
