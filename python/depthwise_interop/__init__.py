"""depthwise_interop: TensorFlow's tf.nn.conv2d and tf.nn.depthwise_conv2d on NumPy arrays, computed by a
native (C# NativeAOT) library, without TensorFlow.

    from depthwise_interop import nn
    y = nn.depthwise_conv2d(x, w, strides=[1, 1, 1, 1], padding="SAME")
"""

from __future__ import annotations

from . import _capi, errors, nn

__version__: str = _capi.lib.di_version_string().decode("ascii")


def library_path() -> str:
    """Path of the native library in use."""
    return str(_capi.library_path)


def abi_version() -> int:
    """ABI version of the native library in use."""
    return int(_capi.lib.di_abi_version())


__all__ = ["nn", "errors", "library_path", "abi_version", "__version__"]
