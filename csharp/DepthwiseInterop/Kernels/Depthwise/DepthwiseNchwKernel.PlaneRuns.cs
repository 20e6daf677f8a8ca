using System.Buffers;
using System.Runtime.CompilerServices;

namespace DepthwiseInterop.Kernels.Depthwise;

/// <summary>
/// The work-item loop of the 512-bit in-place tiles (DepthwiseNchwKernel.Stride1Sliding.cs, Stride2Sliding.cs,
/// Stride1FiveByFiveNarrow.cs): items are the planar plan's (input plane × band); where a plane is one band, a run of
/// up to <see cref="PlanesPerRun"/> planes of one image goes to the tiles in one call, every multiplier index of a plane
/// before the next plane (the output planes and their weights are then consecutive; each index in turn over the run,
/// output planes M apart, took 1.5-2.4x the time on 2 threads at times, on this shared VM: 28x28x48 M = 4 36-38 µs against
/// 16-24, 56x56x72 M = 2 60-70 µs against 49; 1 thread 0.9-1.0x, C harness); rows over the padding read a zero row of the tiles' element, read at image columns only.
/// </summary>
internal static partial class DepthwiseNchwKernel
{
    /// <summary>Tiles that compute a band of output rows in every plane of a run.</summary>
    private interface IPlaneRunTiles<TElement> where TElement : unmanaged
    {
        /// <summary>Computes <paramref name="band"/>'s rows (<paramref name="bandRows"/> of them) in each plane of <paramref name="run"/>.</summary>
        static abstract void Run(in WideBand<TElement> band, in PlaneRun run, nint bandRows);
    }

    /// <summary>Groups of five to seven output rows, as even as they go (15 rows as 5 + 5 + 5 rather than 7 + 7 + 7); every row-group tile sizes its groups so.</summary>
    private static nint GroupRowsOf(nint bandRows) => Math.Clamp((bandRows + (bandRows + 6) / 7 - 1) / ((bandRows + 6) / 7), 5, 7);

    /// <summary>Computes work items [firstItem, endItem) on <typeparamref name="TTiles"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void RunPlaneRuns<TElement, TTiles>(ref TElement input, ref float filter, ref TElement output, in Plan p, long firstItem, long endItem)
        where TElement : unmanaged where TTiles : IPlaneRunTiles<TElement>
    {
        nint width = p.Width, outputWidth = p.OutputWidth;
        int zeroLength = checked((int)width);
        TElement[] zeros = ArrayPool<TElement>.Shared.Rent(zeroLength);
        Array.Clear(zeros, 0, zeroLength);
        fixed (TElement* pinnedInput = &input, pinnedOutput = &output, zero = zeros)
        fixed (float* pinnedFilter = &filter)
        try
        {
            nint planeIn = p.Height * width, planeOut = p.OutputHeight * outputWidth, outputChannels = p.Channels * p.Multiplier;
            for (long item = firstItem; item < endItem;)
            {
                nint plane = (nint)(item / p.Bands), bandIndex = (nint)(item % p.Bands);
                nint batch = plane / p.Channels, channel = plane % p.Channels;
                nint firstRow = bandIndex * p.BandRows, endRow = Math.Min(firstRow + p.BandRows, p.OutputHeight);
                nint planes = p.Bands == 1 ? (nint)Math.Min(Math.Min(endItem - item, p.Channels - channel), PlanesPerRun) : 1;
                item += planes;
                // Every multiplier index of an input plane before the next plane: the output planes in order.
                nint o = channel * p.Multiplier;
                var band = new WideBand<TElement>(pinnedInput + plane * planeIn, zero, p.Height, width, p.PadTop, p.PadLeft, pinnedFilter + o,
                    outputChannels, pinnedOutput + (batch * outputChannels + o) * planeOut, outputWidth, firstRow, endRow);
                var run = new PlaneRun(planeIn, pinnedFilter + o, outputChannels, 1, planeOut, planes * p.Multiplier, p.Multiplier);
                TTiles.Run(band, run, endRow - firstRow);
            }
        }
        finally
        {
            ArrayPool<TElement>.Shared.Return(zeros);
        }
    }
}
