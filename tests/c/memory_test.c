/*
 * memory_test.c - repeated calls of libdepthwise_interop must not grow the resident set.
 *
 *   gcc -std=c11 -Wall -Wextra -Werror -pedantic -pthread memory_test.c $(pkg-config --cflags --libs depthwise_interop)
 *   LD_LIBRARY_PATH=$PREFIX/lib ./memory_test [CALLS] [THREADS]
 *
 * Part 1, one thread: a fixed mix of calls: successful conv2d and depthwise computations in float32 and float64
 * (NHWC / NCHW, all paddings), output shape queries, and failing calls of many kinds whose error messages vary
 * in length (up to rank-32 shapes in the text), so the thread's message buffer is reused and regrown. Every call's
 * status is checked. The resident set (/proc/self/statm) is read after a warm-up and after CALLS (default 100,000)
 * more calls; the test fails if it grew by more than 1 MiB.
 *   The warm-up is at least 10,000 calls and lasts until the managed heap has reached its steady size: failing
 *   calls allocate managed objects (exceptions, message strings), and the runtime lets its heap grow to its first
 *   collection budget, which depends on the machine's cache size (about 17 MiB of resident set after ~50,000
 *   calls on a 32 MiB-L3 machine), before it collects. So the warm-up runs blocks of 5,000 calls until a block
 *   adds less than 64 KiB (at most 1,000,000 calls: a set that never settles fails the test).
 * Part 2, short-lived threads: THREADS (default 20,000) threads, four at a time, each making one successful
 * call, then as many each making one failing call (after 2,000 warm-up threads of each). Neither may grow the
 * resident set by more than 1 MiB: the library must release what it keeps per thread (e.g. the thread's last
 * error message) when the thread exits.
 * The test allocates nothing in the measured phases itself. Prints "N passed, N failed".
 */
#define _GNU_SOURCE
#include "depthwise_interop.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CASES 16
#define LIMIT_BYTES (1024 * 1024)
#define THREAD_LIMIT_BYTES 400

static long g_passed, g_failed, g_reports;

static void check(int ok, long call, const char* what, di_status status)
{
    if (ok) {
        g_passed++;
        return;
    }
    g_failed++;
    if (g_reports++ < 20) printf("FAIL call %ld: %s (status %d: \"%s\")\n", call, what, (int)status, di_last_error_message());
}

static long resident_bytes(void)
{
    FILE* file = fopen("/proc/self/statm", "r");
    if (file == NULL) return -1;
    long size = 0, resident = -1;
    if (fscanf(file, "%ld %ld", &size, &resident) != 2) resident = -1;
    fclose(file);
    return resident < 0 ? -1 : resident * sysconf(_SC_PAGESIZE);
}

