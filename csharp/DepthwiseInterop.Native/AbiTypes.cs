using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DepthwiseInterop.Native;

/// <summary>Mirrors <c>di_status</c> in depthwise_interop.h.</summary>
internal enum Status
{
    Ok = 0,
    InvalidArgument = 1,
    Unimplemented = 2,
    InvalidDtype = 3,
    OutOfMemory = 4,
    Internal = 5,
}

[InlineArray(4)]
internal struct Int64x4 { private long _element0; }

[InlineArray(8)]
internal struct Int64x8 { private long _element0; }

/// <summary>Mirrors <c>di_conv_params</c>; its size is part of the ABI (checked through <c>struct_size</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct ConvParams
{
    public uint StructSize;
    public int DataFormat;
    public int Padding;
    public int Reserved;
    public Int64x4 Strides;
    public Int64x4 Dilations;
    public Int64x8 ExplicitPaddings;

    public static unsafe uint Size => (uint)sizeof(ConvParams);
}
