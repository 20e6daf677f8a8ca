/*
 * depthwise_interop.h - C ABI of libdepthwise_interop: TensorFlow's tf.nn.conv2d,
 * tf.nn.depthwise_conv2d and tf.nn.separable_conv2d (forward, CPU), computed by a NativeAOT-compiled C# core.
 *
 * Conventions
 *  - Every function is stateless and thread-safe. Functions that can fail return di_status; on failure
 *    di_last_error_message() gives a message for the calling thread, in TensorFlow's wording where
 *    TensorFlow has one.
 *  - Tensors are dense, row-major (C order) buffers. Activations are NHWC or NCHW (params.data_format);
 *    conv2d filters are [KH, KW, C / groups, C_out], depthwise filters [KH, KW, C, M] in both layouts.
 *  - Shapes are int64_t arrays with their rank. Every buffer comes with its element count, which must equal
 *    the product of its shape. A pointer may be NULL only when its count is 0.
 *  - The output buffer must not overlap the input or the filter. It is written only when the call returns
 *    DI_STATUS_OK; on failure it is left untouched.
 *  - No function aborts the process on bad input, and none keeps a pointer after it returns.
 */
#ifndef DEPTHWISE_INTEROP_H
#define DEPTHWISE_INTEROP_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ABI version: bumped on any incompatible change of a declaration below. */
#define DI_ABI_VERSION 1

typedef enum di_status {
    DI_STATUS_OK = 0,
    DI_STATUS_INVALID_ARGUMENT = 1, /* shapes, parameters or buffers that TensorFlow would reject too */
    DI_STATUS_UNIMPLEMENTED = 2,    /* valid in TensorFlow, not implemented by this library */
    DI_STATUS_INVALID_DTYPE = 3,    /* unknown or unsupported di_dtype value */
    DI_STATUS_OUT_OF_MEMORY = 4,
    DI_STATUS_INTERNAL = 5          /* a bug in this library: please report it with the message */
} di_status;

/*
 * Element types. The 16-bit types are stored as uint16_t bit patterns: FLOAT16 is IEEE binary16, BFLOAT16
 * the top 16 bits of an IEEE binary32. They are accumulated in float32 and rounded once on store (to
 * nearest, ties to even; NaN stays NaN).
 */
typedef enum di_dtype {
    DI_DTYPE_FLOAT32 = 1,
    DI_DTYPE_FLOAT64 = 2,
    DI_DTYPE_FLOAT16 = 3,
    DI_DTYPE_BFLOAT16 = 4
} di_dtype;

typedef enum di_data_format {
    DI_DATA_FORMAT_NHWC = 0,
    DI_DATA_FORMAT_NCHW = 1 /* defined as NHWC transposed, for input and output; filters unchanged */
} di_data_format;

typedef enum di_padding {
    DI_PADDING_VALID = 0,
    DI_PADDING_SAME = 1,   /* odd padding pixel at the bottom/right, from the dilated filter extent */
    DI_PADDING_EXPLICIT = 2
} di_padding;

/*
 * Parameters of one convolution, in TensorFlow's op-attribute form. Fill it with di_conv_params_init
 * first, then set what differs.
 *  - strides, dilations: four values in data_format order; batch and channel entries must be 1; the
 *    spatial ones in [1, 2^31 - 1].
 *  - explicit_paddings: eight values, a (before, after) pair per dimension in data_format order; read only
 *    with DI_PADDING_EXPLICIT (otherwise all must be 0); batch and channel pairs must be 0.
 *  - Depthwise also accepts unequal strides, and stride > 1 together with dilation > 1, for which it computes
 *    the true strided dilated convolution (TensorFlow refuses the first and returns a space-to-batch
 *    artefact for the second).
 */
typedef struct di_conv_params {
    uint32_t struct_size; /* sizeof(di_conv_params), set by di_conv_params_init */
    int32_t data_format;  /* di_data_format */
    int32_t padding;      /* di_padding */
    int32_t reserved;     /* must be 0 */
    int64_t strides[4];
    int64_t dilations[4];
    int64_t explicit_paddings[8];
} di_conv_params;

/* ABI version of the loaded library; compare with DI_ABI_VERSION. */
uint32_t di_abi_version(void);

/* Library version, e.g. "0.1.0". Static storage. */
const char* di_version_string(void);

/* Message of the last failed call on this thread ("" if none). Valid until the next failing call on this thread. */
const char* di_last_error_message(void);

/* Constant name of a status, e.g. "DI_STATUS_INVALID_ARGUMENT". Static storage. */
const char* di_status_string(di_status status);

