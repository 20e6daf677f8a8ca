namespace DepthwiseInterop;

/// <summary>How the spatial borders are padded; TensorFlow's <c>padding</c> attribute.</summary>
public enum PaddingMode
{
    /// <summary>No padding: only windows that lie wholly inside the input.</summary>
    Valid = 0,

    /// <summary>
    /// Output size <c>ceil(in / stride)</c>; the padding needed for that is split with the odd pixel at the
    /// bottom/right, and is computed from the dilated filter extent.
    /// </summary>
    Same = 1,

    /// <summary>Caller-given zero padding before and after each spatial dimension.</summary>
    Explicit = 2,
}
