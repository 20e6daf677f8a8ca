using DepthwiseInterop.Kernels.Precision;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// The vectorised conversions of both 16-bit formats against independent scalar conversions: .NET's own
/// <see cref="Half"/> casts and <see cref="BFloat16"/>'s. Widening is checked on all 65,536 patterns;
/// narrowing on edge values and random floats of every magnitude. Spans of every length check that the
/// vector body and the tail give the same bits.
/// </summary>
public sealed class FormatConversionTests
{
    private static ushort[] AllPatterns() => Enumerable.Range(0, 65536).Select(i => (ushort)i).ToArray();

    [Test]
    public void HalfWidensEveryPatternExactly()
    {
        var patterns = AllPatterns();
        var widened = new float[patterns.Length];
        HalfFormat.ToSingle(patterns, widened);
        for (int i = 0; i < patterns.Length; i++)
        {
            float expected = (float)BitConverter.UInt16BitsToHalf(patterns[i]);
            if (float.IsNaN(expected))
                Assert.That(float.IsNaN(widened[i]) && float.IsNegative(widened[i]) == float.IsNegative(expected), Is.True, $"0x{i:X4}");
            else
                Assert.That(BitConverter.SingleToUInt32Bits(widened[i]), Is.EqualTo(BitConverter.SingleToUInt32Bits(expected)), $"0x{i:X4}");
        }
    }

    [Test]
    public void BFloat16WidensEveryPatternExactly()
    {
        var patterns = AllPatterns();
        var widened = new float[patterns.Length];
        BFloat16Format.ToSingle(patterns, widened);
        for (int i = 0; i < patterns.Length; i++)
            Assert.That(BitConverter.SingleToUInt32Bits(widened[i]), Is.EqualTo((uint)i << 16), $"0x{i:X4}");
    }

    private static float[] NarrowingInputs()
    {
        var values = new List<float>
        {
            0f, -0f, 1f, -1f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, float.PositiveInfinity, float.NegativeInfinity,
            float.NaN, BitConverter.UInt32BitsToSingle(0x7F80_0001), BitConverter.UInt32BitsToSingle(0xFFC0_1234),
            65504f, 65519.99f, 65520f, 65536f, -65520f,                // largest half, the overflow threshold, beyond
            6.1035156e-5f, 6.1035153e-5f, 5.9604645e-8f, 2.9802322e-8f, 2.9802326e-8f, 8.940697e-8f, // half subnormal edges and ties
        };
        // Every half value, and the midpoints between neighbours (ties), nudged either way.
        for (int bits = 0; bits < 0x7C00; bits++)
        {
            float value = (float)BitConverter.UInt16BitsToHalf((ushort)bits);
            float next = (float)BitConverter.UInt16BitsToHalf((ushort)(bits + 1));
            float middle = (value + next) / 2;
            values.AddRange([value, middle, MathF.BitDecrement(middle), MathF.BitIncrement(middle), -middle]);
        }
        var random = new Random(11);
        for (int i = 0; i < 200_000; i++) values.Add(BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 1L << 32)));
        return values.ToArray();
    }

    [Test]
    public void HalfNarrowingMatchesDotNetsRounding()
    {
        var inputs = NarrowingInputs();
        var narrowed = new ushort[inputs.Length];
        HalfFormat.FromSingle(inputs, narrowed);
        for (int i = 0; i < inputs.Length; i++)
        {
            Half expected = (Half)inputs[i];
            if (Half.IsNaN(expected))
            {
                Half got = BitConverter.UInt16BitsToHalf(narrowed[i]);
                Assert.That(Half.IsNaN(got) && Half.IsNegative(got) == float.IsNegative(inputs[i]), Is.True, $"{inputs[i]:R}");
            }
            else
            {
                Assert.That(narrowed[i], Is.EqualTo(BitConverter.HalfToUInt16Bits(expected)), $"{inputs[i]:R} (0x{BitConverter.SingleToUInt32Bits(inputs[i]):X8})");
            }
        }
    }

    [Test]
    public void BFloat16NarrowingMatchesTheScalarType()
    {
        var inputs = NarrowingInputs();
        var narrowed = new ushort[inputs.Length];
        BFloat16Format.FromSingle(inputs, narrowed);
        for (int i = 0; i < inputs.Length; i++)
            Assert.That(narrowed[i], Is.EqualTo(((BFloat16)inputs[i]).Bits), $"{inputs[i]:R}");
    }

    [Test]
    public void EverySpanLengthGivesTheSameBitsAsTheVectorBody()
    {
        var random = new Random(5);
        var inputs = Enumerable.Range(0, 200).Select(_ => (float)(random.NextDouble() * 1e3 - 5e2)).ToArray();
        var whole = new ushort[inputs.Length];
        HalfFormat.FromSingle(inputs, whole);
        var wholeBf = new ushort[inputs.Length];
        BFloat16Format.FromSingle(inputs, wholeBf);
        for (int start = 0; start < 40; start++)
        for (int length = 0; start + length <= inputs.Length && length < 70; length++)
        {
            var part = new ushort[length];
            HalfFormat.FromSingle(inputs.AsSpan(start, length), part);
            Assert.That(part, Is.EqualTo(whole.AsSpan(start, length).ToArray()), $"half [{start}, +{length})");
            BFloat16Format.FromSingle(inputs.AsSpan(start, length), part);
            Assert.That(part, Is.EqualTo(wholeBf.AsSpan(start, length).ToArray()), $"bfloat16 [{start}, +{length})");
            var back = new float[length];
            HalfFormat.ToSingle(whole.AsSpan(start, length), back);
            for (int i = 0; i < length; i++) Assert.That(back[i], Is.EqualTo((float)BitConverter.UInt16BitsToHalf(whole[start + i])));
        }
    }

    [Test]
    public void ShortDestinationIsRefused()
    {
        Assert.Throws<ArgumentException>(() => HalfFormat.ToSingle(new ushort[4], new float[3]));
        Assert.Throws<ArgumentException>(() => BFloat16Format.FromSingle(new float[4], new ushort[3]));
    }
}