static uint64_t g_rng = 0x0123456789ABCDEFull;
static uint64_t next_u64(void)
{
    uint64_t z = (g_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int64_t rnd(int64_t n) { return (int64_t)(next_u64() % (uint64_t)n); }

typedef struct test_case {
    int depthwise;
    di_dtype dtype;
    int64_t in_shape[4], f_shape[4], out_shape[4];
    di_conv_params params;
    int64_t in_count, f_count, out_count;
} test_case;

static test_case g_cases[CASES];
static double g_input[4096], g_filter[4096], g_output[16384];
static int64_t g_long_shape[32];

static int64_t product(const int64_t* shape, int rank)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= shape[i];
    return n;
}

static di_status compute(const test_case* t, di_dtype dtype, const int64_t* in_shape, int32_t in_rank, int64_t in_count,
                         const di_conv_params* params, int64_t out_count)
{
    return t->depthwise ? di_depthwise_conv2d(dtype, g_input, in_count, in_shape, in_rank, g_filter, t->f_count, t->f_shape, 4, params,
                                              g_output, out_count)
                        : di_conv2d(dtype, g_input, in_count, in_shape, in_rank, g_filter, t->f_count, t->f_shape, 4, params,
                                    g_output, out_count);
}

static void make_cases(void)
{
    for (int i = 0; i < CASES; i++) {
        test_case* t = &g_cases[i];
        for (;;) {
            memset(t, 0, sizeof *t);
            t->depthwise = i % 2;
            t->dtype = (i / 2) % 2 ? DI_DTYPE_FLOAT64 : DI_DTYPE_FLOAT32;
            di_conv_params_init(&t->params);
            int nchw = (i / 4) % 2;
            t->params.data_format = nchw;
            t->params.padding = (int32_t)((i / 8 + rnd(3)) % 3);
            int ah = nchw ? 2 : 1, aw = nchw ? 3 : 2, ac = nchw ? 1 : 3;
            int64_t c = 1 + rnd(4);
            t->in_shape[0] = 1 + rnd(2);
            t->in_shape[ah] = 2 + rnd(8);
            t->in_shape[aw] = 2 + rnd(8);
            t->in_shape[ac] = c;
            t->f_shape[0] = 1 + rnd(3);
            t->f_shape[1] = 1 + rnd(3);
            t->f_shape[2] = t->depthwise || rnd(2) ? c : 1;
            t->f_shape[3] = t->depthwise ? 1 + rnd(2) : (c / t->f_shape[2]) * (1 + rnd(2));
            t->params.strides[ah] = 1 + rnd(2);
            t->params.strides[aw] = 1 + rnd(2);
            t->params.dilations[ah] = 1 + rnd(2);
            if (t->params.padding == DI_PADDING_EXPLICIT) t->params.explicit_paddings[2 * aw + 1] = 1 + rnd(2);
            int32_t rank;
            di_status status = t->depthwise ? di_depthwise_conv2d_output_shape(t->in_shape, 4, t->f_shape, 4, &t->params, t->out_shape, 4, &rank)
                                            : di_conv2d_output_shape(t->in_shape, 4, t->f_shape, 4, &t->params, t->out_shape, 4, &rank);
            if (status != DI_STATUS_OK) continue;
            t->in_count = product(t->in_shape, 4);
            t->f_count = product(t->f_shape, 4);
            t->out_count = product(t->out_shape, 4);
            if (t->out_count > 0) break;
        }
    }
}

/* Call number `call` of the mix; checks its status. */
static void one_call(long call)
{
    const test_case* t = &g_cases[rnd(CASES)];
    di_conv_params params = t->params;
    int64_t shape[4];
    int32_t rank = 0;
    di_status status;
    switch (rnd(10)) {
    case 0: case 1: case 2: case 3: /* success */
        status = compute(t, t->dtype, t->in_shape, 4, t->in_count, &t->params, t->out_count);
        check(status == DI_STATUS_OK, call, "valid computation failed", status);
        break;
    case 4: case 5: /* output shape query */
        status = t->depthwise ? di_depthwise_conv2d_output_shape(t->in_shape, 4, t->f_shape, 4, &t->params, shape, 4, &rank)
                              : di_conv2d_output_shape(t->in_shape, 4, t->f_shape, 4, &t->params, shape, 4, &rank);
        check(status == DI_STATUS_OK && rank == 4 && memcmp(shape, t->out_shape, sizeof shape) == 0, call,
              "output shape query", status);
        break;
    case 6: /* count errors, with varying numbers in the message */
        status = compute(t, t->dtype, t->in_shape, 4, t->in_count + 1 + rnd(1000000), &t->params, t->out_count);
        check(status == DI_STATUS_INVALID_ARGUMENT, call, "wrong input_count", status);
        break;
    case 7: { /* long messages: a rank-32 shape with a negative dimension (conv2d), or rank 32 (depthwise) */
        for (int i = 0; i < 32; i++) g_long_shape[i] = 1 + rnd(1000000000);
        g_long_shape[rnd(32)] = -1 - rnd(1000);
        status = compute(t, t->dtype, g_long_shape, (int32_t)(4 + rnd(29)), t->in_count, &t->params, t->out_count);
        check(status == DI_STATUS_INVALID_ARGUMENT, call, "long shape", status);
        break;
    }
    case 8: /* params errors */
        switch (rnd(4)) {
        case 0: params.struct_size = (uint32_t)rnd(100000); break;
        case 1: params.strides[0] = 2 + rnd(100); break;
        case 2: params.padding = 3 + (int32_t)rnd(100); break;
        default: params.explicit_paddings[rnd(8)] = -1 - rnd(100); params.padding = DI_PADDING_EXPLICIT; break;
        }
        status = compute(t, t->dtype, t->in_shape, 4, t->in_count, &params, t->out_count);
        check(status == DI_STATUS_INVALID_ARGUMENT, call, "bad params", status);
        break;
    default: /* dtype errors and NULL pointers */
        if (rnd(2)) {
            status = compute(t, (di_dtype)(5 + rnd(100)), t->in_shape, 4, t->in_count, &t->params, t->out_count);
            check(status == DI_STATUS_INVALID_DTYPE, call, "unknown dtype", status);
        } else {
            status = t->depthwise ? di_depthwise_conv2d_output_shape(t->in_shape, 4, t->f_shape, 4, &t->params, shape, 4, NULL)
                                  : di_conv2d_output_shape(t->in_shape, 4, t->f_shape, 4, &t->params, NULL, 4, &rank);
            check(status == DI_STATUS_INVALID_ARGUMENT, call, "NULL output_rank / output_shape", status);
        }
        break;
    }
    if (status != DI_STATUS_OK) {
        const char* message = di_last_error_message();
        check(message != NULL && message[0] != '\0', call, "empty error message", status);
    }
}

/* One call on a new thread: the thread makes a successful (fail == 0) or failing (fail == 1) computation. */
static long g_thread_bad;

static void* thread_call(void* argument)
{
    int fail = *(const int*)argument;
    const test_case* t = &g_cases[0];
    di_status status = compute(t, t->dtype, t->in_shape, 4, t->in_count + fail, &t->params, t->out_count);
    if (status != (fail ? DI_STATUS_INVALID_ARGUMENT : DI_STATUS_OK)) __atomic_add_fetch(&g_thread_bad, 1, __ATOMIC_RELAXED);
    return NULL;
}

/* Runs count short-lived threads, four at a time; returns 0 if one could not be started. */
static int churn(long count, int fail)
{
    for (long i = 0; i < count; i += 4) {
        pthread_t threads[4];
        int started = 0, ok = 1;
        for (; started < 4 && i + started < count; started++)
            if (pthread_create(&threads[started], NULL, thread_call, &fail) != 0) {
                ok = 0;
                break;
            }
        for (int j = 0; j < started; j++) pthread_join(threads[j], NULL);
        if (!ok) return 0;
    }
    return 1;
}

static void limit_check(long before, long after, const char* what)
{
    long growth = after - before;
    if (before < 0 || after < 0) {
        g_failed++;
        printf("FAIL %s: cannot read /proc/self/statm\n", what);
    } else if (growth > LIMIT_BYTES) {
        g_failed++;
        printf("FAIL %s: resident set grew by %ld KiB (limit %d KiB)\n", what, growth / 1024, LIMIT_BYTES / 1024);
    } else {
        g_passed++;
        printf("ok: %s: resident set grew by %+ld KiB (limit %d KiB)\n", what, growth / 1024, LIMIT_BYTES / 1024);
    }
}

int main(int argc, char** argv)
{
    long calls = argc > 1 ? atol(argv[1]) : 100000;
    long threads = argc > 2 ? atol(argv[2]) : 20000;
    const long min_warmup = 10000, block = 5000, max_warmup = 1000000, settled = 64 * 1024;
    if (calls < 1 || threads < 0) {
        fprintf(stderr, "usage: memory_test [CALLS] [THREADS]\n");
        return 2;
    }
    for (int i = 0; i < 4096; i++) {
        g_input[i] = (double)(i % 7) - 3.0;
        g_filter[i] = (double)(i % 5) * 0.5 - 1.0;
    }

    /* Part 1 */
    long start = resident_bytes();
    make_cases();
    long call = 0;
    for (; call < min_warmup; call++) one_call(call);
    long previous = resident_bytes();
    printf("RSS: %ld KiB at start, %ld KiB after %ld calls\n", start / 1024, previous / 1024, call);
    for (;;) {
        for (long i = 0; i < block; i++, call++) one_call(call);
        long now = resident_bytes();
        int done = now - previous < settled;
        if (done || call >= max_warmup || call % 25000 == 0)
            printf("RSS: %ld KiB after %ld calls (%+ld KiB in the last %ld)\n", now / 1024, call, (now - previous) / 1024, block);
        previous = now;
        if (done) break;
        if (call >= max_warmup) {
            g_failed++;
            printf("FAIL the resident set still grew after %ld warm-up calls\n", call);
            break;
        }
    }
    long warmup = call;
    long after_warmup = resident_bytes();
    printf("warm-up: %ld calls (the managed heap reached its steady size); measuring %ld more calls\n", warmup, calls);
    for (long i = 0; i < calls; i++, call++) {
        one_call(call);
        if ((i + 1) % (calls / 4 > 0 ? calls / 4 : 1) == 0 && i + 1 < calls)
            printf("RSS: %ld KiB after %ld calls\n", resident_bytes() / 1024, call + 1);
    }
    long end = resident_bytes();
    printf("RSS: %ld KiB after the warm-up (%ld calls), %ld KiB after %ld more calls\n", after_warmup / 1024, warmup, end / 1024,
           calls);
    char what[160];
    snprintf(what, sizeof what, "%ld calls after the warm-up", calls);
    limit_check(after_warmup, end, what);

    /* Part 2 */
    if (threads > 0) {
        for (int fail = 0; fail <= 1; fail++) {
            if (!churn(2000, fail)) {
                g_failed++;
                printf("FAIL cannot start a thread\n");
                break;
            }
            long before = resident_bytes();
            if (!churn(threads, fail)) {
                g_failed++;
                printf("FAIL cannot start a thread\n");
                break;
            }
            long after = resident_bytes();
            printf("RSS: %ld KiB before, %ld KiB after %ld threads that each made one %s call (%+.0f bytes per thread)\n",
                   before / 1024, after / 1024, threads, fail ? "failing" : "successful", (double)(after - before) / (double)threads);
            /* The runtime's per-thread objects are garbage that its collector reclaims later, so churning threads
               grows the resident set by a few dozen bytes per thread until a collection. What must not happen
               is a per-thread buffer that is never freed: the error message buffer alone is 512 bytes. */
            double per_thread = (double)(after - before) / (double)threads;
            if (per_thread < THREAD_LIMIT_BYTES) {
                g_passed++;
                printf("ok: %ld short-lived threads, one %s call each: %+.0f bytes per thread (limit %d)\n", threads,
                       fail ? "failing" : "successful", per_thread, THREAD_LIMIT_BYTES);
            } else {
                g_failed++;
                printf("FAIL %ld short-lived threads, one %s call each: %+.0f bytes per thread (limit %d)\n", threads,
                       fail ? "failing" : "successful", per_thread, THREAD_LIMIT_BYTES);
            }
        }
        if (g_thread_bad) {
            g_failed++;
            printf("FAIL %ld thread calls returned an unexpected status\n", g_thread_bad);
        }
    }
    printf("%ld passed, %ld failed\n", g_passed, g_failed);
    return g_failed == 0 ? 0 : 1;
}
