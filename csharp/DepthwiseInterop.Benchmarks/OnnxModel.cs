using System.Runtime.InteropServices;
using System.Text;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Writes the ONNX model of a benchmarked problem, as ONNX Runtime runs it: NCHW, weights as initializers,
/// pads = TensorFlow SAME's split. Depthwise is one Conv with group = C; conv2d one Conv with group = Groups;
/// separable two Convs (group = C, then 1x1) through an intermediate tensor "T". Hand-encoded protobuf, so
/// the benchmark needs no ONNX package; field numbers are onnx.proto's.
/// </summary>
public static class OnnxModel
{
    public const string InputName = "X";
    public const string OutputName = "Y";

    private const int FloatType = 1;      // TensorProto.DataType.FLOAT
    private const int AttributeInt = 2;   // AttributeProto.AttributeType.INT
    private const int AttributeInts = 7;  // AttributeProto.AttributeType.INTS

    /// <summary>One Conv node; its weight is TensorFlow's conv2d filter [K, K, InPerGroup, OutC] named Weight.</summary>
    private sealed record ConvNode(string Name, string Input, string Weight, string Output,
        int K, int Stride, int Groups, int InPerGroup, int OutC, SamePadding Rows, SamePadding Columns);

    /// <summary>The model bytes; <paramref name="tfFilters"/> are TensorFlow's filters in the op's order.</summary>
    public static byte[] For(IBenchmarkShape shape, IReadOnlyList<NativeBuffer<float>> tfFilters) => shape switch
    {
        DepthwiseShape s => Build("depthwise_conv2d", s, [(DepthwiseNode(s, InputName, OutputName, "W"), tfFilters[0])]),
        Conv2DShape s => Build("conv2d", s, [(Conv2DNode(s, InputName, OutputName, "W"), tfFilters[0])]),
        SeparableShape s => Build("separable_conv2d", s,
        [
            (DepthwiseNode(s.Depthwise, InputName, "T", "Wd"), tfFilters[0]),
            (Conv2DNode(s.Pointwise, "T", OutputName, "Wp"), tfFilters[1]),
        ]),
        _ => throw new ArgumentException($"no ONNX model for {shape.GetType().Name}"),
    };

    // TensorFlow's depthwise filter [K, K, C, M] is, flat, the conv2d filter [K, K, 1, C*M] whose output channel
    // c*M + m reads input channel c: exactly ONNX's Conv with group = C.
    private static ConvNode DepthwiseNode(DepthwiseShape s, string input, string output, string weight) =>
        new("depthwise", input, weight, output, s.K, s.S, Groups: s.C, InPerGroup: 1, s.OutC, s.Rows, s.Columns);

    private static ConvNode Conv2DNode(Conv2DShape s, string input, string output, string weight) =>
        new(s.K == 1 ? "pointwise" : "conv", input, weight, output, s.K, s.S, s.Groups, s.InputChannelsPerGroup, s.OutC, s.Rows, s.Columns);

    /// <summary>TensorFlow [K, K, InPerGroup, OutC] to ONNX [OutC, InPerGroup, K, K].</summary>
    private static float[] OnnxWeights(ConvNode n, ReadOnlySpan<float> tfFilter)
    {
        var weights = new float[tfFilter.Length];
        for (int ky = 0; ky < n.K; ky++)
        for (int kx = 0; kx < n.K; kx++)
        for (int i = 0; i < n.InPerGroup; i++)
        for (int o = 0; o < n.OutC; o++)
            weights[((o * n.InPerGroup + i) * n.K + ky) * n.K + kx] = tfFilter[((ky * n.K + kx) * n.InPerGroup + i) * n.OutC + o];
        return weights;
    }

