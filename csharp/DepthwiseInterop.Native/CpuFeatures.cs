using System.Runtime.Intrinsics.X86;

namespace DepthwiseInterop.Native;

/// <summary>
/// What the CPU can run, read with CPUID, so that a kernel variant is loaded only where every instruction
/// its compiler may use exists (a NativeAOT image refuses to start otherwise, taking the process with it).
/// </summary>
internal static class CpuFeatures
{
    /// <summary>x86-64-v3: AVX, AVX2, FMA, BMI1, BMI2, LZCNT, MOVBE, F16C, with the OS saving the YMM state.</summary>
    public static bool HasX86_64V3 { get; } = DetectV3();

    /// <summary>x86-64-v4: v3 plus AVX-512 F, BW, CD, DQ and VL.</summary>
    public static bool HasX86_64V4 { get; } = HasX86_64V3 && DetectV4();

    private static bool Bit(int value, int bit) => (value & (1 << bit)) != 0;

    private static bool DetectV3()
    {
        if (!X86Base.IsSupported) return false;
        var (maxLeaf, _, _, _) = X86Base.CpuId(0, 0);
        if (maxLeaf < 7) return false;
        var (_, _, leaf1Ecx, _) = X86Base.CpuId(1, 0);
        var (_, leaf7Ebx, _, _) = X86Base.CpuId(7, 0);
        var (maxExtended, _, _, _) = X86Base.CpuId(unchecked((int)0x80000000), 0);
        if ((uint)maxExtended < 0x80000001) return false;
        var (_, _, extendedEcx, _) = X86Base.CpuId(unchecked((int)0x80000001), 0);
        return Bit(leaf1Ecx, 12) && Bit(leaf1Ecx, 22) && Bit(leaf1Ecx, 27) && Bit(leaf1Ecx, 28) && Bit(leaf1Ecx, 29) // FMA MOVBE OSXSAVE AVX F16C
            && Bit(leaf7Ebx, 3) && Bit(leaf7Ebx, 5) && Bit(leaf7Ebx, 8)                                               // BMI1 AVX2 BMI2
            && Bit(extendedEcx, 5);                                                                                  // LZCNT
    }

    private static bool DetectV4()
    {
        var (_, leaf7Ebx, _, _) = X86Base.CpuId(7, 0);
        return Bit(leaf7Ebx, 16) && Bit(leaf7Ebx, 17) && Bit(leaf7Ebx, 28) && Bit(leaf7Ebx, 30) && Bit(leaf7Ebx, 31); // F DQ CD BW VL
    }
}
