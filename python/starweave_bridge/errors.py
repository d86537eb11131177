"""Exceptions of the bridge worker, each with the stable code that the Node side uses."""


class BridgeError(Exception):
    """Base class of the errors this package raises; ``code`` matches a Starweave error code."""

    code = "ERR_PROTOCOL"


class EncodeError(BridgeError, TypeError):
    """A value cannot be encoded; the message names its path, such as ``value['rows'][3]``."""

    code = "ERR_ENCODE"


class DecodeError(BridgeError, ValueError):
    """Bytes are not exactly one valid value of the wire format."""

    code = "ERR_DECODE"


class FrameTooLargeError(BridgeError, ValueError):
    """A frame or value is over the agreed size limit."""

    code = "ERR_FRAME_TOO_LARGE"

    def __init__(self, message, size, max_bytes):
        super().__init__(message)
        self.size = size
        self.max_bytes = max_bytes


class ProtocolError(BridgeError, ValueError):
    """The peer broke the bridge protocol: a bad frame, a wrong version, lost framing."""

    code = "ERR_PROTOCOL"


class RemoteError(Exception):
    """An error decoded from extension 0x13, such as a JavaScript ``Error`` or ``StarweaveError``.

    Attributes mirror the wire fields: ``name``, ``message``, ``stack``, ``code``, ``details``
    and ``cause``.
    """

    def __init__(self, name, message, stack=None, code=None, details=None, cause=None):
        super().__init__(message)
        self.name = name
        self.message = message
        self.stack = stack
        self.code = code
        self.details = details
        self.cause = cause

    def __str__(self):
        return f"{self.name}: {self.message}"
