/*
 * concurrency_test.c - libdepthwise_interop called from 8 threads at once.
 *
 *   gcc -std=c11 -Wall -Wextra -Werror -pedantic -pthread concurrency_test.c $(pkg-config --cflags --libs depthwise_interop)
 *   LD_LIBRARY_PATH=$PREFIX/lib ./concurrency_test
 *
 * 1. Single-threaded, the main thread computes a table of cases (conv2d dense and grouped, depthwise; float32
 *    and float64; NHWC and NCHW; VALID / SAME / EXPLICIT; strides, dilations) and, for each thread, a set of
 *    failing calls whose error messages are all different (each names a thread-specific number).
 *    Those results are computed with di_set_num_threads(1): the library itself single-threaded too.
 * 2. 8 threads, released together by a barrier, make 1,000 calls each: successful computations and output shape
 *    queries, in a thread-specific order, each result compared bitwise with the single-threaded one; and every
 *    fourth call a failing one, followed by sched_yield() so that the other threads fail in between. After every
 *    call the thread reads di_last_error_message(), which must be the message of its own last failure (or ""
 *    before its first), never another thread's.
 *    Meanwhile a ninth thread keeps changing the library's thread count (di_set_num_threads 1, 2, 3, 4, 0 =
 *    default; "safe to call at any time", "results bitwise identical for every thread count"), so the large
 *    cases run on the library's worker threads with varying counts, and concurrent calls contend for its pool.
 * Prints "N passed, N failed" (one check per call, plus the setup checks); exits 1 if any check failed.
 */
#define _GNU_SOURCE
#include "depthwise_interop.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define THREADS 8
#define CALLS_PER_THREAD 1000
#define CASES 56       /* the last LARGE_CASES are depthwise problems big enough for the library's worker threads */
#define LARGE_CASES 8
#define FAILURES_PER_THREAD 8
#define GUARD_BYTES 64
#define MESSAGE_MAX 512

static atomic_long g_passed;
static atomic_long g_failed;
static atomic_long g_reports;
static pthread_mutex_t g_print = PTHREAD_MUTEX_INITIALIZER;

static void fail(const char* format, ...)
{
    atomic_fetch_add(&g_failed, 1);
    if (atomic_fetch_add(&g_reports, 1) >= 30) return;
    pthread_mutex_lock(&g_print);
    va_list args;
    va_start(args, format);
    printf("FAIL ");
    vprintf(format, args);
    printf("\n");
    va_end(args);
    fflush(stdout);
    pthread_mutex_unlock(&g_print);
}

static void pass(void) { atomic_fetch_add(&g_passed, 1); }

/* ---------------------------------------------------------------------------------------------------- */
/* Cases                                                                                                */
/* ---------------------------------------------------------------------------------------------------- */

typedef struct test_case {
    int depthwise;
    di_dtype dtype;
    int64_t in_shape[4], f_shape[4], out_shape[4];
    int32_t out_rank;
    di_conv_params params;
    int64_t in_count, f_count, out_count;
    void* input;
    void* filter;
    unsigned char* expected; /* out_count elements, computed single-threaded */
} test_case;

static test_case g_cases[CASES];

