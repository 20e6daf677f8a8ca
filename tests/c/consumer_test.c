/*
 * consumer_test.c - a C11 consumer of libdepthwise_interop, built only through pkg-config:
 *
 *   gcc -std=c11 -Wall -Wextra -Werror -pedantic consumer_test.c $(pkg-config --cflags --libs depthwise_interop)
 *   LD_LIBRARY_PATH=$PREFIX/lib ./a.out [EXPECTED_VERSION]
 *
 * Prints one line per check and ends with "N passed, N failed"; exits 1 if any check failed.
 * With EXPECTED_VERSION (e.g. `pkg-config --modversion depthwise_interop`), also checks di_version_string().
 */
#include "depthwise_interop.h" /* first: the header must be self-contained */
#include "half_bits.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_passed;
static int g_failed;

/* Records one check; the detail (printf format) is printed only on failure. */
static void check(int ok, const char* name, const char* detail_format, ...)
{
    if (ok) {
        g_passed++;
        printf("PASS %s\n", name);
        return;
    }
    g_failed++;
    printf("FAIL %s", name);
    if (detail_format != NULL && detail_format[0] != '\0') {
        va_list args;
        va_start(args, detail_format);
        printf(": ");
        vprintf(detail_format, args);
        va_end(args);
    }
    printf("\n");
}

static const char* last_error(void)
{
    const char* message = di_last_error_message();
    return message != NULL ? message : "(NULL)";
}

/* The error message, for the detail of a check that expected success ("" when the call succeeded). */
static const char* why(di_status status)
{
    return status == DI_STATUS_OK ? "" : last_error();
}

static const char* status_name(di_status status)
{
    const char* name = di_status_string(status);
    return name != NULL ? name : "(NULL)";
}

static int64_t product(const int64_t* shape, int rank)
{
    int64_t count = 1;
    for (int i = 0; i < rank; i++) count *= shape[i];
    return count;
}

