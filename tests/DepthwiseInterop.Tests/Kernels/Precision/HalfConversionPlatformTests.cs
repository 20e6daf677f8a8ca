using System.Reflection;
using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Tests.Kernels.Precision;

/// <summary>
/// Why float16 costs more than float32 here (issue #7, docs/performance-targets.md): the CPU has conversion instructions
/// (F16C's <c>vcvtph2ps</c> / <c>vcvtps2ph</c>, AVX512-BF16), but the .NET the library is built with exposes none of them,
/// so HalfFormat converts with integer and float vector operations. This pins that fact. When it fails, the runtime
/// has gained them: give HalfFormat (and BFloat16Format's narrowing) the hardware conversion and measure again.
/// </summary>
public sealed class HalfConversionPlatformTests
{
    private static IEnumerable<Type> PublicX86IntrinsicClasses() =>
        typeof(Avx512F).Assembly.GetTypes().Where(t => t.Namespace == "System.Runtime.Intrinsics.X86" && (t.IsPublic || t.IsNestedPublic));

    [Test]
    public void NoX86IntrinsicClassForHalfPrecisionConversion()
    {
        var names = PublicX86IntrinsicClasses().Select(t => t.FullName!).ToList();
        Assert.That(names, Does.Contain(typeof(Avx512F).FullName), "the search must see the intrinsic classes");
        Assert.That(names.Where(n => n.Contains("F16c", StringComparison.OrdinalIgnoreCase) || n.Contains("Fp16", StringComparison.OrdinalIgnoreCase)
            || n.Contains("Bf16", StringComparison.OrdinalIgnoreCase)), Is.Empty);
    }

    [Test]
    public void NoX86IntrinsicMethodTakesOrReturnsHalfVectors()
    {
        static bool MentionsHalf(Type type) => type == typeof(Half) || (type.IsGenericType && type.GetGenericArguments().Any(MentionsHalf));
        var methods = PublicX86IntrinsicClasses()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .ToList();
        Assert.That(methods, Has.Some.Matches<MethodInfo>(m => m.Name == nameof(Avx512F.FusedMultiplyAdd)), "the search must see the methods");
        Assert.That(methods.Where(m => MentionsHalf(m.ReturnType) || m.GetParameters().Any(p => MentionsHalf(p.ParameterType)))
            .Select(m => $"{m.DeclaringType!.Name}.{m.Name}"), Is.Empty);
    }
}
