namespace EmiPlatform.Bundles.Tenants;

/// <summary>
/// The declared inputs of an ONNX graph (name and shape), read from the protobuf bytes without ONNX Runtime: the API
/// checks a lab's uploaded head against its backbone without loading an untrusted graph into an inference engine.
/// Reads onnx.proto's ModelProto.graph (7) → GraphProto.input (11) → ValueInfoProto name (1), type (2) →
/// TypeProto.tensor_type (1) → shape (2) → dim (1): dim_value (1) or dim_param (2).
/// </summary>
public static class OnnxGraphInputs
{
    /// <summary>Input name → dims (a number, or the dynamic axis' name; "?" where the graph names neither).</summary>
    /// <exception cref="FormatException">The bytes are not an ONNX model.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Read(ReadOnlySpan<byte> model)
    {
        var inputs = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var sawGraph = false;
        var reader = new Reader(model);
        while (reader.Next(out var field, out var wire))
        {
            if (field == 7 && wire == 2)
            {
                sawGraph = true;
                var graph = new Reader(reader.Bytes());
                while (graph.Next(out var gf, out var gw))
                {
                    if (gf == 11 && gw == 2)
                    {
                        var (name, dims) = ValueInfo(graph.Bytes());
                        inputs[name] = dims;
                    }
                    else
                    {
                        graph.Skip(gw);
                    }
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }
        return sawGraph ? inputs : throw new FormatException("no graph in the file; is it an ONNX model?");
    }

    private static (string Name, IReadOnlyList<string> Dims) ValueInfo(ReadOnlySpan<byte> bytes)
    {
        var name = string.Empty;
        List<string> dims = [];
        var r = new Reader(bytes);
        while (r.Next(out var f, out var w))
        {
            if (f == 1 && w == 2)
            {
                name = System.Text.Encoding.UTF8.GetString(r.Bytes());
            }
            else if (f == 2 && w == 2)
            {
                dims = TypeDims(r.Bytes());
            }
            else
            {
                r.Skip(w);
            }
        }
        return (name, dims);
    }

    private static List<string> TypeDims(ReadOnlySpan<byte> type)
    {
        var dims = new List<string>();
        var t = new Reader(type);
        while (t.Next(out var f, out var w))
        {
            if (f != 1 || w != 2)
            {
                t.Skip(w);
                continue;
            }
            var tensor = new Reader(t.Bytes());
            while (tensor.Next(out var tf, out var tw))
            {
                if (tf != 2 || tw != 2)
                {
                    tensor.Skip(tw);
                    continue;
                }
                var shape = new Reader(tensor.Bytes());
                while (shape.Next(out var sf, out var sw))
                {
                    if (sf != 1 || sw != 2)
                    {
                        shape.Skip(sw);
                        continue;
                    }
                    var dim = new Reader(shape.Bytes());
                    var text = "?";
                    while (dim.Next(out var df, out var dw))
                    {
                        if (df == 1 && dw == 0)
                        {
                            text = ((long)dim.Varint()).ToString(System.Globalization.CultureInfo.InvariantCulture);
                        }
                        else if (df == 2 && dw == 2)
                        {
                            text = System.Text.Encoding.UTF8.GetString(dim.Bytes());
                        }
                        else
                        {
                            dim.Skip(dw);
                        }
                    }
                    dims.Add(text);
                }
            }
        }
        return dims;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public bool Next(out int field, out int wire)
        {
            if (_at >= _data.Length)
            {
                field = wire = 0;
                return false;
            }
            var key = Varint();
            field = (int)(key >> 3);
            wire = (int)(key & 7);
            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_at >= _data.Length)
                {
                    throw new FormatException("truncated varint");
                }
                var b = _data[_at++];
                value |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0)
                {
                    return value;
                }
            }
            throw new FormatException("varint longer than 10 bytes");
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Varint();
            if (length > (ulong)(_data.Length - _at))
            {
                throw new FormatException("a field runs past the end of the file");
            }
            var slice = _data.Slice(_at, (int)length);
            _at += (int)length;
            return slice;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: Advance(8); break;
                case 2: Bytes(); break;
                case 5: Advance(4); break;
                default: throw new FormatException($"wire type {wire} is not protobuf's");
            }
        }

        private void Advance(int n)
        {
            if (_at + n > _data.Length)
            {
                throw new FormatException("truncated field");
            }
            _at += n;
        }
    }
}
