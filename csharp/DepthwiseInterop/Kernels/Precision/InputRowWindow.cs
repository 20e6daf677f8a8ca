namespace DepthwiseInterop.Kernels.Precision;

/// <summary>
/// The widened input rows that one thread's consecutive bands of an NHWC image read, kept in one float32
/// buffer so that the rows two bands share (the filter's halo: two of every six rows for a 3x3 filter on
/// 56x56x144) are widened once. A band whose rows continue the window reuses the overlap and widens only the
/// rows below it; when the buffer is full, the overlap moves to the front (a copy, cheaper than widening a
/// float16 row again). Any other band (another image, rows that skip ahead) starts a new window.
/// </summary>
internal unsafe struct InputRowWindow
{
    private readonly float[] _buffer;
    private readonly long _rowElements;
    private readonly long _capacityRows;
    private long _image;
    private long _firstRow;
    private long _rows;

    /// <summary>A window over rows of <paramref name="rowElements"/> elements, room for <paramref name="capacityRows"/> of them in <paramref name="buffer"/>.</summary>
    public InputRowWindow(float[] buffer, long rowElements, long capacityRows)
    {
        _buffer = buffer;
        _rowElements = rowElements;
        _capacityRows = capacityRows;
        _image = -1;
    }

    /// <summary>
    /// The widened rows [<paramref name="firstRow"/>, + <paramref name="rows"/>) of image <paramref name="image"/>,
    /// whose 16-bit rows start at <paramref name="imageInput"/>; <paramref name="rows"/> is at most the capacity.
    /// </summary>
    public Span<float> Rows<TFormat>(ushort* imageInput, long image, long firstRow, long rows) where TFormat : IReducedPrecisionFormat
    {
        long endRow = firstRow + rows;
        long windowEnd = _firstRow + _rows;
        if (image != _image || firstRow < _firstRow || firstRow > windowEnd)
        {
            _image = image;
            _firstRow = firstRow;
            _rows = 0;
            windowEnd = firstRow;
        }
        else if (endRow - _firstRow > _capacityRows)
        {
            long kept = windowEnd - firstRow;
            Row(firstRow - _firstRow, kept).CopyTo(Row(0, kept));
            _firstRow = firstRow;
            _rows = kept;
        }
        if (endRow > windowEnd)
        {
            long added = endRow - windowEnd;
            TFormat.ToSingle(new ReadOnlySpan<ushort>(imageInput + windowEnd * _rowElements, (int)(added * _rowElements)), Row(windowEnd - _firstRow, added));
            _rows = endRow - _firstRow;
        }
        return Row(firstRow - _firstRow, rows);
    }

    /// <summary>One row of zeros, the input of a band that lies in the padding only (see <see cref="BandGeometry"/>); it ends the window.</summary>
    public Span<float> ZeroRow()
    {
        _image = -1;
        var row = Row(0, 1);
        row.Clear();
        return row;
    }

    private readonly Span<float> Row(long index, long count) => _buffer.AsSpan((int)(index * _rowElements), (int)(count * _rowElements));
}
