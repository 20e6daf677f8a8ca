using System.Runtime.InteropServices;
using System.Text;

namespace DepthwiseInterop.Benchmarks;

/// <summary>
/// Writes a one-node ONNX model, Conv(X, W) -> Y, with the weights as an initializer: the depthwise problem
/// as ONNX Runtime runs it (NCHW, group = C, pads = TensorFlow SAME's split). Hand-encoded protobuf, so the
/// benchmark needs no ONNX package; field numbers are onnx.proto's.
/// </summary>
public static class OnnxModel
{
    private const int FloatType = 1;      // TensorProto.DataType.FLOAT
    private const int AttributeInt = 2;   // AttributeProto.AttributeType.INT
    private const int AttributeInts = 7;  // AttributeProto.AttributeType.INTS

    /// <summary>The model bytes. <paramref name="tfFilter"/> is TensorFlow's [K, K, C, M] filter.</summary>
    public static byte[] Depthwise(DepthwiseShape s, ReadOnlySpan<float> tfFilter)
    {
        // ONNX weight [C*M, 1, K, K]; output channel o = c*M + m reads input channel o / M = c, as TensorFlow.
        var weights = new float[s.FilterCount];
        for (int ky = 0; ky < s.K; ky++)
        for (int kx = 0; kx < s.K; kx++)
        for (int c = 0; c < s.C; c++)
        for (int m = 0; m < s.M; m++)
            weights[((c * s.M + m) * s.K + ky) * s.K + kx] = tfFilter[((ky * s.K + kx) * s.C + c) * s.M + m];

        var graph = new ProtoWriter();
        graph.Message(1, node =>                                   // GraphProto.node
        {
            node.String(1, "X");                                   // NodeProto.input
            node.String(1, "W");
            node.String(2, "Y");                                   // NodeProto.output
            node.String(3, "depthwise");                           // NodeProto.name
            node.String(4, "Conv");                                // NodeProto.op_type
            node.Message(5, a => IntsAttribute(a, "dilations", 1, 1));
            node.Message(5, a => { a.String(1, "group"); a.Varint(3, s.C); a.Varint(20, AttributeInt); });
            node.Message(5, a => IntsAttribute(a, "kernel_shape", s.K, s.K));
            node.Message(5, a => IntsAttribute(a, "pads", s.PadTop, s.PadLeft, s.PadBottom, s.PadRight));
            node.Message(5, a => IntsAttribute(a, "strides", s.S, s.S));
        });
        graph.String(2, "depthwise_conv2d");                       // GraphProto.name
        graph.Message(5, t =>                                      // GraphProto.initializer (TensorProto)
        {
            foreach (long d in new long[] { s.OutC, 1, s.K, s.K }) t.Varint(1, d);   // dims
            t.Varint(2, FloatType);                                // data_type
            t.String(8, "W");                                      // name
            t.Bytes(9, MemoryMarshal.AsBytes(weights.AsSpan()));   // raw_data, little-endian
        });
        graph.Message(11, v => ValueInfo(v, "X", s.InputShape(Layout.NCHW)));   // GraphProto.input
        graph.Message(12, v => ValueInfo(v, "Y", s.OutputShape(Layout.NCHW)));  // GraphProto.output

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