static int shapes_equal(const int64_t* a, int32_t a_rank, const int64_t* b, int32_t b_rank)
{
    if (a_rank != b_rank) return 0;
    for (int32_t i = 0; i < a_rank; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

static void format_shape(char* text, size_t size, const int64_t* shape, int32_t rank)
{
    size_t used = (size_t)snprintf(text, size, "[");
    for (int32_t i = 0; i < rank && used < size; i++)
        used += (size_t)snprintf(text + used, size - used, i == 0 ? "%lld" : ",%lld", (long long)shape[i]);
    if (used < size) snprintf(text + used, size - used, "]");
}

static double absolute(double value)
{
    return value < 0 ? -value : value;
}

/* Index of the first element where |actual - expected| > tolerance * max(1, |expected|), or -1. */
static int64_t first_mismatch_f32(const float* actual, const double* expected, int64_t count, double tolerance)
{
    for (int64_t i = 0; i < count; i++) {
        double scale = absolute(expected[i]) > 1.0 ? absolute(expected[i]) : 1.0;
        if (!(absolute((double)actual[i] - expected[i]) <= tolerance * scale)) return i;
    }
    return -1;
}

static int64_t first_mismatch_f64(const double* actual, const double* expected, int64_t count, double tolerance)
{
    for (int64_t i = 0; i < count; i++) {
        double scale = absolute(expected[i]) > 1.0 ? absolute(expected[i]) : 1.0;
        if (!(absolute(actual[i] - expected[i]) <= tolerance * scale)) return i;
    }
    return -1;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Naive reference of tf.nn.conv2d in NHWC (dense, groups = 1), in double.                             */
/* ---------------------------------------------------------------------------------------------------- */

typedef struct conv_case {
    int64_t n, h, w, c;       /* input, NHWC */
    int64_t kh, kw, c_out;    /* filter [kh, kw, c, c_out] */
    int64_t stride_h, stride_w;
    int same;                 /* 1: SAME, 0: VALID */
} conv_case;

/* TensorFlow's GetWindowedOutputSize for dilation 1. */
static void out_size(int64_t in, int64_t k, int64_t stride, int same, int64_t* out, int64_t* pad_before)
{
    if (same) {
        *out = (in + stride - 1) / stride;
        int64_t total = (*out - 1) * stride + k - in;
        if (total < 0) total = 0;
        *pad_before = total / 2; /* the odd pixel goes after (bottom/right) */
    } else {
        *out = (in - k + stride) / stride;
        *pad_before = 0;
    }
}

static void conv2d_reference_nhwc(const conv_case* cc, const double* input, const double* filter, double* output,
                                  int64_t* out_h, int64_t* out_w)
{
    int64_t oh, ow, pad_top, pad_left;
    out_size(cc->h, cc->kh, cc->stride_h, cc->same, &oh, &pad_top);
    out_size(cc->w, cc->kw, cc->stride_w, cc->same, &ow, &pad_left);
    *out_h = oh;
    *out_w = ow;
    for (int64_t b = 0; b < cc->n; b++)
        for (int64_t y = 0; y < oh; y++)
            for (int64_t x = 0; x < ow; x++)
                for (int64_t o = 0; o < cc->c_out; o++) {
                    double sum = 0.0;
                    for (int64_t i = 0; i < cc->kh; i++)
                        for (int64_t j = 0; j < cc->kw; j++) {
                            int64_t iy = y * cc->stride_h - pad_top + i;
                            int64_t ix = x * cc->stride_w - pad_left + j;
                            if (iy < 0 || iy >= cc->h || ix < 0 || ix >= cc->w) continue;
                            for (int64_t ci = 0; ci < cc->c; ci++)
                                sum += input[((b * cc->h + iy) * cc->w + ix) * cc->c + ci]
                                     * filter[((i * cc->kw + j) * cc->c + ci) * cc->c_out + o];
                        }
                    output[((b * oh + y) * ow + x) * cc->c_out + o] = sum;
                }
}

/* NHWC [n, h, w, c] -> NCHW [n, c, h, w] */
static void nhwc_to_nchw(const double* src, double* dst, int64_t n, int64_t h, int64_t w, int64_t c)
{
    for (int64_t b = 0; b < n; b++)
        for (int64_t y = 0; y < h; y++)
            for (int64_t x = 0; x < w; x++)
                for (int64_t k = 0; k < c; k++)
                    dst[((b * c + k) * h + y) * w + x] = src[((b * h + y) * w + x) * c + k];
}

/* Deterministic small values whose products and sums stay exact enough in float32. */
static void fill_pattern(double* values, int64_t count, int seed)
{
    for (int64_t i = 0; i < count; i++)
        values[i] = (double)((i * 7 + seed * 3) % 11 - 5) * 0.25;
}

static void to_float(const double* src, float* dst, int64_t count)
{
    for (int64_t i = 0; i < count; i++) dst[i] = (float)src[i];
}

/* ---------------------------------------------------------------------------------------------------- */
/* Checks                                                                                               */
/* ---------------------------------------------------------------------------------------------------- */

static void test_info(const char* expected_version)
{
    const char* message = di_last_error_message();
    check(message != NULL && message[0] == '\0', "di_last_error_message is \"\" before any failure",
          "got \"%s\"", last_error());

    uint32_t abi = di_abi_version();
    check(abi == DI_ABI_VERSION, "di_abi_version() == DI_ABI_VERSION", "library %u, header %u", (unsigned)abi,
          (unsigned)DI_ABI_VERSION);

    const char* version = di_version_string();
    check(version != NULL && version[0] != '\0', "di_version_string is non-empty", "got %s",
          version == NULL ? "NULL" : "\"\"");
    if (expected_version != NULL) {
        check(version != NULL && strcmp(version, expected_version) == 0, "di_version_string matches the .pc Version",
              "library \"%s\", expected \"%s\"", version != NULL ? version : "(NULL)", expected_version);
    }
}

static void test_params_init(void)
{
    di_conv_params params;
    memset(&params, 0xAB, sizeof params);
    di_status status = di_conv_params_init(&params);
    check(status == DI_STATUS_OK, "di_conv_params_init returns DI_STATUS_OK", "got %s: %s", status_name(status),
          why(status));

    int ok = params.struct_size == (uint32_t)sizeof(di_conv_params) && params.data_format == DI_DATA_FORMAT_NHWC
          && params.padding == DI_PADDING_VALID && params.reserved == 0;
    for (int i = 0; i < 4; i++) ok = ok && params.strides[i] == 1 && params.dilations[i] == 1;
    for (int i = 0; i < 8; i++) ok = ok && params.explicit_paddings[i] == 0;
    check(ok, "di_conv_params_init fills struct_size, NHWC, VALID, unit strides/dilations, zero paddings",
          "struct_size %u (sizeof %u), data_format %d, padding %d, reserved %d", (unsigned)params.struct_size,
          (unsigned)sizeof(di_conv_params), (int)params.data_format, (int)params.padding, (int)params.reserved);

    status = di_conv_params_init(NULL);
    check(status == DI_STATUS_INVALID_ARGUMENT && di_last_error_message()[0] != '\0',
          "di_conv_params_init(NULL) returns DI_STATUS_INVALID_ARGUMENT with a message", "got %s: \"%s\"",
          status_name(status), why(status));
}

/* The well-known tf.nn.depthwise_conv2d example. */
static const int64_t k_dw_input_shape[4] = {1, 3, 3, 1};
static const int64_t k_dw_filter_shape[4] = {2, 1, 1, 2};
static const int64_t k_dw_output_shape[4] = {1, 2, 3, 2};
static const double k_dw_expected[12] = {13, 18, 17, 24, 21, 30, 25, 36, 29, 42, 33, 48};

static void test_depthwise_example(void)
{
    di_conv_params params;
    di_conv_params_init(&params);

    int64_t shape[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
    int32_t rank = -1;
    di_status status = di_depthwise_conv2d_output_shape(k_dw_input_shape, 4, k_dw_filter_shape, 4, &params, shape, 8, &rank);
    char text[128];
    format_shape(text, sizeof text, shape, rank > 0 && rank <= 8 ? rank : 0);
    check(status == DI_STATUS_OK && shapes_equal(shape, rank, k_dw_output_shape, 4),
          "depthwise output shape of [1,3,3,1] * [2,1,1,2], VALID, stride 1 is [1,2,3,2]", "%s, rank %d, shape %s: %s",
          status_name(status), (int)rank, text, why(status));

    int32_t small_rank = -1;
    status = di_depthwise_conv2d_output_shape(k_dw_input_shape, 4, k_dw_filter_shape, 4, &params, shape, 3, &small_rank);
    check(status == DI_STATUS_INVALID_ARGUMENT && small_rank == -1,
          "depthwise output shape with capacity 3 returns DI_STATUS_INVALID_ARGUMENT", "got %s, rank %d",
          status_name(status), (int)small_rank);

    float input32[9], filter32[4] = {1, 2, 3, 4}, output32[12];
    double input64[9], filter64[4] = {1, 2, 3, 4}, output64[12];
    for (int i = 0; i < 9; i++) {
        input32[i] = (float)(i + 1);
        input64[i] = (double)(i + 1);
    }
    for (int i = 0; i < 12; i++) {
        output32[i] = -1.0f;
        output64[i] = -1.0;
    }

    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, input32, 9, k_dw_input_shape, 4, filter32, 4, k_dw_filter_shape, 4,
                                 &params, output32, 12);
    int64_t bad = first_mismatch_f32(output32, k_dw_expected, 12, 0.0);
    check(status == DI_STATUS_OK && bad < 0, "depthwise float32 example gives [13,18,17,24,21,30,25,36,29,42,33,48]",
          "%s, element %lld is %g (expected %g): %s", status_name(status), (long long)bad,
          bad >= 0 ? (double)output32[bad] : 0.0, bad >= 0 ? k_dw_expected[bad] : 0.0, why(status));

    status = di_depthwise_conv2d(DI_DTYPE_FLOAT64, input64, 9, k_dw_input_shape, 4, filter64, 4, k_dw_filter_shape, 4,
                                 &params, output64, 12);
    bad = first_mismatch_f64(output64, k_dw_expected, 12, 0.0);
    check(status == DI_STATUS_OK && bad < 0, "depthwise float64 example gives [13,18,17,24,21,30,25,36,29,42,33,48]",
          "%s, element %lld is %g (expected %g): %s", status_name(status), (long long)bad,
          bad >= 0 ? output64[bad] : 0.0, bad >= 0 ? k_dw_expected[bad] : 0.0, why(status));
}

/*
 * tf.nn.conv2d, SAME padding, stride 2, checked against the naive loop: NHWC in float32 and float64, and NCHW
 * in float32. H = 7 with KH = 3 pads 1 + 1; W = 5 with KW = 2 pads 0 + 1 (the odd pixel on the right).
 */
static void test_conv2d(void)
{
    const conv_case cc = {2, 7, 5, 3, 3, 2, 4, 2, 2, 1};
    const int64_t input_shape[4] = {cc.n, cc.h, cc.w, cc.c};
    const int64_t input_shape_nchw[4] = {cc.n, cc.c, cc.h, cc.w};
    const int64_t filter_shape[4] = {cc.kh, cc.kw, cc.c, cc.c_out};
    const int64_t input_count = product(input_shape, 4);
    const int64_t filter_count = product(filter_shape, 4);

    double* input = malloc(sizeof(double) * (size_t)input_count);
    double* input_nchw = malloc(sizeof(double) * (size_t)input_count);
    double* filter = malloc(sizeof(double) * (size_t)filter_count);
    float* input32 = malloc(sizeof(float) * (size_t)input_count);
    float* input32_nchw = malloc(sizeof(float) * (size_t)input_count);
    float* filter32 = malloc(sizeof(float) * (size_t)filter_count);
    /* output capacity: generously sized; out_h, out_w <= h, w */
    const size_t out_capacity = (size_t)(cc.n * cc.h * cc.w * cc.c_out);
    double* expected = malloc(sizeof(double) * out_capacity);
    double* expected_nchw = malloc(sizeof(double) * out_capacity);
    double* output64 = malloc(sizeof(double) * out_capacity);
    float* output32 = malloc(sizeof(float) * out_capacity);
    if (!input || !input_nchw || !filter || !input32 || !input32_nchw || !filter32 || !expected || !expected_nchw
        || !output64 || !output32) {
        check(0, "conv2d test allocation", "out of memory");
        return;
    }

    fill_pattern(input, input_count, 1);
    fill_pattern(filter, filter_count, 2);
    nhwc_to_nchw(input, input_nchw, cc.n, cc.h, cc.w, cc.c);
    to_float(input, input32, input_count);
    to_float(input_nchw, input32_nchw, input_count);
    to_float(filter, filter32, filter_count);

    int64_t out_h, out_w;
    conv2d_reference_nhwc(&cc, input, filter, expected, &out_h, &out_w);
    nhwc_to_nchw(expected, expected_nchw, cc.n, out_h, out_w, cc.c_out);
    const int64_t expected_shape[4] = {cc.n, out_h, out_w, cc.c_out};
    const int64_t expected_shape_nchw[4] = {cc.n, cc.c_out, out_h, out_w};
    const int64_t output_count = product(expected_shape, 4);
    char text[128], want[128];
    format_shape(want, sizeof want, expected_shape, 4);

    /* NHWC */
    di_conv_params params;
    di_conv_params_init(&params);
    params.padding = DI_PADDING_SAME;
    params.strides[1] = 2;
    params.strides[2] = 2;

    int64_t shape[4] = {-1, -1, -1, -1};
    int32_t rank = -1;
    di_status status = di_conv2d_output_shape(input_shape, 4, filter_shape, 4, &params, shape, 4, &rank);
    format_shape(text, sizeof text, shape, rank == 4 ? 4 : 0);
    check(status == DI_STATUS_OK && shapes_equal(shape, rank, expected_shape, 4),
          "conv2d NHWC SAME stride 2 output shape matches the naive loop", "%s, got %s, expected %s: %s",
          status_name(status), text, want, why(status));

    for (size_t i = 0; i < out_capacity; i++) output32[i] = -99.0f;
    status = di_conv2d(DI_DTYPE_FLOAT32, input32, input_count, input_shape, 4, filter32, filter_count, filter_shape, 4,
                       &params, output32, output_count);
    int64_t bad = first_mismatch_f32(output32, expected, output_count, 1e-5);
    check(status == DI_STATUS_OK && bad < 0, "conv2d float32 NHWC SAME stride 2 matches the naive loop",
          "%s, element %lld is %.9g (expected %.9g): %s", status_name(status), (long long)bad,
          bad >= 0 ? (double)output32[bad] : 0.0, bad >= 0 ? expected[bad] : 0.0, why(status));

    for (size_t i = 0; i < out_capacity; i++) output64[i] = -99.0;
    status = di_conv2d(DI_DTYPE_FLOAT64, input, input_count, input_shape, 4, filter, filter_count, filter_shape, 4,
                       &params, output64, output_count);
    bad = first_mismatch_f64(output64, expected, output_count, 1e-12);
    check(status == DI_STATUS_OK && bad < 0, "conv2d float64 NHWC SAME stride 2 matches the naive loop",
          "%s, element %lld is %.17g (expected %.17g): %s", status_name(status), (long long)bad,
          bad >= 0 ? output64[bad] : 0.0, bad >= 0 ? expected[bad] : 0.0, why(status));

    /* NCHW: input and output transposed, filter unchanged, strides in NCHW order. */
    di_conv_params_init(&params);
    params.data_format = DI_DATA_FORMAT_NCHW;
    params.padding = DI_PADDING_SAME;
    params.strides[2] = 2;
    params.strides[3] = 2;

    rank = -1;
    status = di_conv2d_output_shape(input_shape_nchw, 4, filter_shape, 4, &params, shape, 4, &rank);
    format_shape(text, sizeof text, shape, rank == 4 ? 4 : 0);
    format_shape(want, sizeof want, expected_shape_nchw, 4);
    check(status == DI_STATUS_OK && shapes_equal(shape, rank, expected_shape_nchw, 4),
          "conv2d NCHW SAME stride 2 output shape matches the naive loop", "%s, got %s, expected %s: %s",
          status_name(status), text, want, why(status));

    for (size_t i = 0; i < out_capacity; i++) output32[i] = -99.0f;
    status = di_conv2d(DI_DTYPE_FLOAT32, input32_nchw, input_count, input_shape_nchw, 4, filter32, filter_count,
                       filter_shape, 4, &params, output32, output_count);
    bad = first_mismatch_f32(output32, expected_nchw, output_count, 1e-5);
    check(status == DI_STATUS_OK && bad < 0, "conv2d float32 NCHW SAME stride 2 matches the naive loop",
          "%s, element %lld is %.9g (expected %.9g): %s", status_name(status), (long long)bad,
          bad >= 0 ? (double)output32[bad] : 0.0, bad >= 0 ? expected_nchw[bad] : 0.0, why(status));

    free(input);
    free(input_nchw);
    free(filter);
    free(input32);
    free(input32_nchw);
    free(filter32);
    free(expected);
    free(expected_nchw);
    free(output64);
    free(output32);
}

#define SENTINEL 12345.0f

static void fill_sentinel(float* output, int count)
{
    for (int i = 0; i < count; i++) output[i] = SENTINEL;
}

static int untouched(const float* output, int count)
{
    for (int i = 0; i < count; i++)
        if (output[i] != SENTINEL) return 0;
    return 1;
}

/* A failing call: expected status, a non-empty message, and the output buffer left untouched. */
static void check_failure(const char* name, di_status status, di_status expected, const float* output, int count)
{
    const char* message = di_last_error_message();
    char full[256];
    snprintf(full, sizeof full, "%s returns %s", name, status_name(expected));
    check(status == expected, full, "got %s: \"%s\"", status_name(status), last_error());
    snprintf(full, sizeof full, "%s sets a non-empty error message", name);
    check(message != NULL && message[0] != '\0', full, "message is %s", message == NULL ? "NULL" : "\"\"");
    snprintf(full, sizeof full, "%s leaves the output untouched", name);
    check(untouched(output, count), full, "output was written");
}

static void test_bad_calls(void)
{
    float input[9], filter[4] = {1, 2, 3, 4}, output[12];
    for (int i = 0; i < 9; i++) input[i] = (float)(i + 1);
    di_conv_params params;
    di_status status;

    /* batch stride 2 */
    di_conv_params_init(&params);
    params.strides[0] = 2;
    fill_sentinel(output, 12);
    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, input, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4,
                                 &params, output, 12);
    check_failure("depthwise with batch stride 2", status, DI_STATUS_INVALID_ARGUMENT, output, 12);
    check(strstr(last_error(), "strides in the batch and depth") != NULL,
          "batch stride 2 message contains \"strides in the batch and depth\"", "got \"%s\"", last_error());

    fill_sentinel(output, 12);
    status = di_conv2d(DI_DTYPE_FLOAT32, input, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4, &params,
                       output, 12);
    check(status == DI_STATUS_INVALID_ARGUMENT && strstr(last_error(), "strides in the batch and depth") != NULL
              && untouched(output, 12),
          "conv2d with batch stride 2 fails the same way, output untouched", "got %s: \"%s\"", status_name(status),
          last_error());

    int64_t shape[4] = {-1, -1, -1, -1};
    int32_t rank = -1;
    status = di_depthwise_conv2d_output_shape(k_dw_input_shape, 4, k_dw_filter_shape, 4, &params, shape, 4, &rank);
    check(status == DI_STATUS_INVALID_ARGUMENT && rank == -1 && shape[0] == -1,
          "depthwise output shape with batch stride 2 fails, shape and rank untouched", "got %s, rank %d",
          status_name(status), (int)rank);

    di_conv_params_init(&params);

    /* wrong input_count */
    fill_sentinel(output, 12);
    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, input, 8, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4,
                                 &params, output, 12);
    check_failure("depthwise with input_count 8 for shape [1,3,3,1]", status, DI_STATUS_INVALID_ARGUMENT, output, 12);

    /* wrong output_count */
    fill_sentinel(output, 12);
    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, input, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4,
                                 &params, output, 11);
    check_failure("depthwise with output_count 11 for 12 outputs", status, DI_STATUS_INVALID_ARGUMENT, output, 12);

    /* NULL pointer with non-zero count */
    fill_sentinel(output, 12);
    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, NULL, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4,
                                 &params, output, 12);
    check_failure("depthwise with input NULL and input_count 9", status, DI_STATUS_INVALID_ARGUMENT, output, 12);

    fill_sentinel(output, 12);
    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, input, 9, k_dw_input_shape, 4, NULL, 4, k_dw_filter_shape, 4,
                                 &params, output, 12);
    check_failure("depthwise with filter NULL and filter_count 4", status, DI_STATUS_INVALID_ARGUMENT, output, 12);

    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, input, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4,
                                 &params, NULL, 12);
    check(status == DI_STATUS_INVALID_ARGUMENT, "depthwise with output NULL and output_count 12 returns "
          "DI_STATUS_INVALID_ARGUMENT", "got %s: \"%s\"", status_name(status), last_error());

    fill_sentinel(output, 12);
    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, input, 9, NULL, 4, filter, 4, k_dw_filter_shape, 4, &params,
                                 output, 12);
    check_failure("depthwise with input_shape NULL and input_rank 4", status, DI_STATUS_INVALID_ARGUMENT, output, 12);

    fill_sentinel(output, 12);
    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, input, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4,
                                 NULL, output, 12);
    check_failure("depthwise with params NULL", status, DI_STATUS_INVALID_ARGUMENT, output, 12);

    /* unknown dtype */
    fill_sentinel(output, 12);
    status = di_depthwise_conv2d((di_dtype)99, input, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4, &params,
                                 output, 12);
    check_failure("depthwise with dtype 99", status, DI_STATUS_INVALID_DTYPE, output, 12);

    fill_sentinel(output, 12);
    /* conv2d with C = 1 is the same computation as the depthwise example: filter [2,1,1,2], 12 outputs */
    status = di_conv2d((di_dtype)0, input, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4, &params,
                       output, 12);
    check(status == DI_STATUS_INVALID_DTYPE && untouched(output, 12), "conv2d with dtype 0 returns DI_STATUS_INVALID_DTYPE",
          "got %s: \"%s\"", status_name(status), last_error());

    /* wrong struct_size */
    di_conv_params_init(&params);
    params.struct_size = (uint32_t)sizeof(di_conv_params) - 8;
    fill_sentinel(output, 12);
    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, input, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4,
                                 &params, output, 12);
    check_failure("depthwise with params.struct_size = sizeof - 8", status, DI_STATUS_INVALID_ARGUMENT, output, 12);
    check(strstr(last_error(), "struct_size") != NULL, "wrong struct_size message names struct_size", "got \"%s\"",
          last_error());

    params.struct_size = 0;
    rank = -1;
    status = di_conv2d_output_shape(k_dw_input_shape, 4, k_dw_filter_shape, 4, &params, shape, 4, &rank);
    check(status == DI_STATUS_INVALID_ARGUMENT && rank == -1, "conv2d output shape with struct_size 0 returns "
          "DI_STATUS_INVALID_ARGUMENT", "got %s, rank %d", status_name(status), (int)rank);

    /* reserved != 0 */
    di_conv_params_init(&params);
    params.reserved = 1;
    fill_sentinel(output, 12);
    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, input, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4,
                                 &params, output, 12);
    check_failure("depthwise with params.reserved = 1", status, DI_STATUS_INVALID_ARGUMENT, output, 12);

    /* A valid call after the failures works, and the message stays the last failed call's. */
    char before[256];
    snprintf(before, sizeof before, "%s", last_error());
    di_conv_params_init(&params);
    status = di_depthwise_conv2d(DI_DTYPE_FLOAT32, input, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4,
                                 &params, output, 12);
    check(status == DI_STATUS_OK && output[0] == 13.0f && output[11] == 48.0f,
          "a valid call after the failures succeeds and writes the output", "got %s: \"%s\"", status_name(status),
          why(status));
    check(strcmp(last_error(), before) == 0, "di_last_error_message still gives the last failed call's message",
          "was \"%s\", now \"%s\"", before, last_error());
}

