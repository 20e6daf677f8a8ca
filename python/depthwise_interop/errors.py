"""Exceptions raised for native failures. Each derives from the built-in that TensorFlow users catch
(ValueError for TensorFlow's InvalidArgumentError, TypeError for dtype problems), and carries the native
library's message."""

from __future__ import annotations


class DepthwiseInteropError(Exception):
    """Base of every error reported by the native library."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


class InvalidArgumentError(DepthwiseInteropError, ValueError):
    """Shapes or parameters TensorFlow would reject too (its InvalidArgumentError)."""


class UnimplementedError(DepthwiseInteropError, NotImplementedError):
    """Valid in TensorFlow, not implemented by this library."""


class InvalidDtypeError(DepthwiseInteropError, TypeError):
    """A dtype the native library does not support."""


class OutOfMemoryError(DepthwiseInteropError, MemoryError):
    """The native library could not allocate memory."""


class InternalError(DepthwiseInteropError, RuntimeError):
    """A bug in depthwise_interop: please report it with the message."""
