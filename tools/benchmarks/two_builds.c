/*
 * Two builds of libdepthwise_interop side by side in one process, for A/B measurements of a kernel change.
 *
 * Each build is loaded by path (dlopen, RTLD_LOCAL), and each finds its own kernel variants beside it, so the two
 * never share code. One depthwise_conv2d problem runs on both in alternated rounds of 10 ms; the ratio of each round
 * cancels most of the shared VM's drift, and the median of the per-round ratios is printed with its quartiles. The
 * outputs of the two builds are compared bit for bit (a timing-only build shows MISMATCH). One thread only: at two,
 * the two builds' worker pools compete for the same cores.
 *
 *   make native && mkdir -p /tmp/a && cp build/native/libdepthwise_interop*.so* /tmp/a   (then the same for /tmp/b)
 *   gcc -O2 -Ibuild/prefix/include tools/benchmarks/two_builds.c -o /tmp/two_builds -ldl
 *   /tmp/two_builds /tmp/a /tmp/b H W C M STRIDE K NCHW       e.g. /tmp/two_builds /tmp/a /tmp/b 14 14 576 1 1 3 1
 *
 * Run each order (a b, then b a): the build loaded first can differ slightly.
 */
#define _POSIX_C_SOURCE 200809L
#include "depthwise_interop.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef di_status (*conv_fn)(di_dtype, const void*, int64_t, const int64_t*, int32_t, const void*, int64_t, const int64_t*,
                             int32_t, const di_conv_params*, void*, int64_t);
typedef di_status (*threads_fn)(int32_t);
typedef di_status (*init_fn)(di_conv_params*);
typedef di_status (*shape_fn)(const int64_t*, int32_t, const int64_t*, int32_t, const di_conv_params*, int64_t*, int32_t,
                              int32_t*);

enum { Rounds = 21, WarmUpRounds = 3 };

static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec * 1e-3;
}

static int by_value(const void* a, const void* b) {
    double x = *(const double*)a, y = *(const double*)b;
    return x < y ? -1 : x > y;
}

/* 64-byte aligned, with 512 KiB of slack on each side so that a timing-only build that overruns does not fault. */
static float* slack_buffer(long count) {
    char* p = aligned_alloc(64, ((size_t)count * 4 + 63) / 64 * 64 + (1 << 20));
    if (!p) { fprintf(stderr, "out of memory\n"); exit(1); }
    return (float*)(p + (1 << 19));
}

/* A function of a loaded build; through memcpy, since ISO C has no conversion from void* to a function pointer. */
#define FUNCTION(handle, name, type, out)                                                                \
    do {                                                                                                 \
        void* address = dlsym(handle, name);                                                             \
        if (!address) { fprintf(stderr, "%s: %s\n", name, dlerror()); exit(1); }                         \
        memcpy(&(out), &address, sizeof(type));                                                          \
    } while (0)

static void* load_build(const char* folder) {
    char path[4096];
    snprintf(path, sizeof path, "%s/libdepthwise_interop.so", folder);
    void* handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) { fprintf(stderr, "%s\n", dlerror()); exit(1); }
    return handle;
}

int main(int argc, char** argv) {
    if (argc != 10) {
        fprintf(stderr, "usage: %s buildA buildB H W C M STRIDE K NCHW(0|1)\n", argv[0]);
        return 2;
    }
    void* builds[2] = {load_build(argv[1]), load_build(argv[2])};
    conv_fn conv[2];
    threads_fn set_threads;
    init_fn init_params;
    shape_fn output_shape_of;
    for (int j = 0; j < 2; j++) {
        FUNCTION(builds[j], "di_depthwise_conv2d", conv_fn, conv[j]);
        FUNCTION(builds[j], "di_set_num_threads", threads_fn, set_threads);
        set_threads(1);
    }
    FUNCTION(builds[0], "di_conv_params_init", init_fn, init_params);
    FUNCTION(builds[0], "di_depthwise_conv2d_output_shape", shape_fn, output_shape_of);
    long h = atol(argv[3]), w = atol(argv[4]), c = atol(argv[5]), m = atol(argv[6]), stride = atol(argv[7]), k = atol(argv[8]);
    int nchw = atoi(argv[9]);
    di_conv_params params;
    init_params(&params);
    params.padding = DI_PADDING_SAME;
    int64_t input_shape[4] = {1, h, w, c}, filter_shape[4] = {k, k, c, m}, output_shape[4];
    if (nchw) {
        params.data_format = DI_DATA_FORMAT_NCHW;
        input_shape[1] = c; input_shape[2] = h; input_shape[3] = w;
        params.strides[2] = params.strides[3] = stride;
    } else {
        params.strides[1] = params.strides[2] = stride;
    }
    int32_t rank;
    if (output_shape_of(input_shape, 4, filter_shape, 4, &params, output_shape, 4, &rank) != DI_STATUS_OK) {
        fprintf(stderr, "invalid problem\n");
        return 2;
    }
    long inputs = h * w * c, outputs = output_shape[0] * output_shape[1] * output_shape[2] * output_shape[3], weights = k * k * c * m;
    float *x = slack_buffer(inputs), *filter = slack_buffer(weights), *y[2] = {slack_buffer(outputs), slack_buffer(outputs)};
    srand(1);
    for (long i = 0; i < inputs; i++) x[i] = (rand() % 200 - 100) / 64.0f;
    for (long i = 0; i < weights; i++) filter[i] = (rand() % 200 - 100) / 64.0f;

    double time[2][Rounds], ratio[Rounds];
    for (int round = -WarmUpRounds; round < Rounds; round++) {
        double per_call[2];
        for (int side = 0; side < 2; side++) {
            int j = (round & 1) ? 1 - side : side;
            int calls = 0;
            double start = now_us();
            do {
                conv[j](DI_DTYPE_FLOAT32, x, inputs, input_shape, 4, filter, weights, filter_shape, 4, &params, y[j], outputs);
                calls++;
            } while (now_us() - start < 10000);
            per_call[j] = (now_us() - start) / calls;
        }
        if (round >= 0) {
            time[0][round] = per_call[0];
            time[1][round] = per_call[1];
            ratio[round] = per_call[1] / per_call[0];
        }
    }
    int same = 1;
    for (long i = 0; i < outputs && same; i++) same = y[0][i] == y[1][i] || (y[0][i] != y[0][i] && y[1][i] != y[1][i]);
    qsort(time[0], Rounds, sizeof(double), by_value);
    qsort(time[1], Rounds, sizeof(double), by_value);
    qsort(ratio, Rounds, sizeof(double), by_value);
    printf("%ldx%ldx%ld m%ld k%ld s%ld %s 1 thread: A %.2f us, B %.2f us, B/A %.3f (%.3f-%.3f)%s\n", h, w, c, m, k, stride,
           nchw ? "NCHW" : "NHWC", time[0][Rounds / 2], time[1][Rounds / 2], ratio[Rounds / 2], ratio[Rounds / 4],
           ratio[3 * Rounds / 4], same ? "" : " MISMATCH");
    return 0;
}
