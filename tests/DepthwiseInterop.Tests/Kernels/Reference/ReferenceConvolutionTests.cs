using System.Numerics;
using DepthwiseInterop.Kernels.Reference;
using DepthwiseInterop.Tests.Support;

namespace DepthwiseInterop.Tests.Kernels.Reference;

/// <summary>
/// The scalar reference kernel against the independent naive oracle in <see cref="NaiveConvolution"/>, plus
/// hand-computed examples, algebraic identities (depthwise = grouped conv2d, NCHW = NHWC transposed) and
/// IEEE special values.
/// </summary>
[TestFixture]
public class ReferenceConvolutionTests
{
    private const int RandomCaseCount = 300;

    /// <summary>
    /// Tolerances relative to the sum of |x * w| over an output element's terms (the only scale that is
    /// meaningful when terms cancel): at most 5*5*3 = 75 terms, so float summation stays well inside 1e-5.
    /// </summary>
    private const double FloatTolerance = 1e-5;
    private const double DoubleTolerance = 1e-12;

    private static readonly IReadOnlyList<ConvCase> RandomCases = ConvCase.Generate(seed: 20251125, RandomCaseCount);

    public static IEnumerable<TestCaseData> RandomCaseData() =>
        RandomCases.Select((c, i) => new TestCaseData(c).SetArgDisplayNames($"#{i:D3} {c}"));

    public static IEnumerable<TestCaseData> DepthwiseCaseData() =>
        RandomCases.Where(c => c.Depthwise).Where((_, i) => i % 3 == 0).Select(c => new TestCaseData(c).SetArgDisplayNames(c.ToString()));

    public static IEnumerable<TestCaseData> NchwCaseData() =>
        RandomCases.Where(c => c.Nchw).Where((_, i) => i % 3 == 0).Select(c => new TestCaseData(c).SetArgDisplayNames(c.ToString()));

    [TestCaseSource(nameof(RandomCaseData))]
    public void FloatMatchesNaiveOracle(ConvCase c) => CompareWithOracle<float>(c, asFloat: true, FloatTolerance);

    [TestCaseSource(nameof(RandomCaseData))]
    public void DoubleMatchesNaiveOracle(ConvCase c) => CompareWithOracle<double>(c, asFloat: false, DoubleTolerance);

    [Test]
    public void RandomCasesCoverEveryParameterTheTestsPromise()
    {
        var cases = RandomCases;
        Assert.Multiple(() =>
        {
            foreach (bool depthwise in new[] { false, true })
            foreach (bool nchw in new[] { false, true })
            foreach (string padding in new[] { "VALID", "SAME", "EXPLICIT" })
            {
                var subset = cases.Where(c => c.Depthwise == depthwise && c.Nchw == nchw && c.Padding == padding).ToList();
                Assert.That(subset.Count(c => (c.StrideHeight > 1 || c.StrideWidth > 1) && (c.DilationHeight > 1 || c.DilationWidth > 1)),
                    Is.GreaterThanOrEqualTo(3), $"stride>1 with dilation>1 for depthwise={depthwise} nchw={nchw} {padding}");
            }
            Assert.That(cases.Select(c => c.StrideHeight).Distinct(), Is.EquivalentTo(new[] { 1, 2, 3 }));
            Assert.That(cases.Select(c => c.StrideWidth).Distinct(), Is.EquivalentTo(new[] { 1, 2, 3 }));
            Assert.That(cases.Count(c => c.StrideHeight != c.StrideWidth), Is.GreaterThan(50), "unequal strides");
            Assert.That(cases.Count(c => c.Depthwise && c.StrideHeight != c.StrideWidth), Is.GreaterThan(20), "unequal depthwise strides");
            Assert.That(cases.Select(c => c.DilationHeight).Distinct(), Is.EquivalentTo(new[] { 1, 2, 3 }));
            Assert.That(cases.Select(c => c.DilationWidth).Distinct(), Is.EquivalentTo(new[] { 1, 2, 3 }));
            Assert.That(cases.Select(c => c.KernelHeight).Distinct(), Is.EquivalentTo(new[] { 1, 2, 3, 4, 5 }));
            Assert.That(cases.Select(c => c.KernelWidth).Distinct(), Is.EquivalentTo(new[] { 1, 2, 3, 4, 5 }));
            Assert.That(cases.Count(c => c.KernelHeight != c.KernelWidth), Is.GreaterThan(50), "non-square kernels");
            Assert.That(cases.Where(c => c.Depthwise).Select(c => c.FilterLast).Distinct(), Is.EquivalentTo(new[] { 1, 2, 3 }), "multipliers");
            Assert.That(cases.Where(c => !c.Depthwise).Select(c => c.Groups).Distinct(), Is.EquivalentTo(new[] { 1, 2, 3 }), "groups");
            Assert.That(cases.Select(c => c.Batch).Distinct(), Is.EquivalentTo(new[] { 1, 2, 3 }));
            Assert.That(cases.Select(c => c.Height).Distinct(), Is.EquivalentTo(Enumerable.Range(1, 9)));
            Assert.That(cases.Select(c => c.Width).Distinct(), Is.EquivalentTo(Enumerable.Range(1, 9)));
            Assert.That(cases.Count(c => c.Padding == "EXPLICIT" && Math.Max(c.PadTop, c.PadLeft) >= Math.Max(c.KernelHeight, c.KernelWidth)),
                Is.GreaterThan(5), "explicit pads larger than the filter");
        });
    }

