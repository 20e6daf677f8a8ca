/*
 * fuzz_abi.c - a seeded fuzzer over every function of the libdepthwise_interop C ABI.
 *
 *   gcc -std=c11 -Wall -Wextra -Werror -pedantic -pthread fuzz_abi.c $(pkg-config --cflags --libs depthwise_interop) -lm
 *   LD_LIBRARY_PATH=$PREFIX/lib ./fuzz_abi [SEED|time] [ITERATIONS] [--only ITERATION] [--no-fork] [--verbose] [--reports N]
 *
 * First, pinned cases: edge cases with known answers and the bugs earlier runs found (run_pinned below).
 * Then each iteration (its own PRNG stream, derived from SEED and the iteration number, so any iteration can be
 * replayed alone with --only) makes these calls:
 *   - the info functions: di_abi_version, di_version_string, di_status_string (random values), di_cpu_isa (a
 *     known tier, stable, within DEPTHWISE_INTEROP_MAX_ISA), di_conv_params_init (on a garbage-filled struct,
 *     or NULL), and di_set_num_threads with a random setting (1..4, 8, 64, 1000, INT32_MAX, 0, negative) checked
 *     through di_get_num_threads;
 *   - a valid case of conv2d (dense or grouped, rank 4 to 6) or depthwise_conv2d, float32, float64, float16 or
 *     bfloat16, NHWC or
 *     NCHW, VALID / SAME / EXPLICIT padding, strides and dilations (both > 1 allowed), mostly small, 3% medium
 *     (enough work for the library's worker threads), sometimes with a few NaN / Inf values: its output shape
 *     query and its computation, which must succeed and match the scalar reference below; medium cases and
 *     10% of the others are computed again with another thread count and must give the same bits;
 *   - two mutated calls: ranks (0, 3, 5, 33, negative, huge), dimensions (0, negative, 2^31, 2^40, INT64_MAX),
 *     strides / dilations (batch and depth positions, zero, negative, huge), padding and data_format values out
 *     of range, explicit paddings (negative, huge, in batch / depth), struct_size, reserved, dtype (0, 5, 99),
 *     NULL pointers, element counts that disagree with the shapes, output_shape capacity too small, NULL
 *     output_rank; each as an output shape query and as a computation;
 *   - consistency calls: the output shape query with a sufficient capacity, and the computation with the
 *     output_count that query gives (must succeed) and with one more (must fail).
 *   - separable calls (SEPARABLE_PERCENT of the iterations): a valid case (a depthwise base case, pointwise
 *     filter [1,1,C*M or a divisor of it,Cout]) and two mutated ones (the mutations above, plus pointwise rank,
 *     dims, depth, NULL shape / buffer, count), each as di_separable_conv2d_output_shape (as drawn and with full
 *     capacity) and di_separable_conv2d; a success must agree with the query's element count, and be bitwise
 *     equal to di_depthwise_conv2d + di_conv2d (1x1, VALID, unit strides, same data_format); a failure must be
 *     matched by a failing two-step path unless the pointwise filter is not rank 4 with dims 0, 1 equal to 1
 *     (which must fail). The same status / message / untouched-output / guard / unmodified-input checks apply.
 *
 * A model of the ABI's rules (TensorFlow's, plus the limits the header documents) predicts whether each call
 * must succeed, must fail, or (for a few implementation limits, e.g. explicit paddings above 2^31 - 1) may do
 * either. For every call it checks:
 *   - it returns (no crash: the calls run in a child process; no hang: alarm() per iteration);
 *   - the predicted outcome; a failure has a status in 1..4 (never DI_STATUS_INTERNAL) and a non-empty
 *     di_last_error_message(); a success leaves the last error message as it was;
 *   - the output buffer (and output_shape / output_rank) is untouched on failure, and a guard region after it
 *     is untouched on every call; the inputs, shapes and params are never modified;
 *   - a success on a valid case matches the reference: float32 |got - want| <= 1e-5 * sum|x*w| + 1e-30,
 *     float64 <= 1e-12 * sum|x*w| + 1e-300, float16 / bfloat16 as float32 plus their final rounding
 *     (2^-10 / 2^-7 of |want|, plus 2^-24 / 1e-30), NaN and +-Inf positions exactly; an output shape equal to
 *     the model's.
 * Ends with "N passed, N failed" (calls); exits 1 if any call failed.
 *
 * Every count passed is either the true element count of a buffer that holds that many valid elements, or
 * differs from the element count of its shape (so the library must reject it before reading). Ranks above 64
 * are passed with a 64-entry shape array: the library must reject them from the rank alone.
 */
#define _GNU_SOURCE
#include "depthwise_interop.h"
#include "half_bits.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

__extension__ typedef __int128 i128;

#define SHAPE_CAP 64            /* entries of every shape array we pass */
#define SHAPE_GUARD 8           /* guard entries after output_shape */
#define SLACK 64                /* valid elements written after each input / filter, for recomputed counts */
#define ARENA_ELEMENTS (1 << 16)
#define OUT_LIMIT (1 << 17)     /* largest output we allocate */
#define OUT_GUARD_BYTES 256     /* guard after every output buffer */
#define WATCHDOG_SECONDS 20
#define SEPARABLE_PERCENT 100   /* iterations that also fuzz the separable functions */
#define MAX_RESTARTS 20         /* child crashes before the fuzzer gives up */

enum { OP_CONV2D = 0, OP_DEPTHWISE = 1 };
enum { V_OK = 0, V_FAIL = 1, V_ANY = 2 };

static const uint8_t k_sentinel = 0xA5;
static const int64_t k_i32max = INT32_MAX;

/* ---------------------------------------------------------------------------------------------------- */
/* PRNG (splitmix64)                                                                                    */
/* ---------------------------------------------------------------------------------------------------- */

static uint64_t g_rng;