    private static byte[] Build(string graphName, IBenchmarkShape s, IReadOnlyList<(ConvNode Node, NativeBuffer<float> TfFilter)> nodes)
    {
        var graph = new ProtoWriter();
        foreach (var (n, _) in nodes)
        {
            graph.Message(1, node =>                               // GraphProto.node
            {
                node.String(1, n.Input);                           // NodeProto.input
                node.String(1, n.Weight);
                node.String(2, n.Output);                          // NodeProto.output
                node.String(3, n.Name);                            // NodeProto.name
                node.String(4, "Conv");                            // NodeProto.op_type
                node.Message(5, a => IntsAttribute(a, "dilations", 1, 1));
                node.Message(5, a => { a.String(1, "group"); a.Varint(3, n.Groups); a.Varint(20, AttributeInt); });
                node.Message(5, a => IntsAttribute(a, "kernel_shape", n.K, n.K));
                node.Message(5, a => IntsAttribute(a, "pads", n.Rows.Before, n.Columns.Before, n.Rows.After, n.Columns.After));
                node.Message(5, a => IntsAttribute(a, "strides", n.Stride, n.Stride));
            });
        }
        graph.String(2, graphName);                                // GraphProto.name
        foreach (var (n, tfFilter) in nodes)
        {
            float[] weights = OnnxWeights(n, tfFilter.Span);
            graph.Message(5, t =>                                  // GraphProto.initializer (TensorProto)
            {
                foreach (long d in new long[] { n.OutC, n.InPerGroup, n.K, n.K }) t.Varint(1, d);   // dims
                t.Varint(2, FloatType);                            // data_type
                t.String(8, n.Weight);                             // name
                t.Bytes(9, MemoryMarshal.AsBytes(weights.AsSpan()));   // raw_data, little-endian
            });
        }
        graph.Message(11, v => ValueInfo(v, InputName, s.InputShape(Layout.NCHW)));    // GraphProto.input
        graph.Message(12, v => ValueInfo(v, OutputName, s.OutputShape(Layout.NCHW)));  // GraphProto.output

        var model = new ProtoWriter();
        model.Varint(1, 8);                                        // ModelProto.ir_version
        model.String(2, "DepthwiseInterop.Benchmarks");            // producer_name
        model.Message(7, g => g.Raw(graph));                       // graph
        model.Message(8, o => { o.String(1, ""); o.Varint(2, 17); });   // opset_import: ai.onnx 17
        return model.ToArray();
    }

    private static void IntsAttribute(ProtoWriter a, string name, params long[] values)
    {
        a.String(1, name);                                         // AttributeProto.name
        foreach (long v in values) a.Varint(8, v);                 // ints (unpacked form)
        a.Varint(20, AttributeInts);                               // type
    }

    private static void ValueInfo(ProtoWriter v, string name, long[] shape)
    {
        v.String(1, name);                                         // ValueInfoProto.name
        v.Message(2, type => type.Message(1, tensor =>             // TypeProto.tensor_type
        {
            tensor.Varint(1, FloatType);                           // elem_type
            tensor.Message(2, sh =>                                // shape: TensorShapeProto
            {
                foreach (long d in shape) sh.Message(1, dim => dim.Varint(1, d));   // dim { dim_value }
            });
        }));
    }

    /// <summary>The protobuf wire format, just what a model needs: varints and length-delimited fields.</summary>
    private sealed class ProtoWriter
    {
        private readonly MemoryStream stream = new();

        public void Varint(int field, long value)
        {
            Tag(field, 0);
            WriteVarint((ulong)value);
        }

        public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public void Bytes(int field, ReadOnlySpan<byte> value)
        {
            Tag(field, 2);
            WriteVarint((ulong)value.Length);
            stream.Write(value);
        }

        public void Message(int field, Action<ProtoWriter> write)
        {
            var inner = new ProtoWriter();
            write(inner);
            Bytes(field, inner.stream.GetBuffer().AsSpan(0, (int)inner.stream.Length));
        }

        public void Raw(ProtoWriter other) => stream.Write(other.stream.GetBuffer(), 0, (int)other.stream.Length);

        public byte[] ToArray() => stream.ToArray();

        private void Tag(int field, int wireType) => WriteVarint((ulong)((field << 3) | wireType));

        private void WriteVarint(ulong value)
        {
            while (value >= 0x80)
            {
                stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }
            stream.WriteByte((byte)value);
        }
    }
}
