using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.IO.Pipelines;
using System.Text;

namespace EmiPlatform.Csv;

/// <summary>
/// RFC 4180 CSV straight into a <see cref="PipeWriter"/>: UTF-8 without a BOM (R's read.csv would keep a BOM in the
/// first column's name), CRLF line ends, a field quoted only when it holds a comma, quote, CR or LF, numbers in the
/// invariant culture's shortest round-trip form, nulls as empty cells. Text a spreadsheet would run as a formula is
/// neutralised unless <see cref="CsvFormulas.Raw"/> is asked for (see <see cref="CsvFormulas"/>); numbers never are.
/// Nothing is buffered beyond the pipe's segment: <see cref="FlushIfFullAsync"/> hands bytes to the socket and waits
/// when the client reads slower than we write.
/// </summary>
public sealed class CsvWriter(IBufferWriter<byte> output, CsvFormulas formulas = CsvFormulas.Escaped, int flushThreshold = 64 * 1024)
{
    // OWASP's CSV-injection list: what Excel, LibreOffice and Google Sheets start a formula with (tab and CR because
    // some of them skip leading whitespace before looking for '=').
    private static readonly SearchValues<char> FormulaStarts = SearchValues.Create("=+-@\t\r");

    private static readonly byte[] NewLine = "\r\n"u8.ToArray();
    private bool atRowStart = true;

    public long Rows { get; private set; }

    public void Text(string? value)
    {
        Separator();
        if (string.IsNullOrEmpty(value))
        {
            return;
        }
        var formula = formulas == CsvFormulas.Escaped && FormulaStarts.Contains(value[0]);
        if (!formula && value.AsSpan().IndexOfAny(",\"\r\n") < 0)
        {
            WriteUtf8(value);
            return;
        }
        Raw("\""u8);
        if (formula)
        {
            // A leading apostrophe makes a spreadsheet show the cell as text; inside quotes, so it stays one field.
            Raw("'"u8);
        }
        var rest = value.AsSpan();
        int quote;
        while ((quote = rest.IndexOf('"')) >= 0)
        {
            WriteUtf8(rest[..(quote + 1)]);
            Raw("\""u8); // a quote inside a quoted field is doubled
            rest = rest[(quote + 1)..];
        }
        WriteUtf8(rest);
        Raw("\""u8);
    }

    public void Number(float? value)
    {
        Separator();
        if (value is { } v)
        {
            var span = output.GetSpan(32);
            if (!v.TryFormat(span, out var written, default, CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException("a float did not fit in 32 bytes");
            }
            output.Advance(written + PointZero(span, written));
        }
    }

    public void Number(double value)
    {
        Separator();
        var span = output.GetSpan(32);
        if (!value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("a double did not fit in 32 bytes");
        }
        output.Advance(written + PointZero(span, written));
    }

    public void Number(long value)
    {
        Separator();
        var span = output.GetSpan(24);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }

    /// <summary>A result value as its type says: a boolean, a text (a backbone's hash), a real number, or an empty cell for null.</summary>
    public void Value(object? value)
    {
        switch (value)
        {
            case bool flag:
                Boolean(flag);
                break;
            case string text:
                Text(text);
                break;
            default:
                Number((float?)value);
                break;
        }
    }

    /// <summary>One <see cref="Value"/> cell each.</summary>
    public void Values(IEnumerable<object?> values)
    {
        foreach (var value in values)
        {
            Value(value);
        }
    }

    /// <summary><c>TRUE</c>/<c>FALSE</c>: what pandas and R's read.csv both read as logical (R 4.2 leaves lowercase as text).</summary>
    public void Boolean(bool value)
    {
        Separator();
        Raw(value ? "TRUE"u8 : "FALSE"u8);
    }

    public void Id(Guid value)
    {
        Separator();
        var span = output.GetSpan(36);
        Utf8Formatter.TryFormat(value, span, out var written);
        output.Advance(written);
    }

    /// <summary>Cells already encoded (a recording's identifiers, repeated on each of its rows), separators included.</summary>
    public void EncodedCells(ReadOnlySpan<byte> cells)
    {
        Separator();
        Raw(cells);
    }

    public void EndRow()
    {
        Raw(NewLine);
        atRowStart = true;
        Rows++;
    }

    public void Header(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            Text(name);
        }
        EndRow();
        Rows--; // the header is not a data row
    }

    /// <summary>Hands what is buffered to the response once it passes the threshold; waits while the client is behind.</summary>
    public ValueTask<FlushResult> FlushIfFullAsync(CancellationToken cancellationToken) =>
        output is PipeWriter pipe && pipe.UnflushedBytes >= flushThreshold ? pipe.FlushAsync(cancellationToken) : default;

    public ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken) =>
        output is PipeWriter pipe ? pipe.FlushAsync(cancellationToken) : default;

    /// <summary>The cells of a row prefix encoded once (under this writer's formula rule), for <see cref="EncodedCells"/>.</summary>
    public byte[] Encode(Action<CsvWriter> cells)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        cells(new CsvWriter(buffer, formulas));
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Appends ".0" to an integral value ("6" becomes "6.0") so a real column reads as real even where every value
    /// happens to be whole: pandas would type such a column int64 and R integer. Returns the bytes added.
    /// </summary>
    private static int PointZero(Span<byte> span, int written)
    {
        if (span[..written].IndexOfAnyExcept("-0123456789"u8) >= 0)
        {
            return 0; // has a fraction or an exponent, or is NaN / Infinity
        }
        ".0"u8.CopyTo(span[written..]);
        return 2;
    }

    private void Separator()
    {
        if (atRowStart)
        {
            atRowStart = false;
            return;
        }
        Raw(","u8);
    }

    private void Raw(ReadOnlySpan<byte> bytes) => output.Write(bytes);

    private void WriteUtf8(ReadOnlySpan<char> text)
    {
        var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        output.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
