namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// A 16-bit storage format that the kernels compute in float32: conversion of whole spans in both
/// directions. Every element converts to the same bits whatever its position in a span (vector body or
/// tail), so that results do not depend on how a problem is cut into pieces.
/// </summary>
internal interface IReducedPrecisionFormat
{
    /// <summary>Exact widening of 16-bit values to float32.</summary>
    static abstract void ToSingle(ReadOnlySpan<ushort> source, Span<float> destination);

    /// <summary>Rounding of float32 values to the format: nearest, ties to even; NaN stays NaN.</summary>
    static abstract void FromSingle(ReadOnlySpan<float> source, Span<ushort> destination);
}