    // The well-known small example: input 1..9 as [1,3,3,1], filter [1,2,3,4] as [2,1,1,2], strides 1, VALID.
    // out[i,j,m] = x[i,j]*f[0,0,0,m] + x[i+1,j]*f[1,0,0,m]; with one input channel conv2d is the same computation.
    [TestCase(ConvolutionKind.DepthwiseConv2D)]
    [TestCase(ConvolutionKind.Conv2D)]
    public void WellKnownExampleGivesTensorFlowsValues(ConvolutionKind kind)
    {
        double[] expected = [13, 18, 17, 24, 21, 30, 25, 36, 29, 42, 33, 48];
        var (floats, floatShape) = Run<float>(kind, [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1], [1, 2, 3, 4], [2, 1, 1, 2], new ConvolutionOptions());
        var (doubles, doubleShape) = Run<double>(kind, [1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1], [1, 2, 3, 4], [2, 1, 1, 2], new ConvolutionOptions());
        Assert.Multiple(() =>
        {
            Assert.That(floatShape, Is.EqualTo(new long[] { 1, 2, 3, 2 }));
            Assert.That(floats, Is.EqualTo(expected.Select(v => (float)v).ToArray()));
            Assert.That(doubleShape, Is.EqualTo(new long[] { 1, 2, 3, 2 }));
            Assert.That(doubles, Is.EqualTo(expected));
        });
    }

    [Test]
    public void DepthwiseOutputChannelsAreOrderedChannelMajorMultiplierMinor()
    {
        // out[c*M + m] = x[c] * f[c, m]: x = [1, 2], f = [[10, 20], [30, 40]].
        var (values, _) = Run<double>(ConvolutionKind.DepthwiseConv2D, [1, 2], [1, 1, 1, 2], [10, 20, 30, 40], [1, 1, 2, 2], new ConvolutionOptions());
        Assert.That(values, Is.EqualTo(new double[] { 10, 20, 60, 80 }));
    }

    [Test]
    public void GroupedConv2DReadsContiguousChannelBlocksGroupMajor()
    {
        // 4 input channels, filter [1,1,2,2]: 2 groups. Output 0 reads channels 0-1, output 1 reads channels 2-3.
        // f[ci, o] = [[1, 10], [100, 1000]]: out0 = 1*1 + 2*100, out1 = 3*10 + 4*1000.
        var (values, shape) = Run<double>(ConvolutionKind.Conv2D, [1, 2, 3, 4], [1, 1, 1, 4], [1, 10, 100, 1000], [1, 1, 2, 2], new ConvolutionOptions());
        Assert.That(shape, Is.EqualTo(new long[] { 1, 1, 1, 2 }));
        Assert.That(values, Is.EqualTo(new double[] { 201, 4030 }));
    }

