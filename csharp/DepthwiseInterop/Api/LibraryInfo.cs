namespace DepthwiseInterop;

/// <summary>Version facts shared by every front end (<see cref="Version"/> is generated from the build).</summary>
public static partial class LibraryInfo
{
    /// <summary>Version of the C ABI (<c>DI_ABI_VERSION</c> in depthwise_interop.h); bumped on any incompatible change.</summary>
    public const uint AbiVersion = 1;
}
