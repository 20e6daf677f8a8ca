using System.Buffers;

namespace DepthwiseInterop.Kernels.Conv2D;

/// <summary>
/// What one call of <see cref="Conv2DNhwcKernel"/> needs beside the tensors, rented from the shared pools: the tap
/// offset table (built here), room for the filter packed once per call when the plan packs it (aligned with
/// <see cref="Conv2DNhwcKernel.Align{T}"/> once pinned, then packed by the caller at its vector width), and a
/// zero vector of one group's channels (two with <see cref="Conv2DNhwcKernel.Plan.GroupPairs"/>) for the taps over the padding. <see cref="Return"/> gives them back.
/// </summary>
internal readonly struct Conv2DScratch<T> where T : unmanaged
{
    public readonly int[] Offsets;
    /// <summary>Null when the plan packs block by block in the work items (see <see cref="Conv2DNhwcKernel.Plan.Packed"/>).</summary>
    public readonly T[]? Packed;
    public readonly T[] Zero;

    public Conv2DScratch(in Conv2DNhwcKernel.Plan plan)
    {
        Offsets = ArrayPool<int>.Shared.Rent(checked((int)(2 * plan.Taps)));
        Conv2DNhwcKernel.BuildOffsets(Offsets, plan);
        Packed = plan.Packed ? ArrayPool<T>.Shared.Rent(checked((int)plan.PackedLength + Conv2DNhwcKernel.AlignmentElements<T>())) : null;
        int zeros = checked((plan.GroupPairs ? 2 : 1) * (int)plan.ChannelsPerGroup);
        Zero = ArrayPool<T>.Shared.Rent(zeros);
        Zero.AsSpan(0, zeros).Clear();
    }

    public void Return()
    {
        ArrayPool<int>.Shared.Return(Offsets);
        if (Packed is not null) ArrayPool<T>.Shared.Return(Packed);
        ArrayPool<T>.Shared.Return(Zero);
    }
}
