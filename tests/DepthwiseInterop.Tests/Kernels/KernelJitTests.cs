using System.Reflection;
using System.Reflection.Emit;
using System.Runtime.CompilerServices;
using DepthwiseInterop.Kernels;

namespace DepthwiseInterop.Tests.Kernels;

/// <summary>
/// In a JIT-compiled .NET program (the managed library used directly), a method first runs as tier-0 code, where
/// the vector helpers are calls rather than instructions: a depthwise or pointwise call ran 35-48 times slower that
/// way, for the first hundred or so calls (about two seconds), before tiering replaced it (docs/benchmarks.md,
/// the first-calls table). So every kernel method
/// with a loop, and every one kept out of line, asks to be compiled fully optimised at its first call, or is
/// inlined into one that does. This finds the methods that do neither, looking for backward branches in their IL.
/// </summary>
public sealed class KernelJitTests
{
    [Test]
    public void EveryKernelMethodWithALoopOrKeptOutOfLineSkipsTierZero()
    {
        var offenders = new List<string>();
        foreach (var type in typeof(BlockTranspose).Assembly.GetTypes())
        {
            if (type.Namespace is null || !type.Namespace.StartsWith("DepthwiseInterop.Kernels", StringComparison.Ordinal)) continue;
            const BindingFlags all = BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance;
            foreach (var method in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
            {
                var flags = method.MethodImplementationFlags;
                if ((flags & (MethodImplAttributes.AggressiveOptimization | MethodImplAttributes.AggressiveInlining)) != 0) continue;
                // A method kept out of line on purpose (a register tile) is as hot as a loop, with or without one.
                bool outOfLine = (flags & MethodImplAttributes.NoInlining) != 0;
                byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
                if (il is not null && (outOfLine || HasBackwardBranch(il))) offenders.Add($"{type.FullName}.{method.Name}");
            }
        }
        Assert.That(offenders, Is.Empty, "kernel methods that would run as tier-0 code at first (mark them "
            + "[MethodImpl(MethodImplOptions.AggressiveOptimization)]):\n" + string.Join("\n", offenders));
    }

    [Test]
    public void TheScanFindsLoopsAndOnlyLoops()
    {
        Assert.That(HasBackwardBranch(IlOf(nameof(SumWithLoop))), Is.True);
        Assert.That(HasBackwardBranch(IlOf(nameof(StraightLine))), Is.False);
    }

    private static byte[] IlOf(string name) =>
        typeof(KernelJitTests).GetMethod(name, BindingFlags.NonPublic | BindingFlags.Static)!.GetMethodBody()!.GetILAsByteArray()!;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int SumWithLoop(int[] values)
    {
        int sum = 0;
        foreach (int value in values) sum += value;
        return sum;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int StraightLine(int a, int b) => a > b ? a - b : b - a;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(field => (OpCode)field.GetValue(null)!)
        .ToDictionary(code => code.Value);

    /// <summary>Whether any branch in <paramref name="il"/> jumps to or before its own instruction.</summary>
    private static bool HasBackwardBranch(byte[] il)
    {
        for (int at = 0; at < il.Length;)
        {
            int start = at;
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var code = OpCodesByValue[value];
            switch (code.OperandType)
            {
                case OperandType.ShortInlineBrTarget:
                    if (at + 1 + (sbyte)il[at] <= start) return true;
                    at += 1;
                    break;
                case OperandType.InlineBrTarget:
                    if (at + 4 + BitConverter.ToInt32(il, at) <= start) return true;
                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    int cases = BitConverter.ToInt32(il, at);
                    int end = at + 4 + 4 * cases;
                    for (int i = 0; i < cases; i++)
                        if (end + BitConverter.ToInt32(il, at + 4 + 4 * i) <= start) return true;
                    at = end;
                    break;
                case OperandType.InlineNone: break;
                case OperandType.ShortInlineI or OperandType.ShortInlineVar: at += 1; break;
                case OperandType.InlineVar: at += 2; break;
                case OperandType.InlineI8 or OperandType.InlineR: at += 8; break;
                default: at += 4; break; // tokens, 32-bit integers and floats
            }
        }
        return false;
    }
}