static void test_status_strings(void)
{
    static const struct {
        di_status status;
        const char* name;
    } names[] = {
        {DI_STATUS_OK, "DI_STATUS_OK"},
        {DI_STATUS_INVALID_ARGUMENT, "DI_STATUS_INVALID_ARGUMENT"},
        {DI_STATUS_UNIMPLEMENTED, "DI_STATUS_UNIMPLEMENTED"},
        {DI_STATUS_INVALID_DTYPE, "DI_STATUS_INVALID_DTYPE"},
        {DI_STATUS_OUT_OF_MEMORY, "DI_STATUS_OUT_OF_MEMORY"},
        {DI_STATUS_INTERNAL, "DI_STATUS_INTERNAL"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char* name = di_status_string(names[i].status);
        char label[96];
        snprintf(label, sizeof label, "di_status_string(%d) is \"%s\"", (int)names[i].status, names[i].name);
        check(name != NULL && strcmp(name, names[i].name) == 0, label, "got \"%s\"", name != NULL ? name : "(NULL)");
    }
    const char* unknown = di_status_string((di_status)1000);
    check(unknown != NULL && unknown[0] != '\0', "di_status_string(1000) is a non-empty string", "got %s",
          unknown == NULL ? "NULL" : "\"\"");
}

/* ---------------------------------------------------------------------------------------------------- */
/* tf.nn.separable_conv2d: depthwise (SAME, stride 2x1, multiplier 2) then a 1x1 conv2d, naive loops.    */
/* ---------------------------------------------------------------------------------------------------- */

static void test_separable(void)
{
    enum { N = 2, H = 5, W = 6, C = 3, KH = 3, KW = 2, M = 2, COUT = 4, SH = 2, SW = 1 };
    const int64_t in_shape[4] = {N, H, W, C}, dw_shape[4] = {KH, KW, C, M}, pw_shape[4] = {1, 1, C * M, COUT};
    int64_t oh, ow, pad_top, pad_left;
    out_size(H, KH, SH, 1, &oh, &pad_top);
    out_size(W, KW, SW, 1, &ow, &pad_left);
    const int64_t expected_shape[4] = {N, oh, ow, COUT};
    const int64_t in_count = N * H * W * C, dw_count = KH * KW * C * M, pw_count = C * M * COUT;
    const int64_t mid_count = N * oh * ow * C * M, out_count = N * oh * ow * COUT;
    double *x = malloc(sizeof(double) * (size_t)in_count), *dw = malloc(sizeof(double) * (size_t)dw_count);
    double *pw = malloc(sizeof(double) * (size_t)pw_count), *mid = calloc((size_t)mid_count, sizeof(double));
    double *want = calloc((size_t)out_count, sizeof(double)), *got64 = malloc(sizeof(double) * (size_t)out_count);
    float *x32 = malloc(sizeof(float) * (size_t)in_count), *dw32 = malloc(sizeof(float) * (size_t)dw_count);
    float *pw32 = malloc(sizeof(float) * (size_t)pw_count), *got32 = malloc(sizeof(float) * (size_t)out_count);
    if (!x || !dw || !pw || !mid || !want || !got64 || !x32 || !dw32 || !pw32 || !got32) {
        check(0, "separable test allocation", "out of memory");
        free(x); free(dw); free(pw); free(mid); free(want); free(got64); free(x32); free(dw32); free(pw32); free(got32);
        return;
    }
    fill_pattern(x, in_count, 5);
    fill_pattern(dw, dw_count, 6);
    fill_pattern(pw, pw_count, 7);
    to_float(x, x32, in_count);
    to_float(dw, dw32, dw_count);
    to_float(pw, pw32, pw_count);

    /* Naive depthwise, output channel c * M + m, then the pointwise mix. */
    for (int64_t b = 0; b < N; b++)
        for (int64_t i = 0; i < oh; i++)
            for (int64_t j = 0; j < ow; j++)
                for (int64_t c = 0; c < C; c++)
                    for (int64_t m = 0; m < M; m++) {
                        double sum = 0;
                        for (int64_t di = 0; di < KH; di++)
                            for (int64_t dj = 0; dj < KW; dj++) {
                                int64_t y = i * SH + di - pad_top, xx = j * SW + dj - pad_left;
                                if (y < 0 || y >= H || xx < 0 || xx >= W) continue;
                                sum += x[((b * H + y) * W + xx) * C + c] * dw[((di * KW + dj) * C + c) * M + m];
                            }
                        mid[((b * oh + i) * ow + j) * C * M + c * M + m] = sum;
                    }
    for (int64_t p = 0; p < N * oh * ow; p++)
        for (int64_t k = 0; k < COUT; k++)
            for (int64_t q = 0; q < C * M; q++) want[p * COUT + k] += mid[p * C * M + q] * pw[q * COUT + k];

    di_conv_params params;
    di_conv_params_init(&params);
    params.padding = DI_PADDING_SAME;
    params.strides[1] = SH;
    params.strides[2] = SW;
    int64_t shape[4] = {-1, -1, -1, -1};
    int32_t rank = -1;
    di_status status = di_separable_conv2d_output_shape(in_shape, 4, dw_shape, 4, pw_shape, 4, &params, shape, 4, &rank);
    check(status == DI_STATUS_OK && shapes_equal(shape, rank, expected_shape, 4),
          "separable output shape NHWC SAME stride 2x1", "status %s: %s", status_name(status), why(status));

    status = di_separable_conv2d(DI_DTYPE_FLOAT32, x32, in_count, in_shape, 4, dw32, dw_count, dw_shape, 4, pw32, pw_count, pw_shape, 4,
                                 &params, got32, out_count);
    int64_t bad = status == DI_STATUS_OK ? first_mismatch_f32(got32, want, out_count, 1e-5) : 0;
    check(status == DI_STATUS_OK && bad < 0, "separable float32 NHWC SAME stride 2x1 multiplier 2 matches the naive loops",
          "status %s %s, first mismatch at %lld", status_name(status), why(status), (long long)bad);
    status = di_separable_conv2d(DI_DTYPE_FLOAT64, x, in_count, in_shape, 4, dw, dw_count, dw_shape, 4, pw, pw_count, pw_shape, 4,
                                 &params, got64, out_count);
    bad = status == DI_STATUS_OK ? first_mismatch_f64(got64, want, out_count, 1e-12) : 0;
    check(status == DI_STATUS_OK && bad < 0, "separable float64 NHWC SAME stride 2x1 multiplier 2 matches the naive loops",
          "status %s %s, first mismatch at %lld", status_name(status), why(status), (long long)bad);

    /* A pointwise filter that is not 1x1: TensorFlow's wrapper message, the output untouched. */
    const int64_t bad_pw_shape[4] = {2, 1, C * M, COUT / 2};
    fill_sentinel(got32, (int)out_count);
    status = di_separable_conv2d(DI_DTYPE_FLOAT32, x32, in_count, in_shape, 4, dw32, dw_count, dw_shape, 4, pw32, pw_count, bad_pw_shape, 4,
                                 &params, got32, out_count);
    check_failure("separable with a 2x1 pointwise filter", status, DI_STATUS_INVALID_ARGUMENT, got32, (int)out_count);
    check(strcmp(last_error(), "Dimensions 2 and 1 are not compatible") == 0,
          "separable 2x1 pointwise filter message is TensorFlow's", "got \"%s\"", last_error());

    free(x); free(dw); free(pw); free(mid); free(want); free(got64); free(x32); free(dw32); free(pw32); free(got32);
}

/*
 * The 16-bit types: the depthwise example in float16 and bfloat16 (small integers: exact), and a 1x1 conv2d
 * whose float32 sum 2049 (half) / 257 (bfloat16) is not representable and rounds once, ties to even, to
 * 2048 / 256; NaN stays NaN. Buffers are uint16_t bit patterns.
 */
static void test_half_types(void)
{
    di_conv_params params;
    di_conv_params_init(&params);
    const di_dtype types[2] = {DI_DTYPE_FLOAT16, DI_DTYPE_BFLOAT16};
    const char* names[2] = {"float16", "bfloat16"};
    for (int t = 0; t < 2; t++) {
        uint16_t (*encode)(double) = t == 0 ? half_from_double : bfloat16_from_double;
        float (*decode)(uint16_t) = t == 0 ? half_to_float : bfloat16_to_float;
        uint16_t input[9], filter[4], output[12];
        for (int i = 0; i < 9; i++) input[i] = encode(i + 1);
        for (int i = 0; i < 4; i++) filter[i] = encode(i + 1);
        for (int i = 0; i < 12; i++) output[i] = 0xFFFF;
        di_status status = di_depthwise_conv2d(types[t], input, 9, k_dw_input_shape, 4, filter, 4, k_dw_filter_shape, 4,
                                               &params, output, 12);
        int bad = -1;
        for (int i = 0; i < 12 && status == DI_STATUS_OK; i++)
            if (decode(output[i]) != (float)k_dw_expected[i] && bad < 0) bad = i;
        char name[96];
        snprintf(name, sizeof name, "depthwise %s example gives [13,18,17,24,21,30,25,36,29,42,33,48]", names[t]);
        check(status == DI_STATUS_OK && bad < 0, name, "%s, element %d is %g: %s", status_name(status), bad,
              bad >= 0 ? (double)decode(output[bad]) : 0.0, why(status));

        const double big = t == 0 ? 1024 : 128;
        const int64_t x_shape[4] = {1, 1, 2, 3}, w_shape[4] = {1, 1, 3, 1};
        uint16_t x[6] = {encode(big), encode(big), encode(1), encode(1), encode(NAN), encode(1)};
        uint16_t w[3] = {encode(1), encode(1), encode(1)};
        uint16_t y[2] = {0xFFFF, 0xFFFF};
        status = di_conv2d(types[t], x, 6, x_shape, 4, w, 3, w_shape, 4, &params, y, 2);
        snprintf(name, sizeof name, "%s conv2d rounds %g once to %g and keeps NaN", names[t], 2 * big + 1, 2 * big);
        check(status == DI_STATUS_OK && decode(y[0]) == (float)(2 * big) && isnan(decode(y[1])), name, "%s, got %g and %g: %s",
              status_name(status), (double)decode(y[0]), (double)decode(y[1]), why(status));
    }
}

/*
 * A bfloat16 pointwise conv2d large enough for the kernel that reads bfloat16 in place (784 pixels, 32 input
 * channels, 44 output channels: blocks of three vectors, the last shifted back), checked element by element
 * against naive loops: small integers, so every sum is exact in float32 and in bfloat16.
 */
static void test_bfloat16_pointwise(void)
{
    enum { H = 28, W = 28, K = 32, N = 44 };
    const int64_t x_shape[4] = {1, H, W, K}, w_shape[4] = {1, 1, K, N};
    uint16_t* x = malloc(sizeof(uint16_t) * H * W * K);
    uint16_t* w = malloc(sizeof(uint16_t) * K * N);
    uint16_t* y = malloc(sizeof(uint16_t) * H * W * N);
    if (!x || !w || !y) { check(0, "bfloat16 pointwise buffers", "out of memory"); free(x); free(w); free(y); return; }
    for (int i = 0; i < H * W * K; i++) x[i] = bfloat16_from_double((i * 7 % 5) - 2);
    for (int i = 0; i < K * N; i++) w[i] = bfloat16_from_double((i * 3 % 7) - 3);
    for (int i = 0; i < H * W * N; i++) y[i] = 0xFFFF;
    di_conv_params params;
    di_conv_params_init(&params);
    di_status status = di_conv2d(DI_DTYPE_BFLOAT16, x, H * W * K, x_shape, 4, w, K * N, w_shape, 4, &params, y, H * W * N);
    int bad = -1;
    double want_bad = 0;
    for (int p = 0; p < H * W && status == DI_STATUS_OK && bad < 0; p++)
        for (int n = 0; n < N && bad < 0; n++) {
            double want = 0;
            for (int k = 0; k < K; k++) want += (double)bfloat16_to_float(x[p * K + k]) * bfloat16_to_float(w[k * N + n]);
            if (bfloat16_to_float(y[p * N + n]) != (float)want) { bad = p * N + n; want_bad = want; }
        }
    check(status == DI_STATUS_OK && bad < 0, "bfloat16 pointwise conv2d 28x28x32->44 matches naive loops",
          "%s, element %d is %g, want %g: %s", status_name(status), bad,
          bad >= 0 ? (double)bfloat16_to_float(y[bad]) : 0.0, want_bad, why(status));
    free(x); free(w); free(y);
}

int main(int argc, char** argv)
{
    const char* expected_version = argc > 1 ? argv[1] : NULL;

    test_info(expected_version);
    test_params_init();
    test_depthwise_example();
    test_half_types();
    test_bfloat16_pointwise();
    test_conv2d();
    test_bad_calls();
    test_separable();
    test_status_strings();

    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
