namespace DepthwiseInterop;

/// <summary>The element types by the codes of the C ABI's <c>di_dtype</c>, which the kernel variants' ABI shares.</summary>
internal enum ElementType
{
    Float32 = 1,
    Float64 = 2,
    Float16 = 3,
    BFloat16 = 4,
}

/// <summary>A computation written once, generic over the element type, that a type code selects at run time.</summary>
internal interface IElementTypeAction
{
    void Invoke<T>() where T : unmanaged;
}

internal static class ElementTypes
{
    /// <summary>Bytes per element of a type code; 0 for an unknown code.</summary>
    public static int SizeOf(int code) => (ElementType)code switch
    {
        ElementType.Float32 => sizeof(float),
        ElementType.Float64 => sizeof(double),
        ElementType.Float16 or ElementType.BFloat16 => sizeof(ushort),
        _ => 0,
    };

    /// <summary>Runs <paramref name="action"/> for the type of <paramref name="code"/>; false for an unknown code.</summary>
    public static bool TryInvoke<TAction>(int code, ref TAction action) where TAction : struct, IElementTypeAction
    {
        switch ((ElementType)code)
        {
            case ElementType.Float32: action.Invoke<float>(); return true;
            case ElementType.Float64: action.Invoke<double>(); return true;
            case ElementType.Float16: action.Invoke<Half>(); return true;
            case ElementType.BFloat16: action.Invoke<BFloat16>(); return true;
            default: return false;
        }
    }
}
