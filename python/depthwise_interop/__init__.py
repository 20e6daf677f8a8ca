"""depthwise_interop: TensorFlow's tf.nn.conv2d, tf.nn.depthwise_conv2d and tf.nn.separable_conv2d on NumPy
arrays, computed by a native (C# NativeAOT) library, without TensorFlow.

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


def set_num_threads(threads: int) -> None:
    """Threads one call may use, the caller's included; 0 or less restores the default
    ($DEPTHWISE_INTEROP_NUM_THREADS, else the processor count). Results do not depend on it."""
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError(f"threads must be an int, got {type(threads).__name__}")
    _capi.lib.di_set_num_threads(max(min(threads, 2**31 - 1), -1))


def get_num_threads() -> int:
    """The current thread setting."""
    return int(_capi.lib.di_get_num_threads())


def __getattr__(name: str):
    # `depthwise_interop.bfloat16`: NumPy has no bfloat16 dtype; the optional ml_dtypes package provides it.
    if name == "bfloat16":
        try:
            import ml_dtypes
        except ImportError:
            raise ImportError(
                "bfloat16 arrays need the optional package ml_dtypes: pip install 'depthwise_interop[bfloat16]' "
                "(or pip install ml_dtypes). float16 works with NumPy alone."
            ) from None
        return ml_dtypes.bfloat16
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def cpu_info() -> dict:
    """What computes: the vector instruction tier in use ("avx512", "avx2", "sse2" or "scalar", capped by
    $DEPTHWISE_INTEROP_MAX_ISA), the thread setting and the library path."""
    return {"isa": _capi.lib.di_cpu_isa().decode("ascii"), "threads": get_num_threads(), "library": library_path()}


__all__ = ["nn", "errors", "library_path", "abi_version", "set_num_threads", "get_num_threads", "cpu_info", "__version__"]
