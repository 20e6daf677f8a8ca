/*
 * Scalar float16 / bfloat16 <-> float conversions for the C tests, written from the IEEE definitions
 * (independently of the library's vector code): round to nearest, ties to even; NaN stays NaN.
 */
#ifndef DEPTHWISE_INTEROP_TEST_HALF_BITS_H
#define DEPTHWISE_INTEROP_TEST_HALF_BITS_H

#include <math.h>
#include <stdint.h>
#include <string.h>

static inline float bits_to_float(uint32_t bits) { float f; memcpy(&f, &bits, 4); return f; }
static inline uint32_t float_to_bits(float f) { uint32_t bits; memcpy(&bits, &f, 4); return bits; }

static inline float half_to_float(uint16_t h)
{
    int exponent = (h >> 10) & 0x1F;
    int mantissa = h & 0x3FF;
    float magnitude;
    if (exponent == 0x1F) magnitude = mantissa ? NAN : INFINITY;
    else if (exponent == 0) magnitude = ldexpf((float)mantissa, -24);
    else magnitude = ldexpf((float)(mantissa | 0x400), exponent - 25);
    return (h & 0x8000) ? -magnitude : magnitude;
}

/* The nearest half to a double by value (ties to the even mantissa); beyond 65520 in magnitude, infinity. */
static inline uint16_t half_from_double(double value)
{
    uint16_t sign = signbit(value) ? 0x8000 : 0;
    double a = fabs(value);
    if (isnan(value)) return (uint16_t)(sign | 0x7E00);
    if (a >= 65520.0) return (uint16_t)(sign | 0x7C00);
    int e;
    frexp(a, &e);                      /* a = m * 2^e, m in [0.5, 1) */
    int step_exponent = e - 11;        /* 11 significant bits */
    if (step_exponent < -24) step_exponent = -24; /* subnormal spacing */
    double steps = ldexp(a, -step_exponent);
    double rounded = nearbyint(steps);  /* default rounding mode: to nearest, ties to even */
    double result = ldexp(rounded, step_exponent);
    /* re-encode exactly from the value */
    if (result == 0) return sign;
    int re;
    frexp(result, &re);
    if (re - 1 < -14) return (uint16_t)(sign | (uint16_t)ldexp(result, 24));
    uint16_t exponent_field = (uint16_t)(re - 1 + 15);
    uint16_t mantissa = (uint16_t)(ldexp(result, 11 - re) - 1024);
    return (uint16_t)(sign | (exponent_field << 10) | mantissa);
}

static inline float bfloat16_to_float(uint16_t b) { return bits_to_float((uint32_t)b << 16); }

/* float32 first (exact for the test's values), then to nearest bfloat16, ties to even. */
static inline uint16_t bfloat16_from_double(double value)
{
    uint32_t bits = float_to_bits((float)value);
    if (isnan(value)) return (uint16_t)((bits >> 16) | 0x40);
    return (uint16_t)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
}

#endif