    [Test]
    public void DepthwiseStrideWithDilationIsTheTrueStridedDilatedConvolution()
    {
        // tf-semantics.md §2.3: x = 1..64 as [1,8,8,1], ones [2,2,1,1], strides 2, dilations 2, VALID. The library
        // computes the mathematical result (TensorFlow's Python wrapper gives a [1,4,4,1] space-to-batch artefact).
        double[] input = Enumerable.Range(1, 64).Select(v => (double)v).ToArray();
        var options = new ConvolutionOptions { StrideHeight = 2, StrideWidth = 2, DilationHeight = 2, DilationWidth = 2 };
        var (values, shape) = Run<double>(ConvolutionKind.DepthwiseConv2D, input, [1, 8, 8, 1], [1, 1, 1, 1], [2, 2, 1, 1], options);
        Assert.That(shape, Is.EqualTo(new long[] { 1, 3, 3, 1 }));
        Assert.That(values, Is.EqualTo(new double[] { 40, 48, 56, 104, 112, 120, 168, 176, 184 }));
    }

    [TestCaseSource(nameof(DepthwiseCaseData))]
    public void DepthwiseEqualsConv2DWithFilterReshapedToOneChannelPerGroup(ConvCase c)
    {
        // tf-semantics.md §8: depthwise(x, f[KH,KW,C,M]) == conv2d(x, reshape(f, [KH,KW,1,C*M])), groups = C.
        // The reshape does not move any element, so the same flat filter is passed with the other shape.
        var rng = new Random(c.Seed);
        float[] input = Layout.RandomValues(rng, c.InputLength, asFloat: true).Select(v => (float)v).ToArray();
        float[] filter = Layout.RandomValues(rng, c.FilterLength, asFloat: true).Select(v => (float)v).ToArray();
        var (depthwise, depthwiseShape) = Run(ConvolutionKind.DepthwiseConv2D, input, c.InputShape, filter, c.FilterShape, c.Options);
        var (conv, convShape) = Run(ConvolutionKind.Conv2D, input, c.InputShape, filter,
            [c.KernelHeight, c.KernelWidth, 1, c.Channels * c.FilterLast], c.Options);
        Assert.That(convShape, Is.EqualTo(depthwiseShape));
        Assert.That(conv, Is.EqualTo(depthwise));
    }

    [TestCaseSource(nameof(NchwCaseData))]
    public void NchwEqualsNhwcTransposed(ConvCase c)
    {
        // tf-semantics.md §6: NCHW is defined as "transpose to NHWC, convolve, transpose back"; the filter stays.
        var rng = new Random(c.Seed);
        double[] nhwc = Layout.RandomValues(rng, c.InputLength, asFloat: false);
        double[] filter = Layout.RandomValues(rng, c.FilterLength, asFloat: false);
        var nhwcCase = c with { Nchw = false };
        var (nhwcOut, nhwcShape) = Run(c.Kind, nhwc, nhwcCase.InputShape, filter, c.FilterShape, nhwcCase.Options);
        var (nchwOut, nchwShape) = Run(c.Kind, Layout.NhwcToNchw(nhwc, c.Batch, c.Height, c.Width, c.Channels), c.InputShape, filter, c.FilterShape, c.Options);
        Assert.That(nchwShape, Is.EqualTo(new[] { nhwcShape[0], nhwcShape[3], nhwcShape[1], nhwcShape[2] }));
        double[] back = Layout.NchwToNhwc(nchwOut, (int)nchwShape[0], (int)nchwShape[1], (int)nchwShape[2], (int)nchwShape[3]);
        Assert.That(back, Is.EqualTo(nhwcOut));
    }

    [TestCase(ConvolutionKind.Conv2D)]
    [TestCase(ConvolutionKind.DepthwiseConv2D)]
    public void InfiniteWeightAtAPaddedTapGivesNaNLikeTensorFlowsKernels(ConvolutionKind kind)
    {
        // SAME 3x3 on a 3x3 input of ones; only the top-left tap is non-zero, and it is +Inf. Outputs in the first
        // row or column see that tap in the padding: 0 * Inf = NaN. The others see 1 * Inf.
        double[] filter = new double[9];
        filter[0] = double.PositiveInfinity;
        var options = new ConvolutionOptions { Padding = PaddingMode.Same };
        var (doubles, _) = Run<double>(kind, Enumerable.Repeat(1.0, 9).ToArray(), [1, 3, 3, 1], filter, [3, 3, 1, 1], options);
        var (floats, _) = Run<float>(kind, Enumerable.Repeat(1f, 9).ToArray(), [1, 3, 3, 1], filter.Select(v => (float)v).ToArray(), [3, 3, 1, 1], options);
        double nan = double.NaN, inf = double.PositiveInfinity;
        double[] expected = [nan, nan, nan, nan, inf, inf, nan, inf, inf];
        Assert.Multiple(() =>
        {
            Assert.That(doubles, Is.EqualTo(expected));
            Assert.That(floats.Select(v => (double)v), Is.EqualTo(expected));
        });
    }