/*
 * Threads one call may use, the caller's thread included. threads <= 0 restores the default: the
 * environment variable DEPTHWISE_INTEROP_NUM_THREADS, else the number of processors. Results are bitwise
 * identical for every thread count. Process-wide; safe to call at any time.
 */
di_status di_set_num_threads(int32_t threads);

/* The current thread setting (see di_set_num_threads). */
int32_t di_get_num_threads(void);

/*
 * The vector instruction tier the kernels use: "avx512", "avx2", "sse2" or "scalar". It is the widest the CPU
 * supports, capped by the environment variable DEPTHWISE_INTEROP_MAX_ISA (same names), read once when the
 * library loads. Static storage.
 */
const char* di_cpu_isa(void);

/* Fills *params with NHWC, VALID padding, unit strides and dilations, no explicit padding. */
di_status di_conv_params_init(di_conv_params* params);

/*
 * Output shape of tf.nn.conv2d. input_rank >= 4: leading dimensions beyond the inner three are batch
 * dimensions, kept in the output. filter_rank must be 4. Writes input_rank values to output_shape
 * (capacity output_shape_capacity) and the rank to *output_rank.
 */
di_status di_conv2d_output_shape(
    const int64_t* input_shape, int32_t input_rank,
    const int64_t* filter_shape, int32_t filter_rank,
    const di_conv_params* params,
    int64_t* output_shape, int32_t output_shape_capacity, int32_t* output_rank);

/* tf.nn.conv2d, dense or grouped (groups = C / filter_shape[2], contiguous group-major channel blocks). */
di_status di_conv2d(
    di_dtype dtype,
    const void* input, int64_t input_count, const int64_t* input_shape, int32_t input_rank,
    const void* filter, int64_t filter_count, const int64_t* filter_shape, int32_t filter_rank,
    const di_conv_params* params,
    void* output, int64_t output_count);

/* Output shape of tf.nn.depthwise_conv2d: input and filter of rank 4; output channels C * M. */
di_status di_depthwise_conv2d_output_shape(
    const int64_t* input_shape, int32_t input_rank,
    const int64_t* filter_shape, int32_t filter_rank,
    const di_conv_params* params,
    int64_t* output_shape, int32_t output_shape_capacity, int32_t* output_rank);

/* tf.nn.depthwise_conv2d; output channel c * M + m. */
di_status di_depthwise_conv2d(
    di_dtype dtype,
    const void* input, int64_t input_count, const int64_t* input_shape, int32_t input_rank,
    const void* filter, int64_t filter_count, const int64_t* filter_shape, int32_t filter_rank,
    const di_conv_params* params,
    void* output, int64_t output_count);

/*
 * Output shape of tf.nn.separable_conv2d: input of rank 4, depthwise_filter [KH, KW, C, M] and
 * pointwise_filter [1, 1, C * M, C_out] (rank 4, first two dimensions 1); output channels C_out. params
 * apply to the depthwise stage, with depthwise's rules; the pointwise stage is a 1x1 VALID conv2d with unit
 * strides in params->data_format. Errors come in TensorFlow's order: pointwise_filter's rank and leading
 * dimensions, then the depthwise stage, then the pointwise conv2d (a pointwise_filter_shape[2] that divides
 * C * M gives a grouped pointwise stage, as di_conv2d does).
 */
di_status di_separable_conv2d_output_shape(
    const int64_t* input_shape, int32_t input_rank,
    const int64_t* depthwise_filter_shape, int32_t depthwise_filter_rank,
    const int64_t* pointwise_filter_shape, int32_t pointwise_filter_rank,
    const di_conv_params* params,
    int64_t* output_shape, int32_t output_shape_capacity, int32_t* output_rank);

/*
 * tf.nn.separable_conv2d: di_depthwise_conv2d with params, then di_conv2d of its result with
 * pointwise_filter (1x1, VALID, unit strides); bitwise the result of those two calls. The intermediate
 * tensor is allocated and freed inside the call. The output must overlap neither filter nor the input.
 */
di_status di_separable_conv2d(
    di_dtype dtype,
    const void* input, int64_t input_count, const int64_t* input_shape, int32_t input_rank,
    const void* depthwise_filter, int64_t depthwise_filter_count,
    const int64_t* depthwise_filter_shape, int32_t depthwise_filter_rank,
    const void* pointwise_filter, int64_t pointwise_filter_count,
    const int64_t* pointwise_filter_shape, int32_t pointwise_filter_rank,
    const di_conv_params* params,
    void* output, int64_t output_count);

#ifdef __cplusplus
}
#endif

#endif /* DEPTHWISE_INTEROP_H */
