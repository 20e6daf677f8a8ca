namespace DepthwiseInterop.Tests.Numerics;

/// <summary>The bfloat16 storage type: exact widening, round-to-nearest-even narrowing, NaN and overflow.</summary>
public sealed class BFloat16Tests
{
    [TestCase(1.0f, (ushort)0x3F80)]
    [TestCase(-2.0f, (ushort)0xC000)]
    [TestCase(0.0f, (ushort)0x0000)]
    [TestCase(-0.0f, (ushort)0x8000)]
    [TestCase(float.PositiveInfinity, (ushort)0x7F80)]
    [TestCase(float.NegativeInfinity, (ushort)0xFF80)]
    [TestCase(float.MaxValue, (ushort)0x7F80)] // rounds up past the largest bfloat16: infinity
    [TestCase(float.Epsilon, (ushort)0x0000)]  // far below half of the smallest bfloat16 subnormal
    public void KnownValuesRound(float value, ushort bits) =>
        Assert.That(((BFloat16)value).Bits, Is.EqualTo(bits));

    [Test]
    public void TiesGoToTheEvenNeighbour()
    {
        // 1 + 2^-8 lies half-way between 1 (even mantissa) and 1 + 2^-7: rounds down to 1.
        Assert.That(((BFloat16)BitConverter.UInt32BitsToSingle(0x3F80_8000)).Bits, Is.EqualTo(0x3F80));
        // 1 + 3·2^-8 lies half-way between 1 + 2^-7 (odd) and 1 + 2^-6 (even): rounds up.
        Assert.That(((BFloat16)BitConverter.UInt32BitsToSingle(0x3F81_8000)).Bits, Is.EqualTo(0x3F82));
        // Just above half-way rounds up; just below rounds down.
        Assert.That(((BFloat16)BitConverter.UInt32BitsToSingle(0x3F80_8001)).Bits, Is.EqualTo(0x3F81));
        Assert.That(((BFloat16)BitConverter.UInt32BitsToSingle(0x3F80_7FFF)).Bits, Is.EqualTo(0x3F80));
    }

    [TestCase(0x7FC0_0000u)]
    [TestCase(0x7F80_0001u)] // a signalling NaN whose payload sits only in the dropped half
    [TestCase(0xFFFF_FFFFu)] // rounding would carry into the sign
    [TestCase(0x7FBF_FFFFu)]
    public void NaNStaysNaNWithItsSign(uint bits)
    {
        var rounded = (BFloat16)BitConverter.UInt32BitsToSingle(bits);
        Assert.That(float.IsNaN((float)rounded), Is.True);
        Assert.That(rounded.Bits >> 15, Is.EqualTo(bits >> 31));
    }

    [Test]
    public void EveryBFloat16WidensExactlyAndRoundTrips()
    {
        for (int bits = 0; bits <= ushort.MaxValue; bits++)
        {
            var value = BFloat16.FromBits((ushort)bits);
            float single = (float)value;
            Assert.That(BitConverter.SingleToUInt32Bits(single), Is.EqualTo((uint)bits << 16));
            if (!float.IsNaN(single)) Assert.That(((BFloat16)single).Bits, Is.EqualTo((ushort)bits));
        }
    }

    [Test]
    public void RoundingMatchesNearestByValue()
    {
        var random = new Random(3);
        for (int i = 0; i < 100_000; i++)
        {
            float value = BitConverter.UInt32BitsToSingle((uint)random.NextInt64(0, 0x7F7F_FFFF));
            double rounded = (double)(BFloat16)value;
            // No bfloat16 neighbour of the result is nearer to the value.
            var result = (BFloat16)value;
            // (Values are positive: the neighbour below +0 is +0 itself.)
            double below = result.Bits == 0 ? 0 : (float)BFloat16.FromBits((ushort)(result.Bits - 1));
            double above = (float)BFloat16.FromBits((ushort)(result.Bits + 1));
            Assert.That(Math.Abs(rounded - value), Is.LessThanOrEqualTo(Math.Abs(below - value)), $"{value:R}");
            Assert.That(Math.Abs(rounded - value), Is.LessThanOrEqualTo(Math.Abs(above - value)), $"{value:R}");
        }
    }

    [Test]
    public void EqualityIsBitwise()
    {
        Assert.That(BFloat16.FromBits(0x7FC0) == BFloat16.FromBits(0x7FC0), Is.True);
        Assert.That((BFloat16)0.0f == (BFloat16)(-0.0f), Is.False);
        Assert.That(((BFloat16)1.5f).ToString(), Is.EqualTo("1.5"));
    }
}
