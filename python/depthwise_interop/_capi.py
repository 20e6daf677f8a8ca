"""Low-level mirror of depthwise_interop.h: one ctypes declaration per C declaration, nothing more.

Importing this module loads the native library and checks its ABI version.
"""

from __future__ import annotations

import ctypes
from ctypes import POINTER, c_char_p, c_int32, c_int64, c_uint32, c_void_p

from ._library import load_library

# #define DI_ABI_VERSION 1
ABI_VERSION = 1

# typedef enum di_status
STATUS_OK = 0
STATUS_INVALID_ARGUMENT = 1
STATUS_UNIMPLEMENTED = 2
STATUS_INVALID_DTYPE = 3
STATUS_OUT_OF_MEMORY = 4
STATUS_INTERNAL = 5

# typedef enum di_dtype
DTYPE_FLOAT32 = 1
DTYPE_FLOAT64 = 2
DTYPE_FLOAT16 = 3
DTYPE_BFLOAT16 = 4

# typedef enum di_data_format
DATA_FORMAT_NHWC = 0
DATA_FORMAT_NCHW = 1

# typedef enum di_padding
PADDING_VALID = 0
PADDING_SAME = 1
PADDING_EXPLICIT = 2


class ConvParams(ctypes.Structure):
    """typedef struct di_conv_params { uint32_t struct_size; int32_t data_format; int32_t padding;
    int32_t reserved; int64_t strides[4]; int64_t dilations[4]; int64_t explicit_paddings[8]; }"""

    _fields_ = [
        ("struct_size", c_uint32),
        ("data_format", c_int32),
        ("padding", c_int32),
        ("reserved", c_int32),
        ("strides", c_int64 * 4),
        ("dilations", c_int64 * 4),
        ("explicit_paddings", c_int64 * 8),
    ]


_Int64Ptr = POINTER(c_int64)

lib, library_path = load_library()

# uint32_t di_abi_version(void);
lib.di_abi_version.argtypes = []
lib.di_abi_version.restype = c_uint32

# const char* di_version_string(void);
lib.di_version_string.argtypes = []
lib.di_version_string.restype = c_char_p

# const char* di_last_error_message(void);
lib.di_last_error_message.argtypes = []
lib.di_last_error_message.restype = c_char_p

# const char* di_status_string(di_status status);
lib.di_status_string.argtypes = [c_int32]
lib.di_status_string.restype = c_char_p

# di_status di_set_num_threads(int32_t threads);
lib.di_set_num_threads.argtypes = [c_int32]
lib.di_set_num_threads.restype = c_int32

# int32_t di_get_num_threads(void);
lib.di_get_num_threads.argtypes = []
lib.di_get_num_threads.restype = c_int32

# const char* di_cpu_isa(void);
lib.di_cpu_isa.argtypes = []
lib.di_cpu_isa.restype = c_char_p

# di_status di_conv_params_init(di_conv_params* params);
lib.di_conv_params_init.argtypes = [POINTER(ConvParams)]
lib.di_conv_params_init.restype = c_int32

# di_status di_conv2d_output_shape(const int64_t* input_shape, int32_t input_rank,
#     const int64_t* filter_shape, int32_t filter_rank, const di_conv_params* params,
#     int64_t* output_shape, int32_t output_shape_capacity, int32_t* output_rank);
# di_status di_depthwise_conv2d_output_shape(... the same ...);
for _function in (lib.di_conv2d_output_shape, lib.di_depthwise_conv2d_output_shape):
    _function.argtypes = [_Int64Ptr, c_int32, _Int64Ptr, c_int32, POINTER(ConvParams), _Int64Ptr, c_int32, POINTER(c_int32)]
    _function.restype = c_int32

# di_status di_conv2d(di_dtype dtype,
#     const void* input, int64_t input_count, const int64_t* input_shape, int32_t input_rank,
#     const void* filter, int64_t filter_count, const int64_t* filter_shape, int32_t filter_rank,
#     const di_conv_params* params, void* output, int64_t output_count);
# di_status di_depthwise_conv2d(... the same ...);
# Every pointer is passed as an address (c_void_p): ctypes converts a Python int fastest, and these are the
# per-call functions.
for _function in (lib.di_conv2d, lib.di_depthwise_conv2d):
    _function.argtypes = [
        c_int32,
        c_void_p, c_int64, c_void_p, c_int32,
        c_void_p, c_int64, c_void_p, c_int32,
        c_void_p, c_void_p, c_int64,
    ]
    _function.restype = c_int32

# di_status di_separable_conv2d_output_shape(const int64_t* input_shape, int32_t input_rank,
#     const int64_t* depthwise_filter_shape, int32_t depthwise_filter_rank,
#     const int64_t* pointwise_filter_shape, int32_t pointwise_filter_rank, const di_conv_params* params,
#     int64_t* output_shape, int32_t output_shape_capacity, int32_t* output_rank);
lib.di_separable_conv2d_output_shape.argtypes = [
    _Int64Ptr, c_int32, _Int64Ptr, c_int32, _Int64Ptr, c_int32, POINTER(ConvParams), _Int64Ptr, c_int32, POINTER(c_int32)]
lib.di_separable_conv2d_output_shape.restype = c_int32

# di_status di_separable_conv2d(di_dtype dtype,
#     const void* input, int64_t input_count, const int64_t* input_shape, int32_t input_rank,
#     const void* depthwise_filter, int64_t depthwise_filter_count,
#     const int64_t* depthwise_filter_shape, int32_t depthwise_filter_rank,
#     const void* pointwise_filter, int64_t pointwise_filter_count,
#     const int64_t* pointwise_filter_shape, int32_t pointwise_filter_rank,
#     const di_conv_params* params, void* output, int64_t output_count);
lib.di_separable_conv2d.argtypes = [
    c_int32,
    c_void_p, c_int64, c_void_p, c_int32,
    c_void_p, c_int64, c_void_p, c_int32,
    c_void_p, c_int64, c_void_p, c_int32,
    c_void_p, c_void_p, c_int64,
]
lib.di_separable_conv2d.restype = c_int32

if lib.di_abi_version() != ABI_VERSION:
    raise ImportError(
        f"{library_path} has ABI version {lib.di_abi_version()}, but this depthwise_interop package needs "
        f"{ABI_VERSION}: rebuild the native library or reinstall the package"
    )
