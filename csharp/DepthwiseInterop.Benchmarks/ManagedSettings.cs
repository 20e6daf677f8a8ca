using System.Reflection;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// The managed library's public process-wide settings, <c>DepthwiseInterop.ComputeSettings</c>
/// (<c>ThreadCount</c>, <c>IsaName</c>), found by name so that this project builds against library versions
/// with and without them (versions before ComputeSettings were single-threaded). Without <c>ThreadCount</c>
/// only the managed 1-thread rows are kept.
/// </summary>
public static class ManagedSettings
{
    private static readonly Type? Settings = typeof(Convolution).Assembly.GetType("DepthwiseInterop.ComputeSettings");
    private static readonly PropertyInfo? ThreadCount = Settings?.GetProperty("ThreadCount", BindingFlags.Public | BindingFlags.Static);
    private static readonly PropertyInfo? IsaNameProperty = Settings?.GetProperty("IsaName", BindingFlags.Public | BindingFlags.Static);

    public static bool HasThreadSetting => ThreadCount is { CanWrite: true };

    public static bool TrySetThreads(int threads)
    {
        if (!HasThreadSetting) return false;
        ThreadCount!.SetValue(null, threads);
        return true;
    }

    /// <summary>The managed vector tier ("avx512", ..., "scalar"), or null when the library does not say.</summary>
    public static string? IsaName => IsaNameProperty?.GetValue(null) as string;
}
