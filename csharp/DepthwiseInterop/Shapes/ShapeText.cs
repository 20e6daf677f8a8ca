using System.Text;

namespace DepthwiseInterop;

/// <summary>Formats shapes and lists the way TensorFlow's error messages do, e.g. <c>[1,3,3,1]</c>.</summary>
internal static class ShapeText
{
    /// <summary>TensorShape::DebugString style: no spaces.</summary>
    public static string Compact(ReadOnlySpan<long> values)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) text.Append(',');
            text.Append(values[i]);
        }
        return text.Append(']').ToString();
    }

    /// <summary>Python list style, as in TensorFlow's <c>Received: strides=[1, 2, 2, 1]</c>.</summary>
    public static string PythonList(ReadOnlySpan<long> values)
    {
        var text = new StringBuilder("[");
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append(values[i]);
        }
        return text.Append(']').ToString();
    }

    /// <summary>Python TensorShape style, as in <c>Shape (1, 1, 4) must have rank 4</c>: <c>()</c>, <c>(4,)</c>, <c>(1, 1, 4)</c>.</summary>
    public static string PythonTuple(ReadOnlySpan<long> values)
    {
        if (values.Length == 1) return $"({values[0]},)";
        var text = new StringBuilder("(");
        for (int i = 0; i < values.Length; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append(values[i]);
        }
        return text.Append(')').ToString();
    }
}