static uint64_t next_u64(void)
{
    uint64_t z = (g_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static void seed_iteration(uint64_t seed, uint64_t iteration)
{
    g_rng = seed ^ (iteration * 0xD1B54A32D192ED03ull);
    next_u64();
    g_rng ^= next_u64();
}

static int rnd(int n) { return (int)(next_u64() % (uint64_t)n); } /* [0, n) */
static int chance(int percent) { return rnd(100) < percent; }
static double unit(void) { return (double)(next_u64() >> 11) * (1.0 / 9007199254740992.0); } /* [0, 1) */

static const int64_t k_special64[] = {
    0, 1, -1, 2, 3, -2, INT32_MAX - 1, INT32_MAX, (int64_t)INT32_MAX + 1, (int64_t)1 << 32, (int64_t)1 << 40,
    (int64_t)1 << 62, INT64_MAX, INT64_MAX - 1, INT64_MIN, INT64_MIN + 1, INT32_MIN, -((int64_t)1 << 40),
};
#define N_SPECIAL64 ((int)(sizeof k_special64 / sizeof k_special64[0]))

static int64_t special64(void) { return k_special64[rnd(N_SPECIAL64)]; }

/* ---------------------------------------------------------------------------------------------------- */
/* A call                                                                                               */
/* ---------------------------------------------------------------------------------------------------- */

typedef struct call {
    int op;
    int32_t dtype;
    int32_t in_rank, f_rank;
    int64_t in_shape[SHAPE_CAP];
    int64_t f_shape[SHAPE_CAP];
    int in_shape_null, f_shape_null, params_null;
    di_conv_params p;
    int64_t in_count, f_count, out_count;
    int in_null, f_null, out_null;
    /* output shape query only */
    int32_t cap;
    int oshape_null, orank_null;
    /* data: elements [0, in_valid) of the input arena and [0, f_valid) of the filter arena hold valid values */
    int data_dtype;
    int64_t in_valid, f_valid;
    char mutations[160];
} call_t;

/* The model's view of a call: geometry and the reasons it must fail. */
typedef struct model {
    int bad;          /* a definite violation of the shape / params rules */
    int lim;          /* an implementation limit: either outcome is acceptable */
    const char* why;  /* the first definite violation */
    int geometry;     /* 1 when the geometry below is known */
    int nchw;
    int32_t out_rank;
    int64_t out_shape[SHAPE_CAP];
    int64_t batch, h, w, c, kh, kw, cpg, cout, mult, oh, ow, sh, sw, dh, dw, pt, pl;
    i128 in_elems, f_elems, out_elems;
} model_t;

/* ---------------------------------------------------------------------------------------------------- */
/* Statistics and reporting                                                                             */
/* ---------------------------------------------------------------------------------------------------- */

typedef struct shared {
    volatile int64_t iteration;   /* iteration in progress */
    volatile int64_t next;        /* first iteration not finished */
    volatile int64_t passed, failed;
    volatile int64_t reports;
    volatile int64_t calls_query, calls_compute, calls_info;
    volatile int64_t ok_compared, ok_values, nonfinite_compared, failed_as_expected, any_outcome;
    volatile int64_t base_valid, base_with_nan, medium, thread_invariance;
    volatile int64_t sep_calls, sep_base, sep_ok_bitwise, sep_failed_two_step_failed, sep_failed_pointwise_invalid,
        sep_unchecked;
    char current[2048];           /* description of the call in progress */
} shared_t;

static shared_t g_local;
static shared_t* g = &g_local;
static uint64_t g_seed;
static int g_verbose;
static int g_call_failed;         /* the current call's check failed */
static int64_t g_max_reports = 40; /* failure reports printed in detail (--reports N) */

static void fmt_shape(char* out, size_t size, const int64_t* shape, int32_t rank, int null)
{
    if (null) {
        snprintf(out, size, "NULL(rank %d)", (int)rank);
        return;
    }
    if (rank < 0 || rank > SHAPE_CAP) {
        snprintf(out, size, "(rank %d)", (int)rank);
        return;
    }
    size_t used = (size_t)snprintf(out, size, "[");
    int shown = rank > 8 ? 8 : rank;
    for (int i = 0; i < shown && used < size; i++)
        used += (size_t)snprintf(out + used, size - used, i ? ",%" PRId64 : "%" PRId64, shape[i]);
    if (rank > 8 && used < size) used += (size_t)snprintf(out + used, size - used, ",...(rank %d)", (int)rank);
    if (used < size) snprintf(out + used, size - used, "]");
}

static void describe(char* out, size_t size, const char* fn, const call_t* c)
{
    char in[160], f[160];
    fmt_shape(in, sizeof in, c->in_shape, c->in_rank, c->in_shape_null);
    fmt_shape(f, sizeof f, c->f_shape, c->f_rank, c->f_shape_null);
    const di_conv_params* p = &c->p;
    int used = snprintf(out, size, "%s dtype=%d input%s filter%s", fn, (int)c->dtype, in, f);
    if (c->params_null) {
        used += snprintf(out + used, size - (size_t)used, " params=NULL");
    } else {
        used += snprintf(out + used, size - (size_t)used,
                         " params{struct_size=%u format=%d padding=%d reserved=%d strides=[%" PRId64 ",%" PRId64 ",%" PRId64
                         ",%" PRId64 "] dilations=[%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "] pads=[%" PRId64 ",%" PRId64
                         ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "]}",
                         (unsigned)p->struct_size, (int)p->data_format, (int)p->padding, (int)p->reserved, p->strides[0],
                         p->strides[1], p->strides[2], p->strides[3], p->dilations[0], p->dilations[1], p->dilations[2],
                         p->dilations[3], p->explicit_paddings[0], p->explicit_paddings[1], p->explicit_paddings[2],
                         p->explicit_paddings[3], p->explicit_paddings[4], p->explicit_paddings[5], p->explicit_paddings[6],
                         p->explicit_paddings[7]);
    }
    if (used < (int)size && strstr(fn, "output_shape") != NULL) {
        used += snprintf(out + used, size - (size_t)used, " output_shape=%s capacity=%d output_rank=%s",
                         c->oshape_null ? "NULL" : "buf", (int)c->cap, c->orank_null ? "NULL" : "ptr");
    } else if (used < (int)size) {
        used += snprintf(out + used, size - (size_t)used,
                         " input=%s input_count=%" PRId64 " filter=%s filter_count=%" PRId64 " output=%s output_count=%" PRId64,
                         c->in_null ? "NULL" : "buf", c->in_count, c->f_null ? "NULL" : "buf", c->f_count,
                         c->out_null ? "NULL" : "buf", c->out_count);
    }
    if (used < (int)size && c->mutations[0] != '\0') snprintf(out + used, size - (size_t)used, " {%s}", c->mutations);
}

static const char* status_name(int status)
{
    const char* name = di_status_string((di_status)status);
    return name != NULL ? name : "(NULL)";
}

/* Records a failed check of the current call; prints the details for the first g_max_reports. */
static void report(const char* what_format, ...)
{
    if (!g_call_failed) g_call_failed = 1;
    g->reports++;
    if (g->reports > g_max_reports) return;
    va_list args;
    va_start(args, what_format);
    printf("FAIL iteration %" PRId64 ": ", g->iteration);
    vprintf(what_format, args);
    va_end(args);
    if (g->iteration < 0)
        printf("\n    call: %s\n    replay: fuzz_abi %" PRIu64 " 0 --no-fork --verbose (pinned cases)\n", g->current, g_seed);
    else
        printf("\n    call: %s\n    replay: fuzz_abi %" PRIu64 " 1 --only %" PRId64 " --verbose\n", g->current, g_seed,
               g->iteration);
    fflush(stdout);
}

static void finish_call(void)
{
    if (g_call_failed) g->failed++;
    else g->passed++;
    g_call_failed = 0;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Model of the ABI's rules                                                                             */
/* ---------------------------------------------------------------------------------------------------- */

#define BAD(m, reason) do { (m)->bad = 1; if ((m)->why == NULL) (m)->why = (reason); } while (0)

static const i128 k_i64max = (i128)INT64_MAX;

/* Product of a shape; -1 if it has a negative entry; saturated at INT64_MAX + 1 when it does not fit. */
static i128 shape_product(const int64_t* shape, int32_t rank)
{
    int zero = 0, negative = 0;
    for (int32_t i = 0; i < rank; i++) {
        if (shape[i] == 0) zero = 1;
        if (shape[i] < 0) negative = 1;
    }
    if (negative) return -1;
    if (zero) return 0;
    i128 product = 1;
    for (int32_t i = 0; i < rank; i++) {
        product *= shape[i];
        if (product > k_i64max) return k_i64max + 1;
    }
    return product;
}

/* TensorFlow's GetWindowedOutputSizeVerbose (C++ truncating division), in 128 bits. */
static i128 windowed(i128 in, i128 k, i128 dilation, i128 stride, int padding, i128 before, i128 after, i128* pad_before)
{
    i128 effective = (k - 1) * dilation + 1;
    *pad_before = 0;
    if (padding == DI_PADDING_VALID) return (in - effective + stride) / stride;
    if (padding == DI_PADDING_EXPLICIT) {
        *pad_before = before;
        return (in + before + after - effective + stride) / stride;
    }
    i128 out = (in + stride - 1) / stride;
    i128 needed = (out - 1) * stride + effective - in;
    if (needed < 0) needed = 0;
    *pad_before = needed / 2;
    return out;
}

static void model_shapes(const call_t* c, model_t* m)
{
    memset(m, 0, sizeof *m);
    if (c->params_null) {
        BAD(m, "params is NULL");
        return;
    }
    const di_conv_params* p = &c->p;
    if (p->struct_size != (uint32_t)sizeof(di_conv_params)) BAD(m, "struct_size");
    if (p->reserved != 0) BAD(m, "reserved != 0");
    int format_ok = p->data_format == DI_DATA_FORMAT_NHWC || p->data_format == DI_DATA_FORMAT_NCHW;
    int padding_ok = p->padding == DI_PADDING_VALID || p->padding == DI_PADDING_SAME || p->padding == DI_PADDING_EXPLICIT;
    if (!format_ok) BAD(m, "data_format out of range");
    if (!padding_ok) BAD(m, "padding out of range");
    if (!format_ok) return;
    int nchw = p->data_format == DI_DATA_FORMAT_NCHW;
    int ab = 0, ah = nchw ? 2 : 1, aw = nchw ? 3 : 2, ac = nchw ? 1 : 3;
    m->nchw = nchw;
    if (p->strides[ab] != 1 || p->strides[ac] != 1) BAD(m, "stride in batch/depth");
    if (p->dilations[ab] != 1 || p->dilations[ac] != 1) BAD(m, "dilation in batch/depth");
    m->sh = p->strides[ah];
    m->sw = p->strides[aw];
    m->dh = p->dilations[ah];
    m->dw = p->dilations[aw];
    if (m->sh <= 0 || m->sw <= 0) BAD(m, "stride <= 0");
    if (m->sh > k_i32max || m->sw > k_i32max) BAD(m, "stride > 2^31-1");
    if (m->dh <= 0 || m->dw <= 0) BAD(m, "dilation <= 0");
    if (m->dh > k_i32max || m->dw > k_i32max) BAD(m, "dilation > 2^31-1");
    int64_t pb = 0, pr = 0;
    if (padding_ok) {
        const int64_t* e = p->explicit_paddings;
        if (p->padding != DI_PADDING_EXPLICIT) {
            for (int i = 0; i < 8; i++)
                if (e[i] != 0) BAD(m, "explicit_paddings without EXPLICIT");
        } else {
            for (int i = 0; i < 8; i++)
                if (e[i] < 0) BAD(m, "negative explicit padding");
            if (e[2 * ab] || e[2 * ab + 1] || e[2 * ac] || e[2 * ac + 1]) BAD(m, "explicit padding in batch/depth");
            m->pt = e[2 * ah];
            pb = e[2 * ah + 1];
            m->pl = e[2 * aw];
            pr = e[2 * aw + 1];
            /* Not in the header; TensorFlow's attribute is 64-bit. The library caps pads at 2^31 - 1. */
            if (m->pt > k_i32max || pb > k_i32max || m->pl > k_i32max || pr > k_i32max) m->lim = 1;
        }
    }

    /* ranks and shape pointers */
    if (c->in_rank < 0 || c->in_rank > SHAPE_CAP) {
        BAD(m, "input rank out of range");
        return;
    }
    if (c->in_shape_null && c->in_rank > 0) BAD(m, "input_shape NULL");
    if (c->op == OP_CONV2D) {
        if (c->in_rank < 4) BAD(m, "conv2d input rank < 4");
        if (c->in_rank > 32) m->lim = 1; /* TensorFlow takes any rank >= 4; the library stops at 32 (undocumented) */
    } else if (c->in_rank != 4) {
        BAD(m, "depthwise input rank != 4");
    }
    if (c->f_rank != 4) BAD(m, "filter rank != 4");
    if (c->f_shape_null && c->f_rank > 0) BAD(m, "filter_shape NULL");
    if (c->in_shape_null || c->f_shape_null || c->in_rank < 4 || c->f_rank != 4 || !padding_ok) return;

    m->in_elems = shape_product(c->in_shape, c->in_rank);
    m->f_elems = shape_product(c->f_shape, 4);
    if (m->in_elems < 0) BAD(m, "negative input dimension");
    if (m->f_elems < 0) BAD(m, "negative filter dimension");
    if (m->in_elems < 0 || m->f_elems < 0) return;
    if (m->in_elems > k_i64max) BAD(m, "input element count overflows int64");
    if (m->f_elems > k_i64max) BAD(m, "filter element count overflows int64");

    const int64_t* inner = c->in_shape + c->in_rank - 4;
    const int64_t* f = c->f_shape;
    m->h = inner[ah];
    m->w = inner[aw];
    m->c = inner[ac];
    m->kh = f[0];
    m->kw = f[1];
    for (int i = 0; i < 4; i++)
        if (f[i] >= k_i32max) BAD(m, "filter dimension >= 2^31-1");
    if (m->c >= k_i32max) BAD(m, "input depth >= 2^31-1");
    if (c->op == OP_CONV2D) {
        m->cpg = f[2];
        m->cout = f[3];
        if (m->cpg <= 0) {
            BAD(m, "filter depth <= 0");
            return;
        }
        if (m->c % m->cpg != 0) BAD(m, "input depth not a multiple of filter depth");
    } else {
        if (m->c != f[2]) BAD(m, "input depth != filter depth");
        if (m->bad) return;
        m->cpg = 1;
        m->mult = f[3];
        m->cout = m->c * m->mult; /* both < 2^31 - 1 here */
    }
    if (m->h >= k_i32max || m->w >= k_i32max) BAD(m, "input rows/cols >= 2^31-1");
    i128 batch = shape_product(c->in_shape, c->in_rank - 3);
    if (batch >= k_i32max) BAD(m, "batch >= 2^31-1");
    if (m->bad) return;
    m->batch = (int64_t)batch;

    i128 pad_top, pad_left;
    i128 oh = windowed(m->h, m->kh, m->dh, m->sh, p->padding, m->pt, pb, &pad_top);
    i128 ow = windowed(m->w, m->kw, m->dw, m->sw, p->padding, m->pl, pr, &pad_left);
    if (oh < 0 || ow < 0) {
        BAD(m, "negative output size");
        return;
    }
    if (oh > k_i64max || ow > k_i64max) {
        m->lim = 1;
        return;
    }
    m->oh = (int64_t)oh;
    m->ow = (int64_t)ow;
    m->pt = (int64_t)pad_top;
    m->pl = (int64_t)pad_left;
    if (m->batch == 0 || oh == 0 || ow == 0 || m->cout == 0) {
        m->out_elems = 0;
    } else {
        i128 count = (i128)m->batch * oh;
        if (count <= k_i64max) count *= ow;
        if (count <= k_i64max) count *= m->cout;
        m->out_elems = count;
        if (count > k_i64max) BAD(m, "output element count overflows int64");
    }
    if (m->out_elems != 0 && m->in_elems != 0) {
        if (m->f_elems == 0) BAD(m, "empty filter with a non-empty output");
        if (c->op == OP_CONV2D) {
            int64_t groups = m->c / m->cpg;
            if (m->cout % groups != 0 || m->cout < groups) BAD(m, "output depth not a multiple of groups");
        }
    }
    m->out_rank = c->in_rank;
    for (int32_t i = 0; i < c->in_rank - 3; i++) m->out_shape[i] = c->in_shape[i];
    int64_t* o = m->out_shape + c->in_rank - 3;
    if (nchw) {
        o[0] = m->cout;
        o[1] = m->oh;
        o[2] = m->ow;
    } else {
        o[0] = m->oh;
        o[1] = m->ow;
        o[2] = m->cout;
    }
    m->geometry = !m->bad;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Buffers                                                                                              */
/* ---------------------------------------------------------------------------------------------------- */

static unsigned char* g_in_arena;   /* ARENA_ELEMENTS * 8 bytes */
static unsigned char* g_f_arena;
static unsigned char* g_in_copy;
static unsigned char* g_f_copy;
static unsigned char* g_out_arena;  /* OUT_LIMIT * 8 + OUT_GUARD_BYTES */
static int64_t g_oshape[SHAPE_CAP + SHAPE_GUARD];

static int dtype_known(int dtype) { return dtype >= DI_DTYPE_FLOAT32 && dtype <= DI_DTYPE_BFLOAT16; }

static size_t elem_size(int dtype)
{
    return dtype == DI_DTYPE_FLOAT64 ? 8 : dtype == DI_DTYPE_FLOAT16 || dtype == DI_DTYPE_BFLOAT16 ? 2 : 4;
}

static long double load(const unsigned char* arena, int dtype, int64_t index)
{
    if (dtype == DI_DTYPE_FLOAT64) {
        double v;
        memcpy(&v, arena + index * 8, 8);
        return v;
    }
    if (dtype == DI_DTYPE_FLOAT16 || dtype == DI_DTYPE_BFLOAT16) {
        uint16_t bits;
        memcpy(&bits, arena + index * 2, 2);
        return dtype == DI_DTYPE_FLOAT16 ? half_to_float(bits) : bfloat16_to_float(bits);
    }
    float v;
    memcpy(&v, arena + index * 4, 4);
    return v;
}

static void store(unsigned char* arena, int dtype, int64_t index, double value)
{
    if (dtype == DI_DTYPE_FLOAT64) {
        memcpy(arena + index * 8, &value, 8);
    } else if (dtype == DI_DTYPE_FLOAT16 || dtype == DI_DTYPE_BFLOAT16) {
        uint16_t bits = dtype == DI_DTYPE_FLOAT16 ? half_from_double(value) : bfloat16_from_double(value);
        memcpy(arena + index * 2, &bits, 2);
    } else {
        float v = (float)value;
        memcpy(arena + index * 4, &v, 4);
    }
}

static int all_sentinel(const unsigned char* bytes, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (bytes[i] != k_sentinel) return 0;
    return 1;
}

static double random_value(int integers)
{
    if (integers) return (double)(rnd(17) - 8) * 0.25;
    return unit() * 2.0 - 1.0;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Reference convolution                                                                                 */
/* ---------------------------------------------------------------------------------------------------- */

static int64_t act_index(int nchw, int64_t b, int64_t y, int64_t x, int64_t ch, int64_t h, int64_t w, int64_t c)
{
    return nchw ? ((b * c + ch) * h + y) * w + x : ((b * h + y) * w + x) * c + ch;
}

/* One output element and sum |x * w| of its terms (padded taps multiply zero by the weight). */
static long double reference_at(const call_t* call, const model_t* m, int64_t b, int64_t oy, int64_t ox, int64_t o,
                                 long double* magnitude)
{
    long double sum = 0, mag = 0;
    *magnitude = 0;
    if (m->in_elems == 0) return 0; /* only padding to convolve: zeros whatever the filter holds */
    int dt = call->dtype;
    if (call->op == OP_DEPTHWISE) {
        /* out[b,i,j,c*M+m] = sum x[b, i*sh - pt + kh*dh, j*sw - pl + kw*dw, c] * f[kh,kw,c,m] */
        int64_t ch = o / m->mult, mm = o % m->mult;
        for (int64_t ky = 0; ky < m->kh; ky++)
            for (int64_t kx = 0; kx < m->kw; kx++) {
                int64_t iy = oy * m->sh - m->pt + ky * m->dh;
                int64_t ix = ox * m->sw - m->pl + kx * m->dw;
                int inside = iy >= 0 && iy < m->h && ix >= 0 && ix < m->w;
                long double x = inside ? load(g_in_arena, dt, act_index(m->nchw, b, iy, ix, ch, m->h, m->w, m->c)) : 0;
                long double wv = load(g_f_arena, dt, ((ky * m->kw + kx) * m->c + ch) * m->mult + mm);
                long double term = x * wv;
                sum += term;
                mag += fabsl(term);
            }
    } else {
        /* grouped: output channel o of group g = o / (cout / groups) reads input channels g*cpg ... g*cpg+cpg-1 */
        int64_t groups = m->c / m->cpg;
        int64_t group = o / (m->cout / groups);
        for (int64_t ky = 0; ky < m->kh; ky++)
            for (int64_t kx = 0; kx < m->kw; kx++) {
                int64_t iy = oy * m->sh - m->pt + ky * m->dh;
                int64_t ix = ox * m->sw - m->pl + kx * m->dw;
                int inside = iy >= 0 && iy < m->h && ix >= 0 && ix < m->w;
                for (int64_t ci = 0; ci < m->cpg; ci++) {
                    long double x =
                        inside ? load(g_in_arena, dt, act_index(m->nchw, b, iy, ix, group * m->cpg + ci, m->h, m->w, m->c)) : 0;
                    long double wv = load(g_f_arena, dt, ((ky * m->kw + kx) * m->cpg + ci) * m->cout + o);
                    long double term = x * wv;
                    sum += term;
                    mag += fabsl(term);
                }
            }
    }
    *magnitude = mag;
    return sum;
}

/* Compares a successful output with the reference; returns 1 when it matches. */
static int verify_output(const call_t* call, const model_t* m)
{
    /* float32 accumulation error (relative to sum |x*w|) and, for the 16-bit types, their final rounding:
       half an ulp of the result (here one, relative to it) plus the smallest subnormal. */
    const double tolerance = call->dtype == DI_DTYPE_FLOAT64 ? 1e-12 : 1e-5;
    const double rounding = call->dtype == DI_DTYPE_FLOAT16 ? ldexp(1, -10) : call->dtype == DI_DTYPE_BFLOAT16 ? ldexp(1, -7) : 0;
    const double floor_ = call->dtype == DI_DTYPE_FLOAT64 ? 1e-300 : call->dtype == DI_DTYPE_FLOAT16 ? ldexp(1, -24) : 1e-30;
    int64_t nonfinite = 0;
    if (m->out_elems == 0) return 1;
    for (int64_t b = 0; b < m->batch; b++)
        for (int64_t oy = 0; oy < m->oh; oy++)
            for (int64_t ox = 0; ox < m->ow; ox++)
                for (int64_t o = 0; o < m->cout; o++) {
                    long double mag;
                    long double want = reference_at(call, m, b, oy, ox, o, &mag);
                    int64_t index = act_index(m->nchw, b, oy, ox, o, m->oh, m->ow, m->cout);
                    double got = (double)load(g_out_arena, call->dtype, index);
                    /* what the library's dtype can represent of the exact value */
                    double want_d = call->dtype == DI_DTYPE_FLOAT64 ? (double)want
                                    : call->dtype == DI_DTYPE_FLOAT16 ? (double)half_to_float(half_from_double((double)want))
                                    : call->dtype == DI_DTYPE_BFLOAT16 ? (double)bfloat16_to_float(bfloat16_from_double((double)want))
                                    : (double)(float)want;
                    int ok;
                    if (isnan(want)) {
                        ok = isnan(got);
                        nonfinite++;
                    } else if (isinf(want)) {
                        ok = got == (double)want;
                        nonfinite++;
                    } else {
                        ok = isfinite(got) && fabsl((long double)got - want)
                                                  <= (long double)tolerance * mag + (long double)rounding * fabsl(want) + floor_;
                    }
                    if (!ok) {
                        report("output[%" PRId64 "] (b=%" PRId64 " y=%" PRId64 " x=%" PRId64 " ch=%" PRId64
                               ") = %.17g, reference %.17g (sum|x*w| = %.6Lg, tolerance %g)",
                               index, b, oy, ox, o, got, want_d, mag, tolerance);
                        return 0;
                    }
                }
    g->ok_compared++;
    g->ok_values += (int64_t)m->out_elems;
    if (nonfinite) g->nonfinite_compared++;
    return 1;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Calls and their checks                                                                               */
/* ---------------------------------------------------------------------------------------------------- */

static char g_last_message[4096];     /* the message after the last failing call */

static void set_current(const char* fn, const call_t* c)
{
    describe(g->current, sizeof g->current, fn, c);
    if (g_verbose) printf("  call %s\n", g->current);
}

/* Checks the error state after a call that returned status. */
static void check_message(int status)
{
    const char* message = di_last_error_message();
    if (message == NULL) {
        report("di_last_error_message() returned NULL after %s", status_name(status));
        return;
    }
    size_t length = strnlen(message, sizeof g_last_message);
    if (status != DI_STATUS_OK) {
        if (length == 0) report("failed with %s and an empty error message", status_name(status));
        if (length >= sizeof g_last_message) report("error message longer than %zu bytes", sizeof g_last_message - 1);
        memcpy(g_last_message, message, length < sizeof g_last_message ? length : sizeof g_last_message - 1);
        g_last_message[length < sizeof g_last_message ? length : sizeof g_last_message - 1] = '\0';
        if (g_verbose) printf("    -> %s: %s\n", status_name(status), g_last_message);
    } else {
        if (strcmp(message, g_last_message) != 0)
            report("a successful call changed di_last_error_message() from \"%s\" to \"%s\"", g_last_message, message);
        if (g_verbose) printf("    -> DI_STATUS_OK\n");
    }
}

/* Checks status against the prediction; returns 1 when the call may be verified as a success. */
static int check_status(int status, int verdict, int allow_dtype, int allow_argument, int allow_any_failure, const char* why)
{
    if (status == DI_STATUS_INTERNAL) {
        report("returned DI_STATUS_INTERNAL: \"%s\"", di_last_error_message());
        return 0;
    }
    if (status < 0 || status > DI_STATUS_INTERNAL) {
        report("returned status %d, not a di_status value", status);
        return 0;
    }
    if (verdict == V_OK && status != DI_STATUS_OK) {
        report("valid call failed with %s: \"%s\"", status_name(status), di_last_error_message());
        return 0;
    }
    if (verdict == V_FAIL) {
        if (status == DI_STATUS_OK) {
            report("invalid call (%s) returned DI_STATUS_OK", why != NULL ? why : "?");
            return 0;
        }
        int allowed = allow_any_failure || (allow_argument && status == DI_STATUS_INVALID_ARGUMENT)
                   || (allow_dtype && status == DI_STATUS_INVALID_DTYPE);
        if (!allowed)
            report("invalid call (%s) returned %s (\"%s\"), expected %s", why != NULL ? why : "?", status_name(status),
                   di_last_error_message(),
                   allow_argument && allow_dtype ? "DI_STATUS_INVALID_ARGUMENT or DI_STATUS_INVALID_DTYPE"
                   : allow_dtype               ? "DI_STATUS_INVALID_DTYPE"
                                               : "DI_STATUS_INVALID_ARGUMENT");
        g->failed_as_expected++;
        return 0;
    }
    if (verdict == V_ANY) g->any_outcome++;
    return status == DI_STATUS_OK;
}

/* The output shape query; returns its status and, on success, the shape in shape_out / rank_out. */
static int do_query(const call_t* c, int64_t* shape_out, int32_t* rank_out)
{
    model_t m;
    model_shapes(c, &m);
    int verdict = V_OK;
    const char* why = m.why;
    if (m.bad) verdict = V_FAIL;
    else if (c->orank_null) verdict = V_FAIL, why = "output_rank NULL";
    else if (!m.geometry && m.lim) verdict = V_ANY;
    else if (c->oshape_null || c->cap < m.out_rank) verdict = V_FAIL, why = "output_shape capacity too small";
    else if (m.lim) verdict = V_ANY;

    const char* fn = c->op == OP_CONV2D ? "di_conv2d_output_shape" : "di_depthwise_conv2d_output_shape";
    set_current(fn, c);
    memset(g_oshape, k_sentinel, sizeof g_oshape);
    int32_t rank = (int32_t)0xA5A5A5A5;
    call_t before = *c;
    g->calls_query++;
    int status;
    if (c->op == OP_CONV2D)
        status = (int)di_conv2d_output_shape(c->in_shape_null ? NULL : c->in_shape, c->in_rank, c->f_shape_null ? NULL : c->f_shape,
                                             c->f_rank, c->params_null ? NULL : &c->p, c->oshape_null ? NULL : g_oshape, c->cap,
                                             c->orank_null ? NULL : &rank);
    else
        status = (int)di_depthwise_conv2d_output_shape(c->in_shape_null ? NULL : c->in_shape, c->in_rank,
                                                       c->f_shape_null ? NULL : c->f_shape, c->f_rank, c->params_null ? NULL : &c->p,
                                                       c->oshape_null ? NULL : g_oshape, c->cap, c->orank_null ? NULL : &rank);
    check_message(status);
    if (memcmp(&before, c, sizeof before) != 0) report("the call modified its shapes or params");
    int ok = check_status(status, verdict, 0, 1, 0, why);
    if (status != DI_STATUS_OK) {
        if (!all_sentinel((const unsigned char*)g_oshape, sizeof g_oshape)) report("failed call wrote output_shape");
        if (rank != (int32_t)0xA5A5A5A5) report("failed call wrote *output_rank (%d)", (int)rank);
    } else {
        int32_t expected_rank = m.geometry ? m.out_rank : -1;
        if (rank < 0 || rank > SHAPE_CAP) {
            report("output_rank is %d", (int)rank);
        } else {
            if (!all_sentinel((const unsigned char*)(g_oshape + rank), sizeof g_oshape - (size_t)rank * 8))
                report("output_shape written beyond output_rank %d (capacity %d)", (int)rank, (int)c->cap);
            if (ok && m.geometry) {
                int same = rank == expected_rank;
                for (int32_t i = 0; same && i < rank; i++) same = g_oshape[i] == m.out_shape[i];
                if (!same) {
                    char got[200], want[200];
                    fmt_shape(got, sizeof got, g_oshape, rank, 0);
                    fmt_shape(want, sizeof want, m.out_shape, m.out_rank, 0);
                    report("output shape %s, expected %s", got, want);
                }
            }
            if (shape_out != NULL) memcpy(shape_out, g_oshape, (size_t)rank * 8);
        }
        if (rank_out != NULL) *rank_out = rank;
    }
    finish_call();
    return status;
}

/* The computation; returns its status. */
static int do_compute(const call_t* c)
{
    model_t m;
    model_shapes(c, &m);
    int argument_bad = m.bad;
    const char* why = m.why;
    if (m.geometry) {
        if ((i128)c->in_count != m.in_elems) argument_bad = 1, why = why ? why : "input_count disagrees with the shape";
        if ((i128)c->f_count != m.f_elems) argument_bad = 1, why = why ? why : "filter_count disagrees with the shape";
        if ((i128)c->out_count != m.out_elems) argument_bad = 1, why = why ? why : "output_count disagrees with the output";
    }
    if (c->in_null && c->in_count != 0) argument_bad = 1, why = why ? why : "input NULL with a count";
    if (c->f_null && c->f_count != 0) argument_bad = 1, why = why ? why : "filter NULL with a count";
    if (c->out_null && c->out_count != 0) argument_bad = 1, why = why ? why : "output NULL with a count";
    int dtype_bad = !dtype_known(c->dtype);
    int verdict = V_OK;
    if (argument_bad || dtype_bad) verdict = V_FAIL;
    else if (m.lim || !m.geometry) verdict = V_ANY;
    if (!argument_bad && dtype_bad) why = "unknown dtype";

    /* output buffer: out_count elements when that is in [0, OUT_LIMIT], then a guard */
    size_t es = dtype_bad ? 8 : elem_size(c->dtype);
    size_t out_bytes = c->out_count >= 0 && c->out_count <= OUT_LIMIT ? (size_t)c->out_count * es : 0;
    memset(g_out_arena, k_sentinel, out_bytes + OUT_GUARD_BYTES);

    size_t in_bytes = (size_t)c->in_valid * elem_size(c->data_dtype), f_bytes = (size_t)c->f_valid * elem_size(c->data_dtype);
    memcpy(g_in_copy, g_in_arena, in_bytes);
    memcpy(g_f_copy, g_f_arena, f_bytes);
    call_t before = *c;

    const char* fn = c->op == OP_CONV2D ? "di_conv2d" : "di_depthwise_conv2d";
    set_current(fn, c);
    g->calls_compute++;
    int status;
    if (c->op == OP_CONV2D)
        status = (int)di_conv2d((di_dtype)c->dtype, c->in_null ? NULL : g_in_arena, c->in_count, c->in_shape_null ? NULL : c->in_shape,
                                c->in_rank, c->f_null ? NULL : g_f_arena, c->f_count, c->f_shape_null ? NULL : c->f_shape, c->f_rank,
                                c->params_null ? NULL : &c->p, c->out_null ? NULL : g_out_arena, c->out_count);
    else
        status = (int)di_depthwise_conv2d((di_dtype)c->dtype, c->in_null ? NULL : g_in_arena, c->in_count,
                                          c->in_shape_null ? NULL : c->in_shape, c->in_rank, c->f_null ? NULL : g_f_arena, c->f_count,
                                          c->f_shape_null ? NULL : c->f_shape, c->f_rank, c->params_null ? NULL : &c->p,
                                          c->out_null ? NULL : g_out_arena, c->out_count);
    check_message(status);
    if (memcmp(&before, c, sizeof before) != 0) report("the call modified its shapes or params");
    if (memcmp(g_in_copy, g_in_arena, in_bytes) != 0) report("the call modified the input buffer");
    if (memcmp(g_f_copy, g_f_arena, f_bytes) != 0) report("the call modified the filter buffer");
    /* an unknown dtype at an implementation limit: the limit may be reported first */
    int ok = check_status(status, verdict, dtype_bad, argument_bad, !argument_bad && dtype_bad && (m.lim || !m.geometry), why);
    if (status != DI_STATUS_OK) {
        if (!all_sentinel(g_out_arena, out_bytes + OUT_GUARD_BYTES))
            report("failed call (%s) wrote the output buffer or its guard", status_name(status));
    } else {
        if (!all_sentinel(g_out_arena + out_bytes, OUT_GUARD_BYTES))
            report("successful call wrote past output_count %" PRId64 " (guard region)", c->out_count);
        if (ok && m.geometry && !dtype_bad && (i128)c->out_count == m.out_elems && c->in_count <= c->in_valid
            && c->f_count <= c->f_valid)
            verify_output(c, &m);
    }
    finish_call();
    return status;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Info functions                                                                                       */
/* ---------------------------------------------------------------------------------------------------- */

/* Rank of a vector tier name, -1 if it is not one. */
static int isa_rank(const char* name)
{
    static const char* const names[] = {"scalar", "sse2", "avx2", "avx512"};
    if (name == NULL) return -1;
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) return i;
    return -1;
}

static const char* g_isa;       /* the first di_cpu_isa() of this process */
static char g_isa_copy[32];
static int g_isa_cap = -1;      /* rank of DEPTHWISE_INTEROP_MAX_ISA, -1 if unset or unknown */
static int32_t g_default_threads;
static int32_t g_threads;       /* the current setting, as di_get_num_threads() reports it */
static int32_t g_setting;       /* the raw value of the iteration's di_set_num_threads */

static void init_settings(void)
{
    g_isa = di_cpu_isa();
    snprintf(g_isa_copy, sizeof g_isa_copy, "%s", g_isa ? g_isa : "");
    g_isa_cap = isa_rank(getenv("DEPTHWISE_INTEROP_MAX_ISA"));
    di_set_num_threads(0);
    g_default_threads = di_get_num_threads();
    g_threads = g_default_threads;
    printf("fuzz_abi: di_cpu_isa() \"%s\", default thread count %d\n", g_isa_copy, (int)g_default_threads);
}

/* di_set_num_threads(threads), and di_get_num_threads() after it. */
static void set_threads(int32_t threads)
{
    snprintf(g->current, sizeof g->current, "di_set_num_threads(%d); di_get_num_threads()", (int)threads);
    g->calls_info += 2;
    int status = (int)di_set_num_threads(threads);
    check_message(status);
    int32_t now = di_get_num_threads();
    if (status != DI_STATUS_OK) report("di_set_num_threads(%d) returned %s", (int)threads, status_name(status));
    else if (now < 1) report("di_get_num_threads() is %d after di_set_num_threads(%d)", (int)now, (int)threads);
    else if (threads <= 0 && now != g_default_threads)
        report("di_get_num_threads() is %d after di_set_num_threads(%d), the default is %d", (int)now, (int)threads,
               (int)g_default_threads);
    else if (threads >= 1 && threads <= 64 && now != threads)
        report("di_get_num_threads() is %d after di_set_num_threads(%d)", (int)now, (int)threads);
    g_threads = now;
    finish_call();
}

static void fuzz_info(void)
{
    static const char* const names[] = {"DI_STATUS_OK", "DI_STATUS_INVALID_ARGUMENT", "DI_STATUS_UNIMPLEMENTED",
                                        "DI_STATUS_INVALID_DTYPE", "DI_STATUS_OUT_OF_MEMORY", "DI_STATUS_INTERNAL"};
    g->calls_info += 4;
    snprintf(g->current, sizeof g->current, "di_abi_version / di_version_string");
    if (di_abi_version() != DI_ABI_VERSION) report("di_abi_version() is %u", (unsigned)di_abi_version());
    const char* version = di_version_string();
    if (version == NULL || version[0] == '\0') report("di_version_string() is NULL or empty");
    finish_call();

    static const int statuses[] = {0, 1, 2, 3, 4, 5, 6, -1, 1000, INT32_MIN, INT32_MAX};
    int status = chance(50) ? statuses[rnd((int)(sizeof statuses / sizeof statuses[0]))] : (int)next_u64();
    snprintf(g->current, sizeof g->current, "di_status_string(%d)", status);
    const char* name = di_status_string((di_status)status);
    if (name == NULL || name[0] == '\0') report("di_status_string(%d) is NULL or empty", status);
    else if (status >= 0 && status <= 5 && strcmp(name, names[status]) != 0)
        report("di_status_string(%d) is \"%s\", expected \"%s\"", status, name, names[status]);
    finish_call();

    /* the vector tier: a known name, stable, within DEPTHWISE_INTEROP_MAX_ISA */
    snprintf(g->current, sizeof g->current, "di_cpu_isa()");
    g->calls_info++;
    const char* isa = di_cpu_isa();
    int rank = isa_rank(isa);
    if (rank < 0) report("di_cpu_isa() is %s%s%s", isa ? "\"" : "", isa ? isa : "NULL", isa ? "\"" : "");
    else if (g_isa != NULL && (isa != g_isa || strcmp(isa, g_isa_copy) != 0)) report("di_cpu_isa() changed from \"%s\" to \"%s\"", g_isa_copy, isa);
    else if (g_isa_cap >= 0 && rank > g_isa_cap) report("di_cpu_isa() is \"%s\", above the cap DEPTHWISE_INTEROP_MAX_ISA=%s", isa, getenv("DEPTHWISE_INTEROP_MAX_ISA"));
    finish_call();

    /* the thread setting of this iteration (results must not depend on it) */
    static const int32_t settings[] = {1, 1, 2, 2, 3, 4, 0, -1, INT32_MIN, 8, 64, 1000};
    g_setting = chance(1) ? INT32_MAX : settings[rnd((int)(sizeof settings / sizeof settings[0]))];
    set_threads(g_setting);

    if (chance(10)) {
        snprintf(g->current, sizeof g->current, "di_conv_params_init(NULL)");
        int s = (int)di_conv_params_init(NULL);
        check_message(s);
        if (s != DI_STATUS_INVALID_ARGUMENT) report("di_conv_params_init(NULL) returned %s", status_name(s));
    } else {
        di_conv_params p;
        memset(&p, rnd(256), sizeof p);
        snprintf(g->current, sizeof g->current, "di_conv_params_init(garbage-filled struct)");
        int s = (int)di_conv_params_init(&p);
        check_message(s);
        int ok = s == DI_STATUS_OK && p.struct_size == (uint32_t)sizeof p && p.data_format == 0 && p.padding == 0 && p.reserved == 0;
        for (int i = 0; i < 4; i++) ok = ok && p.strides[i] == 1 && p.dilations[i] == 1;
        for (int i = 0; i < 8; i++) ok = ok && p.explicit_paddings[i] == 0;
        if (!ok) report("di_conv_params_init did not give the defaults (status %s)", status_name(s));
    }
    finish_call();
}

/* ---------------------------------------------------------------------------------------------------- */
/* Case generation                                                                                      */
/* ---------------------------------------------------------------------------------------------------- */

static void add_mutation(call_t* c, const char* format, ...)
{
    size_t used = strlen(c->mutations);
    if (used + 2 >= sizeof c->mutations) return;
    if (used) c->mutations[used++] = ' ', c->mutations[used] = '\0';
    va_list args;
    va_start(args, format);
    vsnprintf(c->mutations + used, sizeof c->mutations - used, format, args);
    va_end(args);
}

static int64_t small_dim(int zero_percent, int max)
{
    return chance(zero_percent) ? 0 : 1 + rnd(max);
}

/* A valid small case; data written to the arenas. Returns 0 if the drawn geometry is invalid. */
static int make_base(call_t* c)
{
    memset(c, 0, sizeof *c);
    c->op = rnd(2);
    c->dtype = 1 + rnd(4);
    di_conv_params_init(&c->p);
    int nchw = chance(40);
    c->p.data_format = nchw;
    c->p.padding = rnd(3);
    int ah = nchw ? 2 : 1, aw = nchw ? 3 : 2, ac = nchw ? 1 : 3;
    int64_t n = small_dim(3, 3), h = small_dim(3, 9), w = small_dim(3, 9), ch = small_dim(2, 6);
    int64_t kh = 1 + rnd(4), kw = 1 + rnd(4);
    int64_t multiplier = small_dim(2, 3);
    if (c->op == OP_DEPTHWISE && chance(30)) ch = 1 + rnd(20); /* every SIMD width, with remainders */
    if (chance(3)) {
        /* medium: enough multiply-adds (2^18) for the kernels to use the worker threads */
        g->medium++;
        n = 1 + rnd(2);
        h = 8 + rnd(c->op == OP_DEPTHWISE ? 25 : 9);
        w = 8 + rnd(c->op == OP_DEPTHWISE ? 25 : 9);
        ch = c->op == OP_DEPTHWISE ? 4 + rnd(29) : 1 + rnd(8);
        multiplier = 1 + rnd(2);
        kh = 2 + rnd(3);
        kw = 2 + rnd(3);
    }
    int extra = 0;
    if (c->op == OP_CONV2D && chance(15)) extra = 1 + rnd(2);
    c->in_rank = 4 + extra;
    for (int i = 0; i < extra; i++) c->in_shape[i] = chance(3) ? 0 : 1 + rnd(2);
    int64_t* inner = c->in_shape + extra;
    inner[0] = n;
    inner[ah] = h;
    inner[aw] = w;
    inner[ac] = ch;
    c->f_rank = 4;
    c->f_shape[0] = kh;
    c->f_shape[1] = kw;
    if (c->op == OP_CONV2D) {
        int64_t depth;
        if (ch == 0) {
            depth = 1 + rnd(3);
        } else {
            int64_t divisors[64];
            int count = 0;
            for (int64_t d = 1; d <= ch; d++)
                if (ch % d == 0) divisors[count++] = d;
            depth = chance(50) ? ch : divisors[rnd(count)];
        }
        int64_t groups = ch / depth;
        c->f_shape[2] = depth;
        c->f_shape[3] = chance(2) ? 0 : (groups ? groups : 1) * (1 + rnd(3));
    } else {
        c->f_shape[2] = ch;
        c->f_shape[3] = multiplier;
    }
    c->p.strides[ah] = 1 + rnd(3);
    c->p.strides[aw] = 1 + rnd(3);
    if (chance(50)) {
        c->p.dilations[ah] = 1 + rnd(3);
        c->p.dilations[aw] = 1 + rnd(3);
    }
    if (c->p.padding == DI_PADDING_EXPLICIT) {
        c->p.explicit_paddings[2 * ah] = rnd(4);
        c->p.explicit_paddings[2 * ah + 1] = rnd(4);
        c->p.explicit_paddings[2 * aw] = rnd(4);
        c->p.explicit_paddings[2 * aw + 1] = rnd(4);
    }

    model_t m;
    model_shapes(c, &m);
    if (!m.geometry || m.lim || m.out_elems > OUT_LIMIT) return 0;
    c->in_count = (int64_t)m.in_elems;
    c->f_count = (int64_t)m.f_elems;
    c->out_count = (int64_t)m.out_elems;
    c->cap = SHAPE_CAP;
    c->data_dtype = c->dtype;
    c->in_valid = c->in_count + SLACK;
    c->f_valid = c->f_count + SLACK;

    int integers = chance(40);
    for (int64_t i = 0; i < c->in_valid; i++) store(g_in_arena, c->dtype, i, random_value(integers));
    for (int64_t i = 0; i < c->f_valid; i++) store(g_f_arena, c->dtype, i, random_value(integers));
    if (chance(6)) {
        static const double specials[3] = {NAN, INFINITY, -INFINITY};
        int count = 1 + rnd(3);
        for (int i = 0; i < count; i++) {
            int into_filter = chance(50);
            int64_t size = into_filter ? c->f_count : c->in_count;
            if (size > 0)
                store(into_filter ? g_f_arena : g_in_arena, c->dtype, next_u64() % (uint64_t)size, specials[rnd(3)]);
        }
        g->base_with_nan++;
    }
    return 1;
}

/* Sets input / filter counts to the shapes' element counts where the arenas hold that many valid elements,
 * and the output count to the model's when it is small. */
static void make_honest(call_t* c)
{
    if (!c->in_shape_null && c->in_rank >= 0 && c->in_rank <= SHAPE_CAP) {
        i128 n = shape_product(c->in_shape, c->in_rank);
        if (n >= 0 && n <= c->in_valid) c->in_count = (int64_t)n;
    }
    if (!c->f_shape_null && c->f_rank >= 0 && c->f_rank <= SHAPE_CAP) {
        i128 n = shape_product(c->f_shape, c->f_rank);
        if (n >= 0 && n <= c->f_valid) c->f_count = (int64_t)n;
    }
    model_t m;
    model_shapes(c, &m);
    if (m.geometry && m.out_elems <= OUT_LIMIT) c->out_count = (int64_t)m.out_elems;
}

/* Keeps every count either honest (the buffer holds it) or different from its shape's element count. */
static void sanitize(call_t* c)
{
    if (!c->in_shape_null && c->in_rank >= 0 && c->in_rank <= SHAPE_CAP && c->in_count > c->in_valid
        && (i128)c->in_count == shape_product(c->in_shape, c->in_rank))
        c->in_count ^= 1;
    if (!c->f_shape_null && c->f_rank >= 0 && c->f_rank <= SHAPE_CAP && c->f_count > c->f_valid
        && (i128)c->f_count == shape_product(c->f_shape, c->f_rank))
        c->f_count ^= 1;
    model_t m;
    model_shapes(c, &m);
    if (m.geometry && (c->out_count < 0 || c->out_count > OUT_LIMIT) && (i128)c->out_count == m.out_elems) c->out_count ^= 1;
}

static int32_t pick_rank(void)
{
    static const int32_t ranks[] = {0, 1, 2, 3, 5, 6, 7, 32, 33, 64, -1, INT32_MIN, INT32_MAX, 1 << 20, 65};
    return chance(20) ? 4 + rnd(29) : ranks[rnd((int)(sizeof ranks / sizeof ranks[0]))];
}

static void change_rank(int64_t* shape, int32_t* rank, int32_t new_rank, int fill_ones)
{
    int32_t old = *rank;
    if (new_rank >= 0 && new_rank <= SHAPE_CAP && old >= 0 && old <= SHAPE_CAP) {
        int64_t copy[SHAPE_CAP];
        memcpy(copy, shape, sizeof copy);
        for (int32_t i = 0; i < new_rank; i++) {
            int32_t from = old - new_rank + i; /* keep the trailing dimensions */
            shape[i] = from >= 0 ? copy[from] : (fill_ones ? 1 : (int64_t)rnd(3));
        }
    }
    *rank = new_rank;
}

static void mutate(call_t* c, int query)
{
    int ah = c->p.data_format == 1 ? 2 : 1, aw = c->p.data_format == 1 ? 3 : 2;
    switch (rnd(query ? 24 : 22)) {
    case 0: {
        int32_t r = pick_rank();
        change_rank(c->in_shape, &c->in_rank, r, chance(70));
        add_mutation(c, "input_rank=%d", (int)r);
        break;
    }
    case 1: {
        int32_t r = pick_rank();
        change_rank(c->f_shape, &c->f_rank, r, chance(70));
        add_mutation(c, "filter_rank=%d", (int)r);
        break;
    }
    case 2:
    case 3: {
        int filter = chance(40);
        int32_t rank = filter ? c->f_rank : c->in_rank;
        if (rank <= 0 || rank > SHAPE_CAP) break;
        int i = rnd(rank);
        int64_t v = chance(60) ? special64() : (int64_t)rnd(6);
        (filter ? c->f_shape : c->in_shape)[i] = v;
        add_mutation(c, "%s_shape[%d]=%" PRId64, filter ? "filter" : "input", i, v);
        break;
    }
    case 4:
        if (chance(50)) c->in_shape_null = 1, add_mutation(c, "input_shape=NULL");
        else c->f_shape_null = 1, add_mutation(c, "filter_shape=NULL");
        break;
    case 5:
        c->params_null = 1;
        add_mutation(c, "params=NULL");
        break;
    case 6: {
        static const uint32_t sizes[] = {0, 4, sizeof(di_conv_params) - 8, sizeof(di_conv_params) - 1, sizeof(di_conv_params) + 8,
                                         UINT32_MAX};
        c->p.struct_size = sizes[rnd(6)];
        add_mutation(c, "struct_size=%u", (unsigned)c->p.struct_size);
        break;
    }
    case 7: {
        static const int32_t values[] = {1, -1, 2, INT32_MIN, INT32_MAX};
        c->p.reserved = values[rnd(5)];
        add_mutation(c, "reserved=%d", (int)c->p.reserved);
        break;
    }
    case 8: {
        static const int32_t values[] = {-1, 2, 3, 100, INT32_MIN, INT32_MAX};
        c->p.data_format = chance(40) ? 1 - c->p.data_format : values[rnd(6)];
        add_mutation(c, "data_format=%d", (int)c->p.data_format);
        break;
    }
    case 9: {
        static const int32_t values[] = {-1, 3, 4, 99, INT32_MIN, INT32_MAX};
        c->p.padding = chance(40) ? (c->p.padding + 1 + rnd(2)) % 3 : values[rnd(6)];
        add_mutation(c, "padding=%d", (int)c->p.padding);
        break;
    }
    case 10:
    case 11: {
        int dilation = chance(50);
        int i = chance(50) ? (chance(50) ? ah : aw) : rnd(4);
        int64_t v = chance(60) ? special64() : 1 + rnd(4);
        (dilation ? c->p.dilations : c->p.strides)[i] = v;
        add_mutation(c, "%s[%d]=%" PRId64, dilation ? "dilations" : "strides", i, v);
        break;
    }
    case 12:
    case 13: {
        if (chance(50)) c->p.padding = DI_PADDING_EXPLICIT;
        int i = chance(60) ? 2 * (chance(50) ? ah : aw) + rnd(2) : rnd(8);
        int64_t v = chance(50) ? special64() : rnd(5);
        c->p.explicit_paddings[i] = v;
        add_mutation(c, "padding=%d explicit_paddings[%d]=%" PRId64, (int)c->p.padding, i, v);
        break;
    }
    case 14: {
        static const int32_t values[] = {0, 5, 99, -1, INT32_MIN, INT32_MAX};
        c->dtype = values[rnd(6)];
        add_mutation(c, "dtype=%d", (int)c->dtype);
        break;
    }
    case 15:
        switch (rnd(3)) {
        case 0: c->in_null = 1; add_mutation(c, "input=NULL"); break;
        case 1: c->f_null = 1; add_mutation(c, "filter=NULL"); break;
        default: c->out_null = 1; add_mutation(c, "output=NULL"); break;
        }
        break;
    case 16:
    case 17:
    case 18: {
        int which = rnd(3);
        int64_t* count = which == 0 ? &c->in_count : which == 1 ? &c->f_count : &c->out_count;
        switch (rnd(4)) {
        case 0: *count += 1; break;
        case 1: *count -= 1; break;
        case 2: *count = 0; break;
        default: *count = special64(); break;
        }
        add_mutation(c, "%s_count=%" PRId64, which == 0 ? "input" : which == 1 ? "filter" : "output", *count);
        break;
    }
    case 19:
    case 20:
    case 21:
        /* a spatial change that keeps the call valid-looking: big strides / dilations / pads */
        switch (rnd(3)) {
        case 0:
            c->p.strides[chance(50) ? ah : aw] = chance(50) ? INT32_MAX : 2 + rnd(8);
            add_mutation(c, "big stride");
            break;
        case 1:
            c->p.dilations[chance(50) ? ah : aw] = chance(30) ? INT32_MAX : 2 + rnd(8);
            add_mutation(c, "big dilation");
            break;
        default:
            if (c->p.padding != DI_PADDING_EXPLICIT) memset(c->p.explicit_paddings, 0, sizeof c->p.explicit_paddings);
            c->p.padding = DI_PADDING_EXPLICIT;
            c->p.explicit_paddings[2 * (chance(50) ? ah : aw) + rnd(2)] = chance(20) ? INT32_MAX : rnd(12);
            add_mutation(c, "explicit pad");
            break;
        }
        break;
    case 22: {
        int32_t caps[] = {0, -1, INT32_MIN, c->in_rank - 1, c->in_rank, 3, INT32_MAX};
        c->cap = caps[rnd(7)];
        add_mutation(c, "capacity=%d", (int)c->cap);
        break;
    }
    default:
        if (chance(50)) c->orank_null = 1, add_mutation(c, "output_rank=NULL");
        else c->oshape_null = 1, add_mutation(c, "output_shape=NULL");
        break;
    }
}

/* The consistency of the output shape query and the computation for one call's shapes and params. */
static void check_agreement(const call_t* call, int compute_status)
{
    call_t q = *call;
    q.cap = SHAPE_CAP;
    q.oshape_null = q.orank_null = 0;
    add_mutation(&q, "(query for the computation above)");
    int64_t shape[SHAPE_CAP];
    int32_t rank = -1;
    int qs = do_query(&q, shape, &rank);
    if (qs != DI_STATUS_OK) {
        if (compute_status == DI_STATUS_OK) {
            snprintf(g->current, sizeof g->current, "agreement of query and computation");
            report("the computation succeeded but its output shape query failed: \"%s\"", g_last_message);
            finish_call();
        }
        return;
    }
    if (rank < 0 || rank > SHAPE_CAP) return;
    i128 count = shape_product(shape, rank);
    if (compute_status == DI_STATUS_OK && count != (i128)call->out_count) {
        snprintf(g->current, sizeof g->current, "agreement of query and computation");
        report("the computation accepted output_count %" PRId64 " but the output shape query gives %" PRId64 " elements",
               call->out_count, (int64_t)count);
        finish_call();
    }
    /* the computation with the queried count (and honest buffers, a valid dtype) must succeed; +1 must fail */
    if (count < 0 || count > OUT_LIMIT) return;
    call_t c = *call;
    c.in_null = c.f_null = c.out_null = 0;
    if (!dtype_known(c.dtype)) c.dtype = c.data_dtype;
    if (c.dtype != c.data_dtype) return;
    make_honest(&c);
    if (c.in_shape_null || c.f_shape_null || (i128)c.in_count != shape_product(c.in_shape, c.in_rank)
        || (i128)c.f_count != shape_product(c.f_shape, c.f_rank))
        return;
    c.out_count = (int64_t)count;
    c.mutations[0] = '\0';
    add_mutation(&c, "agreement: output_count from the query");
    int s = do_compute(&c);
    if (s != DI_STATUS_OK) {
        snprintf(g->current, sizeof g->current, "agreement of query and computation");
        report("output shape query succeeded, but the computation with its %" PRId64 " elements failed: %s \"%s\"",
               (int64_t)count, status_name(s), g_last_message);
        finish_call();
    }
    c.out_count = (int64_t)count + 1;
    c.mutations[0] = '\0';
    add_mutation(&c, "agreement: output_count from the query + 1");
    s = do_compute(&c);
    if (s == DI_STATUS_OK) {
        snprintf(g->current, sizeof g->current, "agreement of query and computation");
        report("the computation accepted output_count %" PRId64 ", one more than its output shape query", (int64_t)count + 1);
        finish_call();
    }
}

static unsigned char* g_saved_output; /* OUT_LIMIT * 8 bytes */

/* Computes a successful call again with another thread count: the output must be bitwise the same. */
static void check_thread_invariance(const call_t* c)
{
    size_t bytes = (size_t)c->out_count * elem_size(c->dtype);
    memcpy(g_saved_output, g_out_arena, bytes);
    int32_t before = g_threads;
    static const int32_t others[] = {1, 2, 3, 4, 7};
    int32_t other = others[rnd(5)];
    if (other == before) other = before == 1 ? 2 : 1;
    set_threads(other);
    call_t again = *c;
    add_mutation(&again, "(again with %d threads, was %d)", (int)other, (int)before);
    if (do_compute(&again) == DI_STATUS_OK && memcmp(g_saved_output, g_out_arena, bytes) != 0) {
        size_t at = 0;
        while (at < bytes && g_saved_output[at] == g_out_arena[at]) at++;
        report("the output with %d threads differs from the output with %d threads (first at element %zu)", (int)other,
               (int)before, at / elem_size(c->dtype));
        finish_call();
    }
    g->thread_invariance++;
    set_threads(g_setting);
}

/* ---------------------------------------------------------------------------------------------------- */
/* Separable conv2d: di_separable_conv2d_output_shape and di_separable_conv2d                          */
/* ---------------------------------------------------------------------------------------------------- */

/* A separable call: the depthwise part (input, depthwise filter, params, output / output_count, the output
 * shape query's capacity / NULLs) is a call_t of op OP_DEPTHWISE whose out_count / out_null are the separable
 * call's; the pointwise filter lives in g_pw_arena. */
typedef struct sep_call {
    call_t d;
    int32_t pw_rank;
    int64_t pw_shape[SHAPE_CAP];
    int pw_shape_null, pw_null;
    int64_t pw_count, pw_valid;
} sep_call_t;

static unsigned char* g_pw_arena;   /* ARENA_ELEMENTS * 8 bytes */
static unsigned char* g_pw_copy;
static unsigned char* g_mid;        /* the two-step path's intermediate, OUT_LIMIT * 8 bytes */
static unsigned char* g_out2;       /* the two-step path's output, OUT_LIMIT * 8 + OUT_GUARD_BYTES */

static void sep_describe(const char* fn, const sep_call_t* s)
{
    describe(g->current, sizeof g->current, fn, &s->d);
    size_t used = strlen(g->current);
    char pw[160];
    fmt_shape(pw, sizeof pw, s->pw_shape, s->pw_rank, s->pw_shape_null);
    if (used < sizeof g->current)
        snprintf(g->current + used, sizeof g->current - used, " pointwise%s pointwise=%s pointwise_count=%" PRId64, pw,
                 s->pw_null ? "NULL" : "buf", s->pw_count);
    if (g_verbose) printf("  call %s\n", g->current);
}

/* A pointwise filter that TensorFlow's separable_conv2d rejects before any conv: rank != 4 or dims 0, 1 != 1. */
static int pw_invalid(const sep_call_t* s)
{
    return s->pw_rank != 4 || s->pw_shape_null || s->pw_shape[0] != 1 || s->pw_shape[1] != 1;
}

/* The output shape query; returns its status and, on success, the shape. */
static int sep_query(const sep_call_t* s, int64_t* shape_out, int32_t* rank_out)
{
    const call_t* c = &s->d;
    sep_describe("di_separable_conv2d_output_shape", s);
    memset(g_oshape, k_sentinel, sizeof g_oshape);
    int32_t rank = (int32_t)0xA5A5A5A5;
    sep_call_t before = *s;
    g->calls_query++;
    g->sep_calls++;
    int status = (int)di_separable_conv2d_output_shape(
        c->in_shape_null ? NULL : c->in_shape, c->in_rank, c->f_shape_null ? NULL : c->f_shape, c->f_rank,
        s->pw_shape_null ? NULL : s->pw_shape, s->pw_rank, c->params_null ? NULL : &c->p, c->oshape_null ? NULL : g_oshape,
        c->cap, c->orank_null ? NULL : &rank);
    check_message(status);
    if (memcmp(&before, s, sizeof before) != 0) report("the call modified its shapes or params");
    int verdict = V_ANY;
    const char* why = NULL;
    if (pw_invalid(s)) verdict = V_FAIL, why = "pointwise filter not [1,1,*,*]";
    else if (c->params_null) verdict = V_FAIL, why = "params NULL";
    else if (c->orank_null) verdict = V_FAIL, why = "output_rank NULL";
    else if (c->oshape_null || c->cap < 4) verdict = V_FAIL, why = "output_shape NULL or capacity < 4";
    check_status(status, verdict, 0, 1, 0, why);
    if (status != DI_STATUS_OK) {
        if (!all_sentinel((const unsigned char*)g_oshape, sizeof g_oshape)) report("failed call wrote output_shape");
        if (rank != (int32_t)0xA5A5A5A5) report("failed call wrote *output_rank (%d)", (int)rank);
    } else if (rank < 0 || rank > SHAPE_CAP || rank > c->cap) {
        report("output_rank is %d (capacity %d)", (int)rank, (int)c->cap);
        status = -1;
    } else {
        if (!all_sentinel((const unsigned char*)(g_oshape + rank), sizeof g_oshape - (size_t)rank * 8))
            report("output_shape written beyond output_rank %d (capacity %d)", (int)rank, (int)c->cap);
        if (shape_out != NULL) memcpy(shape_out, g_oshape, (size_t)rank * 8);
        if (rank_out != NULL) *rank_out = rank;
    }
    finish_call();
    return status;
}

/* The computation into g_out_arena (sentinel-filled, guard after it); returns its status. */
static int sep_compute(const sep_call_t* s, int verdict, const char* why)
{
    const call_t* c = &s->d;
    int dtype_bad = !dtype_known(c->dtype);
    size_t es = dtype_bad ? 8 : elem_size(c->dtype);
    size_t out_bytes = c->out_count >= 0 && c->out_count <= OUT_LIMIT ? (size_t)c->out_count * es : 0;
    memset(g_out_arena, k_sentinel, out_bytes + OUT_GUARD_BYTES);
    size_t ds = elem_size(c->data_dtype);
    size_t in_bytes = (size_t)c->in_valid * ds, f_bytes = (size_t)c->f_valid * ds, pw_bytes = (size_t)s->pw_valid * ds;
    memcpy(g_in_copy, g_in_arena, in_bytes);
    memcpy(g_f_copy, g_f_arena, f_bytes);
    memcpy(g_pw_copy, g_pw_arena, pw_bytes);
    sep_call_t before = *s;
    sep_describe("di_separable_conv2d", s);
    g->calls_compute++;
    g->sep_calls++;
    int status = (int)di_separable_conv2d(
        (di_dtype)c->dtype, c->in_null ? NULL : g_in_arena, c->in_count, c->in_shape_null ? NULL : c->in_shape, c->in_rank,
        c->f_null ? NULL : g_f_arena, c->f_count, c->f_shape_null ? NULL : c->f_shape, c->f_rank, s->pw_null ? NULL : g_pw_arena,
        s->pw_count, s->pw_shape_null ? NULL : s->pw_shape, s->pw_rank, c->params_null ? NULL : &c->p,
        c->out_null ? NULL : g_out_arena, c->out_count);
    check_message(status);
    if (memcmp(&before, s, sizeof before) != 0) report("the call modified its shapes or params");
    if (memcmp(g_in_copy, g_in_arena, in_bytes) != 0) report("the call modified the input buffer");
    if (memcmp(g_f_copy, g_f_arena, f_bytes) != 0) report("the call modified the depthwise filter buffer");
    if (memcmp(g_pw_copy, g_pw_arena, pw_bytes) != 0) report("the call modified the pointwise filter buffer");
    if (verdict != V_FAIL && (pw_invalid(s) || c->params_null || dtype_bad)) verdict = V_FAIL;
    if (verdict == V_FAIL && why == NULL) why = pw_invalid(s) ? "pointwise filter not [1,1,*,*]" : c->params_null ? "params NULL" : "unknown dtype";
    check_status(status, verdict, 1, 1, 0, why);
    if (status != DI_STATUS_OK) {
        if (!all_sentinel(g_out_arena, out_bytes + OUT_GUARD_BYTES))
            report("failed call (%s) wrote the output buffer or its guard", status_name(status));
    } else if (!all_sentinel(g_out_arena + out_bytes, OUT_GUARD_BYTES)) {
        report("successful call wrote past output_count %" PRId64 " (guard region)", c->out_count);
    }
    finish_call();
    return status;
}

/* The two-step path: di_depthwise_conv2d into g_mid, then di_conv2d (1x1 filter = the pointwise one, VALID,
 * unit strides and dilations, same data_format) into g_out2. Returns 1 when both succeed, 0 when one fails,
 * -1 when it cannot be run (intermediate larger than OUT_LIMIT). */
static void sync_last_message(void)
{
    /* the two-step calls are not checked calls: keep g_last_message in step with the library's */
    const char* message = di_last_error_message();
    snprintf(g_last_message, sizeof g_last_message, "%s", message != NULL ? message : "");
}

static int two_step_calls(const sep_call_t* s);

static int two_step(const sep_call_t* s)
{
    int result = two_step_calls(s);
    sync_last_message();
    return result;
}

static int two_step_calls(const sep_call_t* s)
{
    const call_t* c = &s->d;
    const di_conv_params* p = c->params_null ? NULL : &c->p;
    int64_t mid_shape[SHAPE_CAP];
    int32_t mid_rank = -1;
    int qs = (int)di_depthwise_conv2d_output_shape(c->in_shape_null ? NULL : c->in_shape, c->in_rank,
                                                   c->f_shape_null ? NULL : c->f_shape, c->f_rank, p, mid_shape, SHAPE_CAP,
                                                   &mid_rank);
    if (qs != DI_STATUS_OK) return 0;
    i128 mid_count = shape_product(mid_shape, mid_rank);
    if (mid_count < 0 || mid_count > OUT_LIMIT) return -1;
    int s1 = (int)di_depthwise_conv2d((di_dtype)c->dtype, c->in_null ? NULL : g_in_arena, c->in_count,
                                      c->in_shape_null ? NULL : c->in_shape, c->in_rank, c->f_null ? NULL : g_f_arena, c->f_count,
                                      c->f_shape_null ? NULL : c->f_shape, c->f_rank, p, g_mid, (int64_t)mid_count);
    if (s1 != DI_STATUS_OK) return 0;
    di_conv_params pw_params;
    di_conv_params_init(&pw_params);
    pw_params.data_format = c->p.data_format;
    int dtype_bad = !dtype_known(c->dtype);
    size_t out_bytes = c->out_count >= 0 && c->out_count <= OUT_LIMIT ? (size_t)c->out_count * (dtype_bad ? 8 : elem_size(c->dtype)) : 0;
    memset(g_out2, k_sentinel, out_bytes + OUT_GUARD_BYTES);
    int s2 = (int)di_conv2d((di_dtype)c->dtype, g_mid, (int64_t)mid_count, mid_shape, mid_rank, s->pw_null ? NULL : g_pw_arena,
                            s->pw_count, s->pw_shape_null ? NULL : s->pw_shape, s->pw_rank, &pw_params,
                            c->out_null ? NULL : g_out2, c->out_count);
    return s2 == DI_STATUS_OK ? 1 : 0;
}

/* Every check of one separable call: query (as drawn and with full capacity), computation, agreement, two-step. */
static void sep_check(sep_call_t* s, int must_succeed, int honest_out)
{
    call_t* c = &s->d;
    if (c->cap != SHAPE_CAP || c->oshape_null || c->orank_null) sep_query(s, NULL, NULL);
    sep_call_t q = *s;
    q.d.cap = SHAPE_CAP;
    q.d.oshape_null = q.d.orank_null = 0;
    int64_t shape[SHAPE_CAP];
    int32_t rank = -1;
    int qs = sep_query(&q, shape, &rank);
    i128 qcount = qs == DI_STATUS_OK ? shape_product(shape, rank) : -1;
    c->cap = SHAPE_CAP;
    c->oshape_null = c->orank_null = 0;
    if (must_succeed && qcount != (i128)c->out_count) {
        report("output shape query gives %" PRId64 " elements, the model %" PRId64, (int64_t)qcount, c->out_count);
        finish_call();
    }
    if (honest_out && qcount >= 0 && qcount <= OUT_LIMIT) c->out_count = (int64_t)qcount;
    if ((c->out_count < 0 || c->out_count > OUT_LIMIT) && (i128)c->out_count == qcount) c->out_count ^= 1;

    int status = sep_compute(s, must_succeed ? V_OK : V_ANY, NULL);
    /* agreement of the output shape query and the computation */
    if (status == DI_STATUS_OK && (qs != DI_STATUS_OK || qcount != (i128)c->out_count)) {
        snprintf(g->current, sizeof g->current, "agreement of di_separable_conv2d_output_shape and di_separable_conv2d");
        report("the computation accepted output_count %" PRId64 " but the output shape query %s (%" PRId64 " elements)",
               c->out_count, qs == DI_STATUS_OK ? "disagrees" : "failed", (int64_t)qcount);
        finish_call();
    }
    if (status == DI_STATUS_OK && qcount >= 0 && qcount < OUT_LIMIT && chance(20)) {
        sep_call_t more = *s;
        more.d.out_count = (int64_t)qcount + 1;
        add_mutation(&more.d, "agreement: output_count from the query + 1");
        sep_compute(&more, V_FAIL, "output_count one more than the output shape query");
        status = sep_compute(s, V_OK, NULL); /* the output again, for the comparison below */
    }
    /* the two-step path */
    size_t bytes = status == DI_STATUS_OK ? (size_t)c->out_count * elem_size(c->dtype) : 0;
    if (status == DI_STATUS_OK) memcpy(g_saved_output, g_out_arena, bytes);
    int t = two_step(s);
    snprintf(g->current + strnlen(g->current, sizeof g->current - 40), 40, " (two-step path)");
    if (status == DI_STATUS_OK) {
        if (t == 0) {
            report("di_separable_conv2d succeeded, but di_depthwise_conv2d + di_conv2d failed: \"%s\"", di_last_error_message());
        } else if (t == 1) {
            if (memcmp(g_saved_output, g_out2, bytes) != 0) {
                size_t at = 0;
                while (at < bytes && g_saved_output[at] == g_out2[at]) at++;
                size_t e = at / elem_size(c->dtype);
                report("output differs bitwise from di_depthwise_conv2d + di_conv2d at element %zu: %.17g vs %.17g", e,
                       (double)load(g_saved_output, c->dtype, (int64_t)e), (double)load(g_out2, c->dtype, (int64_t)e));
            } else {
                g->sep_ok_bitwise++;
            }
        } else {
            g->sep_unchecked++;
        }
    } else if (status >= 0) {
        if (pw_invalid(s)) g->sep_failed_pointwise_invalid++;
        else if (t == 1) report("di_separable_conv2d failed (%s), but di_depthwise_conv2d + di_conv2d succeeded",
                                status_name(status));
        else if (t == 0) g->sep_failed_two_step_failed++;
        else g->sep_unchecked++;
    }
    finish_call();
}

/* A valid separable case: a depthwise base case and a pointwise filter [1, 1, C*M (or a divisor), Cout]. */
static int make_sep_base(sep_call_t* s)
{
    memset(s, 0, sizeof *s);
    int tries = 0;
    while (!(make_base(&s->d) && s->d.op == OP_DEPTHWISE))
        if (++tries >= 50) return 0;
    call_t* c = &s->d;
    int64_t cm = c->f_shape[2] * c->f_shape[3];
    int64_t depth = cm, cout;
    if (cm > 0 && chance(20)) {
        int64_t divisors[256];
        int count = 0;
        for (int64_t d = 1; d <= cm && count < 256; d++)
            if (cm % d == 0) divisors[count++] = d;
        depth = divisors[rnd(count)];
    } else if (cm == 0) {
        depth = 1 + rnd(3);
    }
    int64_t groups = cm / depth;
    cout = chance(3) ? 0 : (groups ? groups : 1) * (1 + rnd(4));
    s->pw_rank = 4;
    s->pw_shape[0] = 1;
    s->pw_shape[1] = 1;
    s->pw_shape[2] = depth;
    s->pw_shape[3] = cout;
    s->pw_count = depth * cout;
    s->pw_valid = s->pw_count + SLACK;
    if (s->pw_valid > ARENA_ELEMENTS) return 0;
    int integers = chance(40);
    for (int64_t i = 0; i < s->pw_valid; i++) store(g_pw_arena, c->dtype, i, random_value(integers));
    if (chance(3) && s->pw_count > 0) {
        static const double specials[3] = {NAN, INFINITY, -INFINITY};
        store(g_pw_arena, c->dtype, next_u64() % (uint64_t)s->pw_count, specials[rnd(3)]);
    }
    /* the model: the depthwise stage (make_base) and the pointwise conv2d must both be valid */
    model_t m, m2;
    model_shapes(c, &m);
    call_t pc;
    memset(&pc, 0, sizeof pc);
    pc.op = OP_CONV2D;
    pc.dtype = c->dtype;
    di_conv_params_init(&pc.p);
    pc.p.data_format = c->p.data_format;
    pc.in_rank = 4;
    memcpy(pc.in_shape, m.out_shape, 4 * 8);
    pc.f_rank = 4;
    memcpy(pc.f_shape, s->pw_shape, 4 * 8);
    model_shapes(&pc, &m2);
    if (!m2.geometry || m2.lim || m2.out_elems > OUT_LIMIT) return 0;
    c->out_count = (int64_t)m2.out_elems;
    return 1;
}

static void sep_mutate(sep_call_t* s)
{
    switch (rnd(8)) {
    case 0: {
        int32_t r = pick_rank();
        change_rank(s->pw_shape, &s->pw_rank, r, chance(70));
        add_mutation(&s->d, "pointwise_rank=%d", (int)r);
        break;
    }
    case 1:
    case 2: {
        if (s->pw_rank <= 0 || s->pw_rank > SHAPE_CAP) break;
        int i = chance(50) ? rnd(2) : rnd(s->pw_rank);
        int64_t v = chance(50) ? special64() : (int64_t)rnd(6);
        s->pw_shape[i] = v;
        add_mutation(&s->d, "pointwise_shape[%d]=%" PRId64, i, v);
        break;
    }
    case 3:
        if (s->pw_rank >= 3 && s->pw_rank <= SHAPE_CAP) {
            s->pw_shape[2] += chance(50) ? 1 : -1;
            add_mutation(&s->d, "pointwise_shape[2]=%" PRId64, s->pw_shape[2]);
        }
        break;
    case 4:
        s->pw_shape_null = 1;
        add_mutation(&s->d, "pointwise_shape=NULL");
        break;
    case 5:
        s->pw_null = 1;
        add_mutation(&s->d, "pointwise=NULL");
        break;
    default: {
        switch (rnd(4)) {
        case 0: s->pw_count += 1; break;
        case 1: s->pw_count -= 1; break;
        case 2: s->pw_count = 0; break;
        default: s->pw_count = special64(); break;
        }
        add_mutation(&s->d, "pointwise_count=%" PRId64, s->pw_count);
        break;
    }
    }
}

static void run_separable(void)
{
    sep_call_t base;
    if (!make_sep_base(&base)) return;
    g->sep_base++;
    sep_call_t s = base;
    sep_check(&s, 1, 1);
    for (int variant = 0; variant < 2; variant++) {
        s = base;
        int mutations = 1 + rnd(3);
        for (int i = 0; i < mutations; i++) {
            if (chance(50)) sep_mutate(&s);
            else mutate(&s.d, 1);
        }
        if (chance(50)) {
            make_honest(&s.d);
            if (!s.pw_shape_null && s.pw_rank >= 0 && s.pw_rank <= SHAPE_CAP) {
                i128 n = shape_product(s.pw_shape, s.pw_rank);
                if (n >= 0 && n <= s.pw_valid) s.pw_count = (int64_t)n;
            }
        }
        sanitize(&s.d);
        if (!s.pw_shape_null && s.pw_rank >= 0 && s.pw_rank <= SHAPE_CAP && s.pw_count > s.pw_valid
            && (i128)s.pw_count == shape_product(s.pw_shape, s.pw_rank))
            s.pw_count ^= 1;
        sep_check(&s, 0, chance(50));
    }
}

static void run_iteration(uint64_t iteration)
{
    seed_iteration(g_seed, iteration);
    g->iteration = (int64_t)iteration;
    if (g_verbose) printf("iteration %" PRIu64 "\n", iteration);
    fuzz_info();

    call_t base;
    int tries = 0;
    while (!make_base(&base) && ++tries < 50) {
    }
    if (tries >= 50) return;
    g->base_valid++;
    do_query(&base, NULL, NULL);
    int status = do_compute(&base);
    if (status == DI_STATUS_OK && base.out_count > 0
        && ((i128)base.out_count * base.f_shape[0] * base.f_shape[1] >= ((i128)1 << 18) || chance(10)))
        check_thread_invariance(&base); /* first: it reads the output of the call above */
    if (chance(10)) check_agreement(&base, status);

    for (int variant = 0; variant < 2; variant++) {
        call_t c = base;
        int mutations = 1 + rnd(3);
        for (int i = 0; i < mutations; i++) mutate(&c, 1);
        if (chance(50)) make_honest(&c);
        sanitize(&c);
        do_query(&c, NULL, NULL);
        /* the computation of the same call, without the query-only mutations */
        call_t k = c;
        k.cap = SHAPE_CAP;
        k.oshape_null = k.orank_null = 0;
        int s = do_compute(&k);
        check_agreement(&k, s);
    }

    if (chance(SEPARABLE_PERCENT)) run_separable();
}

/* ---------------------------------------------------------------------------------------------------- */
/* Pinned cases: run before iteration 0 of every run, so that known edge cases (and bugs the random        */
/* iterations found) are checked on every seed.                                                          */
/* ---------------------------------------------------------------------------------------------------- */

static void pinned_call(call_t* c, int op, int dtype, int32_t in_rank, const int64_t* in_shape, const int64_t* f_shape,
                        const char* label)
{
    memset(c, 0, sizeof *c);
    c->op = op;
    c->dtype = dtype;
    c->data_dtype = dtype;
    di_conv_params_init(&c->p);
    c->in_rank = in_rank;
    memcpy(c->in_shape, in_shape, (size_t)in_rank * 8);
    c->f_rank = 4;
    memcpy(c->f_shape, f_shape, 4 * 8);
    c->cap = SHAPE_CAP;
    add_mutation(c, "pinned: %s", label);
}

/* Fills the arenas with value(i) for the first count elements (and SLACK more). */
static void pinned_data(call_t* c, int64_t in_count, double in_value, int in_ramp, int64_t f_count, double f_value)
{
    c->in_count = in_count;
    c->f_count = f_count;
    c->in_valid = in_count + SLACK;
    c->f_valid = f_count + SLACK;
    for (int64_t i = 0; i < c->in_valid; i++) store(g_in_arena, c->dtype, i, in_ramp ? (double)(i + 1) : in_value);
    for (int64_t i = 0; i < c->f_valid; i++) store(g_f_arena, c->dtype, i, f_value);
}

static void pinned_both(call_t* c)
{
    model_t m;
    model_shapes(c, &m);
    if (m.geometry && m.out_elems <= OUT_LIMIT) c->out_count = (int64_t)m.out_elems;
    do_query(c, NULL, NULL);
    do_compute(c);
}

static void run_pinned(void)
{
    const int64_t big = (int64_t)1 << 32;
    call_t c;
    g->iteration = -1;
    seed_iteration(g_seed, UINT64_MAX);

    /* A zero batch dimension makes the batch empty, wherever it sits among the batch dimensions (TensorFlow's
     * squeeze_batch_dims reshapes to [-1, H, W, C] = [0, H, W, C]). Both orders must give [.., 0, .., 2, 1, 3]. */
    {
        const int64_t in1[5] = {0, big, 3, 1, 6}, in2[5] = {big, 0, 3, 1, 6}, f[4] = {2, 1, 6, 3};
        pinned_call(&c, OP_CONV2D, DI_DTYPE_FLOAT32, 5, in1, f, "conv2d batch dims [0, 2^32]");
        pinned_data(&c, 0, 1.0, 0, 36, 1.0);
        pinned_both(&c);
        pinned_call(&c, OP_CONV2D, DI_DTYPE_FLOAT32, 5, in2, f, "conv2d batch dims [2^32, 0]");
        pinned_data(&c, 0, 1.0, 0, 36, 1.0);
        pinned_both(&c);
    }
    /* An empty input with explicit padding gives zeros, even with an infinite filter (TensorFlow's
     * testConv2dOnlyPaddingReturnsZeros: [1,0,2,1] with pads 1 -> [1,2,4,1] of zeros). */
    {
        const int64_t in[4] = {1, 0, 2, 1}, f[4] = {1, 1, 1, 1};
        pinned_call(&c, OP_CONV2D, DI_DTYPE_FLOAT64, 4, in, f, "empty input, explicit padding, Inf filter");
        c.p.padding = DI_PADDING_EXPLICIT;
        for (int i = 2; i < 6; i++) c.p.explicit_paddings[i] = 1;
        pinned_data(&c, 0, 1.0, 0, 1, INFINITY);
        pinned_both(&c);
    }
    /* SAME padding with an infinite weight: the padded taps give NaN (0 * Inf), the inner ones Inf. */
    {
        const int64_t in[4] = {1, 4, 4, 2}, f[4] = {3, 3, 2, 1};
        pinned_call(&c, OP_DEPTHWISE, DI_DTYPE_FLOAT32, 4, in, f, "depthwise SAME, Inf weights over padding");
        c.p.padding = DI_PADDING_SAME;
        pinned_data(&c, 32, 1.0, 0, 18, INFINITY);
        pinned_both(&c);
    }
    /* VALID output 0 by truncating division: in 1, filter 2, stride 2 -> (1 - 2 + 2) / 2 = 0, no error. */
    {
        const int64_t in[4] = {1, 1, 1, 1}, f[4] = {2, 2, 1, 1};
        pinned_call(&c, OP_DEPTHWISE, DI_DTYPE_FLOAT64, 4, in, f, "VALID output size 0 by truncation");
        c.p.strides[1] = c.p.strides[2] = 2;
        pinned_data(&c, 1, 1.0, 0, 4, 1.0);
        pinned_both(&c);
    }
    /* tf-semantics.md 2.3: x = 1..64 as [1,8,8,1], ones [2,2,1,1], stride 2, dilation 2, VALID: the true strided
     * dilated convolution is [1,3,3,1] = [40,48,56, 104,112,120, 168,176,184]. Known answer, in both dtypes. */
    for (int dtype = DI_DTYPE_FLOAT32; dtype <= DI_DTYPE_FLOAT64; dtype++) {
        static const double expected[9] = {40, 48, 56, 104, 112, 120, 168, 176, 184};
        const int64_t in[4] = {1, 8, 8, 1}, f[4] = {2, 2, 1, 1};
        pinned_call(&c, OP_DEPTHWISE, dtype, 4, in, f, "depthwise stride 2 dilation 2 known answer");
        c.p.strides[1] = c.p.strides[2] = 2;
        c.p.dilations[1] = c.p.dilations[2] = 2;
        pinned_data(&c, 64, 0, 1, 4, 1.0);
        c.out_count = 9;
        do_query(&c, NULL, NULL);
        if (do_compute(&c) == DI_STATUS_OK) {
            for (int i = 0; i < 9; i++)
                if ((double)load(g_out_arena, dtype, i) != expected[i]) {
                    report("known answer: output[%d] = %.17g, expected %g", i, (double)load(g_out_arena, dtype, i), expected[i]);
                    finish_call();
                    break;
                }
        }
    }
    /* The same problem as conv2d (C = 1), NCHW (same layout for C = 1). */
    {
        const int64_t in[4] = {1, 1, 8, 8}, f[4] = {2, 2, 1, 1};
        pinned_call(&c, OP_CONV2D, DI_DTYPE_FLOAT64, 4, in, f, "conv2d NCHW stride 2 dilation 2");
        c.p.data_format = DI_DATA_FORMAT_NCHW;
        c.p.strides[2] = c.p.strides[3] = 2;
        c.p.dilations[2] = c.p.dilations[3] = 2;
        pinned_data(&c, 64, 0, 1, 4, 1.0);
        pinned_both(&c);
    }
    /* VALID with a window larger than the input by more than a stride: negative output size, an error. */
    {
        const int64_t in[4] = {1, 2, 2, 1}, f[4] = {4, 1, 1, 1};
        pinned_call(&c, OP_CONV2D, DI_DTYPE_FLOAT32, 4, in, f, "VALID negative output size");
        pinned_data(&c, 4, 1.0, 0, 4, 1.0);
        c.out_count = 0;
        do_query(&c, NULL, NULL);
        do_compute(&c);
    }
    /* Grouped conv2d: C = 4, filter depth 2 -> 2 groups, 4 output channels. */
    {
        const int64_t in[4] = {2, 5, 4, 4}, f[4] = {3, 2, 2, 4};
        pinned_call(&c, OP_CONV2D, DI_DTYPE_FLOAT32, 4, in, f, "grouped conv2d SAME stride 2");
        c.p.padding = DI_PADDING_SAME;
        c.p.strides[1] = c.p.strides[2] = 2;
        pinned_data(&c, 160, 0, 1, 48, 0.5);
        pinned_both(&c);
    }
    /* Huge stride and dilation at the documented limit, 2^31 - 1. */
    {
        const int64_t in[4] = {1, 5, 6, 2}, f[4] = {2, 3, 2, 2};
        pinned_call(&c, OP_DEPTHWISE, DI_DTYPE_FLOAT64, 4, in, f, "stride and dilation 2^31-1, SAME");
        c.p.padding = DI_PADDING_SAME;
        c.p.strides[1] = INT32_MAX;
        c.p.dilations[2] = INT32_MAX;
        pinned_data(&c, 60, 0, 1, 12, 0.25);
        pinned_both(&c);
    }
}

/* ---------------------------------------------------------------------------------------------------- */
/* Driver: the iterations run in a child process, so a crash or a hang is reported, not fatal.          */
/* ---------------------------------------------------------------------------------------------------- */

static void run_range(uint64_t first, uint64_t end, uint64_t total, int pinned)
{
    uint64_t progress_every = total >= 100000 ? total / 10 : 0;
    init_settings();
    if (pinned) {
        alarm(WATCHDOG_SECONDS);
        run_pinned();
        alarm(0);
    }
    for (uint64_t i = first; i < end; i++) {
        alarm(WATCHDOG_SECONDS);
        run_iteration(i);
        alarm(0);
        g->next = (int64_t)i + 1;
        if (progress_every && (i + 1) % progress_every == 0) {
            printf("progress: %" PRIu64 " iterations, %" PRId64 " passed, %" PRId64 " failed\n", i + 1, g->passed, g->failed);
            fflush(stdout);
        }
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: fuzz_abi [SEED|time] [ITERATIONS] [--only ITERATION] [--no-fork] [--verbose] [--reports N]\n");
    exit(2);
}

int main(int argc, char** argv)
{
    uint64_t iterations = 10000;
    int64_t only = -1;
    int fork_mode = 1, have_seed = 0, have_iterations = 0;
    g_seed = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = strtoll(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--no-fork") == 0) fork_mode = 0;
        else if (strcmp(argv[i], "--verbose") == 0) g_verbose = 1;
        else if (strcmp(argv[i], "--reports") == 0 && i + 1 < argc) g_max_reports = strtoll(argv[++i], NULL, 10);
        else if (!have_seed) {
            have_seed = 1;
            if (strcmp(argv[i], "time") == 0) {
                struct timespec now;
                clock_gettime(CLOCK_REALTIME, &now);
                g_seed = (uint64_t)now.tv_sec * 1000003u ^ (uint64_t)now.tv_nsec ^ ((uint64_t)getpid() << 32);
            } else {
                char* end;
                g_seed = strtoull(argv[i], &end, 0);
                if (*end != '\0') usage();
            }
        } else if (!have_iterations) {
            have_iterations = 1;
            char* end;
            iterations = strtoull(argv[i], &end, 0);
            if (*end != '\0') usage();
        } else {
            usage();
        }
    }
    if (!have_seed) {
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        g_seed = (uint64_t)now.tv_sec * 1000003u ^ (uint64_t)now.tv_nsec;
    }
    uint64_t first = 0, end = iterations;
    if (only >= 0) first = (uint64_t)only, end = (uint64_t)only + 1, fork_mode = 0;
    printf("fuzz_abi: seed %" PRIu64 ", iterations %" PRIu64 "..%" PRIu64 "%s\n", g_seed, first, end,
           fork_mode ? "" : " (in process)");
    fflush(stdout);

    g_in_arena = malloc((size_t)ARENA_ELEMENTS * 8);
    g_f_arena = malloc((size_t)ARENA_ELEMENTS * 8);
    g_in_copy = malloc((size_t)ARENA_ELEMENTS * 8);
    g_f_copy = malloc((size_t)ARENA_ELEMENTS * 8);
    g_out_arena = malloc((size_t)OUT_LIMIT * 8 + OUT_GUARD_BYTES);
    g_saved_output = malloc((size_t)OUT_LIMIT * 8);
    g_pw_arena = malloc((size_t)ARENA_ELEMENTS * 8);
    g_pw_copy = malloc((size_t)ARENA_ELEMENTS * 8);
    g_mid = malloc((size_t)OUT_LIMIT * 8);
    g_out2 = malloc((size_t)OUT_LIMIT * 8 + OUT_GUARD_BYTES);
    if (!g_pw_arena || !g_pw_copy || !g_mid || !g_out2) {
        fprintf(stderr, "fuzz_abi: out of memory\n");
        return 2;
    }
    if (!g_saved_output || !g_in_arena || !g_f_arena || !g_in_copy || !g_f_copy || !g_out_arena) {
        fprintf(stderr, "fuzz_abi: out of memory\n");
        return 2;
    }

    struct timespec start, stop;
    clock_gettime(CLOCK_MONOTONIC, &start);
    int64_t crashes = 0;
    if (!fork_mode) {
        run_range(first, end, iterations, only < 0);
    } else {
        shared_t* shared = mmap(NULL, sizeof *shared, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (shared == MAP_FAILED) {
            perror("fuzz_abi: mmap");
            return 2;
        }
        memset(shared, 0, sizeof *shared);
        g = shared;
        uint64_t next = first;
        int pinned = only < 0;
        /* No library call happens in this process: each child starts the runtime itself. */
        int startup_crashes = 0;
        while (next < end) {
            fflush(stdout);
            shared->iteration = -2; /* the child has not started an iteration (or the pinned cases, -1) yet */
            snprintf(shared->current, sizeof shared->current, "(start-up of the child: di_cpu_isa, di_set_num_threads)");
            pid_t child = fork();
            if (child < 0) {
                perror("fuzz_abi: fork");
                return 2;
            }
            if (child == 0) {
                setvbuf(stdout, NULL, _IOLBF, 0);
                run_range(next, end, iterations, pinned);
                fflush(stdout);
                _exit(0);
            }
            int wstatus;
            while (waitpid(child, &wstatus, 0) < 0 && errno == EINTR) {
            }
            if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) break;
            crashes++;
            shared->failed++;
            if (WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGALRM)
                printf("FAIL iteration %" PRId64 ": HANG (no return within %d s)\n", shared->iteration, WATCHDOG_SECONDS);
            else if (WIFSIGNALED(wstatus))
                printf("FAIL iteration %" PRId64 ": CRASH (signal %d, %s)\n", shared->iteration, WTERMSIG(wstatus),
                       strsignal(WTERMSIG(wstatus)));
            else
                printf("FAIL iteration %" PRId64 ": child exited with status %d\n", shared->iteration, WEXITSTATUS(wstatus));
            if (shared->iteration == -2) {
                /* A child forked from this process maps the library as this process loaded it: if the file was
                 * overwritten in place since (e.g. re-staged by `make stage`), every child now crashes at once. */
                printf("    the child crashed before its first iteration%s\n",
                       ++startup_crashes >= 2 ? ": giving up (was the library file replaced while the fuzzer ran?)" : "");
                if (startup_crashes >= 2) break;
                continue;
            }
            startup_crashes = 0;
            if (shared->iteration < 0)
                printf("    call: %s\n    replay: fuzz_abi %" PRIu64 " 0 --no-fork --verbose (pinned cases)\n", shared->current,
                       g_seed);
            else
                printf("    call: %s\n    replay: fuzz_abi %" PRIu64 " 1 --only %" PRId64 " --verbose\n", shared->current,
                       g_seed, shared->iteration);
            fflush(stdout);
            if (crashes >= MAX_RESTARTS) {
                printf("fuzz_abi: %" PRId64 " crashes, giving up\n", crashes);
                break;
            }
            next = shared->iteration < 0 ? first : (uint64_t)shared->iteration + 1;
            pinned = 0;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &stop);
    double seconds = (double)(stop.tv_sec - start.tv_sec) + (double)(stop.tv_nsec - start.tv_nsec) * 1e-9;

    if (g->reports > g_max_reports) printf("(%" PRId64 " more failure reports not shown)\n", g->reports - g_max_reports);
    printf("fuzz_abi: seed %" PRIu64 ", %" PRIu64 " iterations in %.1f s: %" PRId64 " output shape queries, %" PRId64
           " computations, %" PRId64 " info calls\n",
           g_seed, end - first, seconds, g->calls_query, g->calls_compute, g->calls_info);
    printf("fuzz_abi: %" PRId64 " medium cases (enough work for the worker threads), %" PRId64
           " valid cases recomputed with another thread count\n", g->medium, g->thread_invariance);
    printf("fuzz_abi: %" PRId64 " valid base cases (%" PRId64 " with NaN/Inf), %" PRId64 " successful computations checked against"
           " the reference (%" PRId64 " values, %" PRId64 " with NaN/Inf outputs), %" PRId64 " calls failed as predicted, %" PRId64
           " calls at implementation limits (either outcome accepted)\n",
           g->base_valid, g->base_with_nan, g->ok_compared, g->ok_values, g->nonfinite_compared, g->failed_as_expected,
           g->any_outcome);
    printf("fuzz_abi: separable: %" PRId64 " calls on %" PRId64 " valid base cases, %" PRId64 " successes bitwise equal to"
           " di_depthwise_conv2d + di_conv2d, %" PRId64 " failures matched by a failing two-step path, %" PRId64
           " failures on an invalid pointwise filter, %" PRId64 " not comparable (intermediate above the buffer limit)\n",
           g->sep_calls, g->sep_base, g->sep_ok_bitwise, g->sep_failed_two_step_failed, g->sep_failed_pointwise_invalid,
           g->sep_unchecked);
    printf("%" PRId64 " passed, %" PRId64 " failed\n", g->passed, g->failed);
    fflush(stdout);
    /* The supervising process never called the library: leave without running its exit handlers (if the library
     * file was replaced during the run, its mapping in this process is no longer valid). */
    if (fork_mode) _exit(g->failed == 0 ? 0 : 1);
    return g->failed == 0 ? 0 : 1;
}