    [Test]
    public void NaNInTheInputReachesExactlyTheOutputsWhoseWindowsCoverIt()
    {
        // 5x5 ones with NaN at (0,0); 3x3 ones filter, SAME: only outputs (0..1, 0..1) cover (0,0).
        double[] input = Enumerable.Repeat(1.0, 25).ToArray();
        input[0] = double.NaN;
        var (values, _) = Run<double>(ConvolutionKind.Conv2D, input, [1, 5, 5, 1], Enumerable.Repeat(1.0, 9).ToArray(), [3, 3, 1, 1],
            new ConvolutionOptions { Padding = PaddingMode.Same });
        for (int y = 0; y < 5; y++)
        for (int x = 0; x < 5; x++)
            Assert.That(double.IsNaN(values[y * 5 + x]), Is.EqualTo(y <= 1 && x <= 1), $"output ({y},{x}) = {values[y * 5 + x]}");
    }

    [TestCase(ConvolutionKind.Conv2D)]
    [TestCase(ConvolutionKind.DepthwiseConv2D)]
    public void InfiniteInputTimesZeroWeightGivesNaN(ConvolutionKind kind)
    {
        double[] input = [1, 2, double.PositiveInfinity, 4];
        var (values, _) = Run<double>(kind, input, [1, 2, 2, 1], [0, 0, 0, 0], [2, 2, 1, 1], new ConvolutionOptions());
        Assert.That(values, Has.Length.EqualTo(1));
        Assert.That(values[0], Is.NaN);
    }

    [TestCase(ConvolutionKind.Conv2D)]
    [TestCase(ConvolutionKind.DepthwiseConv2D)]
    public void InputUnderADilationHoleIsNotMultiplied(ConvolutionKind kind)
    {
        // [1, Inf, 1] with taps [1, 1] at dilation 2: the taps read x0 and x2 only (TensorFlow's dilated patches
        // and space-to-batch both skip the hole), so the result is finite.
        var options = new ConvolutionOptions { DilationWidth = 2 };
        var (values, shape) = Run<double>(kind, [1, double.PositiveInfinity, 1], [1, 1, 3, 1], [1, 1], [1, 2, 1, 1], options);
        Assert.That(shape, Is.EqualTo(new long[] { 1, 1, 1, 1 }));
        Assert.That(values, Is.EqualTo(new double[] { 2 }));
    }

    [TestCase(ConvolutionKind.Conv2D)]
    [TestCase(ConvolutionKind.DepthwiseConv2D)]
    public void EmptyInputWithPaddingGivesZerosWhateverTheFilterHolds(ConvolutionKind kind)
    {
        // TF testConv2dOnlyPaddingReturnsZeros: input [1,0,2,1], pads 1,1,1,1 -> [1,2,4,1] of zeros, even for a
        // NaN filter ("If the input is empty, result can only be due to padding" -> SetZero).
        var options = new ConvolutionOptions { Padding = PaddingMode.Explicit, PadTop = 1, PadBottom = 1, PadLeft = 1, PadRight = 1 };
        var geometry = ShapeInference.Infer(kind, [1, 0, 2, 1], [1, 1, 1, 1], options);
        var output = Enumerable.Repeat(-7f, (int)geometry.OutputElementCount).ToArray();
        ReferenceConvolution.Run<float>([], [float.NaN], output, geometry);
        Assert.That(geometry.GetOutputShape([1, 0, 2, 1]), Is.EqualTo(new long[] { 1, 2, 4, 1 }));
        Assert.That(output, Is.EqualTo(new float[8]));
    }