static uint64_t g_rng = 0x5EED5EED12345678ull;
static uint64_t next_u64(void)
{
    uint64_t z = (g_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static int64_t rnd(int64_t n) { return (int64_t)(next_u64() % (uint64_t)n); }

static size_t elem_size(di_dtype dtype) { return dtype == DI_DTYPE_FLOAT64 ? 8 : 4; }

static int64_t product(const int64_t* shape, int rank)
{
    int64_t n = 1;
    for (int i = 0; i < rank; i++) n *= shape[i];
    return n;
}

static void* random_buffer(di_dtype dtype, int64_t count)
{
    unsigned char* buffer = malloc((size_t)(count > 0 ? count : 1) * elem_size(dtype));
    if (buffer == NULL) return NULL;
    for (int64_t i = 0; i < count; i++) {
        double v = (double)(int64_t)(next_u64() >> 11) / 9007199254740992.0 * 2.0 - 1.0;
        if (dtype == DI_DTYPE_FLOAT64) {
            memcpy(buffer + i * 8, &v, 8);
        } else {
            float f = (float)v;
            memcpy(buffer + i * 4, &f, 4);
        }
    }
    return buffer;
}

/* Draws a valid case; returns 0 to draw again. */
static int make_case(test_case* t, int index)
{
    memset(t, 0, sizeof *t);
    t->depthwise = index % 2;
    t->dtype = (index / 2) % 2 ? DI_DTYPE_FLOAT64 : DI_DTYPE_FLOAT32;
    di_conv_params_init(&t->params);
    int nchw = (index / 4) % 2;
    t->params.data_format = nchw ? DI_DATA_FORMAT_NCHW : DI_DATA_FORMAT_NHWC;
    t->params.padding = (int32_t)rnd(3);
    int ah = nchw ? 2 : 1, aw = nchw ? 3 : 2, ac = nchw ? 1 : 3;
    int large = index >= CASES - LARGE_CASES;
    int64_t c = large ? 16 + rnd(17) : 1 + rnd(8);
    t->in_shape[0] = 1 + rnd(3);
    t->in_shape[ah] = large ? 24 + rnd(17) : 3 + rnd(14);
    t->in_shape[aw] = large ? 24 + rnd(17) : 3 + rnd(14);
    t->in_shape[ac] = c;
    t->f_shape[0] = large ? 3 : 1 + rnd(4);
    t->f_shape[1] = large ? 3 : 1 + rnd(4);
    if (large) t->depthwise = 1;
    if (t->depthwise) {
        t->f_shape[2] = c;
        t->f_shape[3] = 1 + rnd(3);
    } else {
        int64_t depth = c;
        if (rnd(2)) /* grouped: a divisor of c */
            for (depth = 1 + rnd(c); c % depth != 0; depth--) {
            }
        t->f_shape[2] = depth;
        t->f_shape[3] = (c / depth) * (1 + rnd(3));
    }
    t->params.strides[ah] = large ? 1 : 1 + rnd(3);
    t->params.strides[aw] = large ? 1 : 1 + rnd(3);
    t->params.dilations[ah] = 1 + rnd(2);
    t->params.dilations[aw] = 1 + rnd(2);
    if (t->params.padding == DI_PADDING_EXPLICIT)
        for (int i = 2 * ah; i < 2 * aw + 2; i++) t->params.explicit_paddings[i] = rnd(3);

    t->in_count = product(t->in_shape, 4);
    t->f_count = product(t->f_shape, 4);
    di_status status = t->depthwise
        ? di_depthwise_conv2d_output_shape(t->in_shape, 4, t->f_shape, 4, &t->params, t->out_shape, 4, &t->out_rank)
        : di_conv2d_output_shape(t->in_shape, 4, t->f_shape, 4, &t->params, t->out_shape, 4, &t->out_rank);
    if (status != DI_STATUS_OK) return 0; /* e.g. a VALID window larger than the input */
    t->out_count = product(t->out_shape, 4);
    if (t->out_count == 0) return 0;
    if (large && t->out_count * t->f_shape[0] * t->f_shape[1] < (1 << 18)) return 0; /* the library's parallel threshold */
    t->input = random_buffer(t->dtype, t->in_count);
    t->filter = random_buffer(t->dtype, t->f_count);
    t->expected = malloc((size_t)t->out_count * elem_size(t->dtype));
    if (!t->input || !t->filter || !t->expected) return -1;
    status = t->depthwise ? di_depthwise_conv2d(t->dtype, t->input, t->in_count, t->in_shape, 4, t->filter, t->f_count,
                                                t->f_shape, 4, &t->params, t->expected, t->out_count)
                          : di_conv2d(t->dtype, t->input, t->in_count, t->in_shape, 4, t->filter, t->f_count, t->f_shape, 4,
                                      &t->params, t->expected, t->out_count);
    if (status != DI_STATUS_OK) {
        fail("single-threaded case %d failed: %s", index, di_last_error_message());
        return -1;
    }
    return 1;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Failing calls with thread-specific messages                                                          */
/* ---------------------------------------------------------------------------------------------------- */

typedef struct failure {
    int kind;
    int64_t value;              /* thread-specific number that the message names */
    di_status status;           /* single-threaded result */
    char message[MESSAGE_MAX];  /* single-threaded message */
} failure;

static failure g_failures[THREADS][FAILURES_PER_THREAD];

/* Runs failing call (thread, k) with the true output_count into output (sentinel-filled here); *wrote_output is
 * set if the call wrote any byte of output or of its guard. Each message names a thread-specific number. */
static di_status run_failure(int thread, int k, unsigned char* output, int* wrote_output)
{
    const test_case* t = &g_cases[(thread * FAILURES_PER_THREAD + k) % CASES];
    int64_t value = 1000 + thread * 100 + k;
    g_failures[thread][k].value = value;
    g_failures[thread][k].kind = k % 4;
    di_conv_params params = t->params;
    int64_t in_shape[4];
    memcpy(in_shape, t->in_shape, sizeof in_shape);
    int64_t in_count = t->in_count, f_count = t->f_count;
    switch (k % 4) {
    case 0: in_count = t->in_count + value; break;       /* input_count disagrees with the shape */
    case 1: params.struct_size = (uint32_t)value; break; /* wrong struct_size */
    case 2: in_shape[0] = -value; in_count = 0; break;   /* negative dimension */
    default: f_count = t->f_count + value; break;        /* filter_count disagrees with the shape */
    }
    size_t bytes = (size_t)t->out_count * elem_size(t->dtype) + GUARD_BYTES;
    memset(output, 0xA5, bytes);
    di_status status = t->depthwise ? di_depthwise_conv2d(t->dtype, t->input, in_count, in_shape, 4, t->filter, f_count,
                                                          t->f_shape, 4, &params, output, t->out_count)
                                    : di_conv2d(t->dtype, t->input, in_count, in_shape, 4, t->filter, f_count, t->f_shape, 4,
                                                &params, output, t->out_count);
    *wrote_output = 0;
    for (size_t i = 0; i < bytes; i++)
        if (output[i] != 0xA5) *wrote_output = 1;
    return status;
}

/* ---------------------------------------------------------------------------------------------------- */
/* Threads                                                                                              */
/* ---------------------------------------------------------------------------------------------------- */

static pthread_barrier_t g_start;
static atomic_int g_active;     /* threads inside their call loop */
static atomic_int g_max_active; /* the most at once */

typedef struct thread_arg {
    int id;
    unsigned char* output; /* large enough for every case, plus a guard */
    size_t output_bytes;
} thread_arg;

static size_t g_max_output_bytes;
static atomic_int g_workers_running;
static atomic_long g_toggles;

/* Changes the library's thread count while the workers run. */
static void* toggler(void* unused)
{
    (void)unused;
    static const int32_t settings[] = {1, 2, 3, 4, 0};
    pthread_barrier_wait(&g_start);
    for (long i = 0; atomic_load(&g_workers_running) > 0; i++) {
        int32_t setting = settings[i % 5];
        di_status status = di_set_num_threads(setting);
        int32_t now = di_get_num_threads();
        if (status != DI_STATUS_OK || now < 1) fail("di_set_num_threads(%d) gave %d, then di_get_num_threads() %d", (int)setting, (int)status, (int)now);
        atomic_fetch_add(&g_toggles, 1);
        struct timespec pause = {0, 200000}; /* 0.2 ms */
        nanosleep(&pause, NULL);
    }
    return NULL;
}

static void* worker(void* argument)
{
    thread_arg* arg = argument;
    int id = arg->id;
    char own[MESSAGE_MAX] = ""; /* this thread's last failure message */

    pthread_barrier_wait(&g_start);

    const char* first = di_last_error_message();
    if (first == NULL || first[0] != '\0')
        fail("thread %d: di_last_error_message() before its first failure is \"%s\", expected \"\"", id,
             first ? first : "(NULL)");
    else
        pass();

    int active = atomic_fetch_add(&g_active, 1) + 1;
    for (int seen = atomic_load(&g_max_active); active > seen && !atomic_compare_exchange_weak(&g_max_active, &seen, active);) {
    }
    for (int i = 0; i < CALLS_PER_THREAD; i++) {
        if (i % 4 == 1) {
            int k = (i / 4) % FAILURES_PER_THREAD;
            const failure* f = &g_failures[id][k];
            int wrote;
            di_status status = run_failure(id, k, arg->output, &wrote);
            const char* message = di_last_error_message();
            if (status != f->status || wrote || message == NULL || strcmp(message, f->message) != 0)
                fail("thread %d call %d: failing call %d gave %d \"%s\"%s, single-threaded %d \"%s\"", id, i, k, (int)status,
                     message ? message : "(NULL)", wrote ? " and wrote the output" : "", (int)f->status, f->message);
            else
                pass();
            snprintf(own, sizeof own, "%s", f->message);
            sched_yield(); /* let the other threads fail before this one reads its message again */
            continue;
        }

        const test_case* t = &g_cases[(id * 7 + i * 13) % CASES];
        if (i % 10 == 0) {
            int64_t shape[8];
            int32_t rank = -1;
            memset(shape, 0x5A, sizeof shape);
            di_status status = t->depthwise
                ? di_depthwise_conv2d_output_shape(t->in_shape, 4, t->f_shape, 4, &t->params, shape, 8, &rank)
                : di_conv2d_output_shape(t->in_shape, 4, t->f_shape, 4, &t->params, shape, 8, &rank);
            if (status != DI_STATUS_OK || rank != 4 || memcmp(shape, t->out_shape, sizeof t->out_shape) != 0)
                fail("thread %d call %d: output shape query gave %d (rank %d)", id, i, (int)status, (int)rank);
            else
                pass();
        } else {
            size_t bytes = (size_t)t->out_count * elem_size(t->dtype);
            memset(arg->output, 0xA5, bytes + GUARD_BYTES);
            di_status status = t->depthwise
                ? di_depthwise_conv2d(t->dtype, t->input, t->in_count, t->in_shape, 4, t->filter, t->f_count, t->f_shape, 4,
                                      &t->params, arg->output, t->out_count)
                : di_conv2d(t->dtype, t->input, t->in_count, t->in_shape, 4, t->filter, t->f_count, t->f_shape, 4, &t->params,
                            arg->output, t->out_count);
            int guard_ok = 1;
            for (size_t b = bytes; b < bytes + GUARD_BYTES; b++)
                if (arg->output[b] != 0xA5) guard_ok = 0;
            if (status != DI_STATUS_OK)
                fail("thread %d call %d: %s case failed: %s", id, i, t->depthwise ? "depthwise" : "conv2d", di_last_error_message());
            else if (memcmp(arg->output, t->expected, bytes) != 0)
                fail("thread %d call %d: %s %s result differs from the single-threaded one", id, i,
                     t->depthwise ? "depthwise" : "conv2d", t->dtype == DI_DTYPE_FLOAT64 ? "float64" : "float32");
            else if (!guard_ok)
                fail("thread %d call %d: wrote past the output", id, i);
            else
                pass();
        }
        const char* message = di_last_error_message();
        if (message == NULL || strcmp(message, own) != 0)
            fail("thread %d call %d: after a successful call di_last_error_message() is \"%s\", its own last failure was \"%s\"",
                 id, i, message ? message : "(NULL)", own);
    }
    atomic_fetch_sub(&g_active, 1);
    atomic_fetch_sub(&g_workers_running, 1);
    return NULL;
}

int main(void)
{
    /* 1. single-threaded: cases and their results, with the library single-threaded too */
    if (di_set_num_threads(1) != DI_STATUS_OK || di_get_num_threads() != 1) fail("di_set_num_threads(1) did not take");
    int made = 0, attempts = 0;
    while (made < CASES && attempts < 100000) {
        attempts++;
        int r = make_case(&g_cases[made], made);
        if (r < 0) {
            printf("FAIL setup of case %d\n", made);
            printf("%ld passed, %ld failed\n", (long)atomic_load(&g_passed), (long)atomic_load(&g_failed) + 1);
            return 1;
        }
        if (r == 1) {
            size_t bytes = (size_t)g_cases[made].out_count * elem_size(g_cases[made].dtype);
            if (bytes > g_max_output_bytes) g_max_output_bytes = bytes;
            made++;
        }
    }
    if (made < CASES) {
        fail("could only make %d valid cases", made);
        printf("%ld passed, %ld failed\n", (long)atomic_load(&g_passed), (long)atomic_load(&g_failed));
        return 1;
    }
    int counts[2][2] = {{0, 0}, {0, 0}};
    for (int i = 0; i < CASES; i++) counts[g_cases[i].depthwise][g_cases[i].dtype == DI_DTYPE_FLOAT64]++;
    printf("cases: conv2d float32 %d, conv2d float64 %d, depthwise float32 %d, depthwise float64 %d (%d of them large enough "
           "for the library's worker threads); largest output %zu bytes; vector tier %s\n",
           counts[0][0], counts[0][1], counts[1][0], counts[1][1], LARGE_CASES, g_max_output_bytes, di_cpu_isa());

    /* the failing calls, single-threaded: their messages must all differ between threads */
    unsigned char* scratch = malloc(g_max_output_bytes + GUARD_BYTES);
    if (scratch == NULL) return 1;
    for (int t = 0; t < THREADS; t++)
        for (int k = 0; k < FAILURES_PER_THREAD; k++) {
            int wrote;
            failure* f = &g_failures[t][k];
            f->status = run_failure(t, k, scratch, &wrote);
            snprintf(f->message, sizeof f->message, "%s", di_last_error_message());
            if (f->status == DI_STATUS_OK || f->message[0] == '\0' || wrote)
                fail("single-threaded failing call (thread %d, kind %d) gave %d \"%s\"%s", t, f->kind, (int)f->status, f->message,
                     wrote ? " and wrote the output" : "");
            else
                pass();
        }
    int distinct = 1;
    for (int t = 0; t < THREADS; t++)
        for (int k = 0; k < FAILURES_PER_THREAD; k++)
            for (int u = 0; u < THREADS; u++)
                for (int j = 0; j < FAILURES_PER_THREAD; j++)
                    if (u != t && strcmp(g_failures[t][k].message, g_failures[u][j].message) == 0) {
                        if (distinct)
                            fail("threads %d and %d have the same failure message \"%s\": cannot tell them apart", t, u,
                                 g_failures[t][k].message);
                        distinct = 0;
                    }
    if (distinct) pass();
    free(scratch);
    printf("failure messages, e.g.: \"%s\" / \"%s\"\n", g_failures[0][0].message, g_failures[THREADS - 1][3].message);

    /* 2. the threads. The main thread failed above; its message must not leak into the new threads. */
    pthread_t threads[THREADS], toggle;
    thread_arg args[THREADS];
    pthread_barrier_init(&g_start, NULL, THREADS + 1);
    atomic_store(&g_workers_running, THREADS);
    if (pthread_create(&toggle, NULL, toggler, NULL) != 0) {
        printf("FAIL cannot start the toggling thread\n");
        return 1;
    }
    for (int t = 0; t < THREADS; t++) {
        args[t].id = t;
        args[t].output_bytes = g_max_output_bytes + GUARD_BYTES;
        args[t].output = malloc(args[t].output_bytes);
        if (args[t].output == NULL || pthread_create(&threads[t], NULL, worker, &args[t]) != 0) {
            printf("FAIL cannot start thread %d\n", t);
            return 1;
        }
    }
    for (int t = 0; t < THREADS; t++) pthread_join(threads[t], NULL);
    pthread_join(toggle, NULL);
    pthread_barrier_destroy(&g_start);
    printf("the library's thread count was changed %ld times during the run\n", atomic_load(&g_toggles));

    /* the threads' call loops overlapped in time */
    printf("at most %d threads were inside their call loops at once\n", atomic_load(&g_max_active));
    if (atomic_load(&g_max_active) < 2) fail("the threads never overlapped: nothing concurrent was tested");
    else pass();

    /* the main thread's own message is still its last failure's */
    const char* message = di_last_error_message();
    const char* last = g_failures[THREADS - 1][FAILURES_PER_THREAD - 1].message;
    if (message == NULL || strcmp(message, last) != 0)
        fail("main thread: di_last_error_message() is \"%s\" after the threads ran, expected its own \"%s\"",
             message ? message : "(NULL)", last);
    else
        pass();

    printf("%d threads x %d calls (%d failing by design, %d output shape queries per thread)\n", THREADS, CALLS_PER_THREAD,
           CALLS_PER_THREAD / 4, (CALLS_PER_THREAD + 9) / 10);
    printf("%ld passed, %ld failed\n", (long)atomic_load(&g_passed), (long)atomic_load(&g_failed));
    for (int t = 0; t < THREADS; t++) free(args[t].output);
    return atomic_load(&g_failed) == 0 ? 0 : 1;
}