    [Test]
    public void EmptyOutputWritesNothing()
    {
        // VALID, in=1, k=2, s=2: output [1,0,0,1]. The kernel must not touch a (larger) buffer it is given.
        var options = new ConvolutionOptions { StrideHeight = 2, StrideWidth = 2 };
        var geometry = ShapeInference.Conv2D([1, 1, 1, 1], [2, 2, 1, 1], options);
        float[] output = [-7f];
        ReferenceConvolution.Run<float>([3f], [1f, 1f, 1f, 1f], output, geometry);
        Assert.That(geometry.OutputElementCount, Is.Zero);
        Assert.That(output, Is.EqualTo(new[] { -7f }));
    }

    [Test]
    public void RankFiveConv2DEqualsTheFoldedRankFourBatch()
    {
        // TF testConv2DExpandedBatch: [2,5,2,3,3] gives the same values as [10,2,3,3], shape [2,5,...].
        var rng = new Random(5);
        double[] input = Layout.RandomValues(rng, 2 * 5 * 2 * 3 * 3, asFloat: false);
        double[] filter = Layout.RandomValues(rng, 2 * 2 * 3 * 4, asFloat: false);
        var (folded, foldedShape) = Run(ConvolutionKind.Conv2D, input, [10, 2, 3, 3], filter, [2, 2, 3, 4], new ConvolutionOptions());
        var (expanded, expandedShape) = Run(ConvolutionKind.Conv2D, input, [2, 5, 2, 3, 3], filter, [2, 2, 3, 4], new ConvolutionOptions());
        Assert.That(foldedShape, Is.EqualTo(new long[] { 10, 1, 2, 4 }));
        Assert.That(expandedShape, Is.EqualTo(new long[] { 2, 5, 1, 2, 4 }));
        Assert.That(expanded, Is.EqualTo(folded));
    }

    private static void CompareWithOracle<T>(ConvCase c, bool asFloat, double tolerance) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(c.Seed);
        double[] inputNhwc = Layout.RandomValues(rng, c.InputLength, asFloat);
        double[] filter = Layout.RandomValues(rng, c.FilterLength, asFloat);
        var want = NaiveConvolution.Run(c, inputNhwc, filter);

        var geometry = ShapeInference.Infer(c.Kind, c.InputShape, c.FilterShape, c.Options);
        Assert.That((geometry.OutputHeight, geometry.OutputWidth, geometry.OutputChannels),
            Is.EqualTo(((long)want.OutHeight, (long)want.OutWidth, (long)want.OutChannels)), "output size");

        double[] inputInLayout = c.Nchw ? Layout.NhwcToNchw(inputNhwc, c.Batch, c.Height, c.Width, c.Channels) : inputNhwc;
        T[] input = inputInLayout.Select(T.CreateChecked).ToArray();
        T[] filterT = filter.Select(T.CreateChecked).ToArray();
        // A NaN sentinel shows any element the kernel forgets to write.
        T[] output = Enumerable.Repeat(T.NaN, (int)geometry.OutputElementCount).ToArray();
        ReferenceConvolution.Run<T>(input, filterT, output, geometry);

        double[] got = output.Select(double.CreateChecked).ToArray();
        if (c.Nchw) got = Layout.NchwToNhwc(got, c.Batch, want.OutChannels, want.OutHeight, want.OutWidth);
        AssertClose(got, want, tolerance);
    }

    private static void AssertClose(double[] got, NaiveConvolution.Result want, double tolerance)
    {
        Assert.That(got, Has.Length.EqualTo(want.Values.Length));
        for (int i = 0; i < got.Length; i++)
        {
            double allowed = tolerance * want.SumOfAbsoluteTerms[i];
            double error = Math.Abs(got[i] - want.Values[i]);
            if (!(error <= allowed))
                Assert.Fail($"element {i} (NHWC order): got {got[i]:R}, want {want.Values[i]:R}, error {error:E3} > allowed {allowed:E3}");
        }
    }

    private static (T[] Values, long[] Shape) Run<T>(ConvolutionKind kind, T[] input, long[] inputShape, T[] filter, long[] filterShape,
        ConvolutionOptions options) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var geometry = ShapeInference.Infer(kind, inputShape, filterShape, options);
        var output = new T[geometry.OutputElementCount];
        ReferenceConvolution.Run<T>(input, filter, output, geometry);
        return (output, geometry.GetOutputShape(inputShape));
    }
}
