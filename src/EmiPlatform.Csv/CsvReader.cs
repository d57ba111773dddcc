using System.Text;

namespace EmiPlatform.Csv;

/// <summary>
/// Reads RFC 4180 records one at a time from a <see cref="TextReader"/> (quoted fields with doubled quotes, CRLF or LF
/// line ends, a leading byte-order mark skipped), so a caller can stop at a row bound without reading the rest.
/// A field longer than <paramref name="maxFieldLength"/> or a record with more than <paramref name="maxFields"/>
/// fields is refused with a <see cref="FormatException"/> before it is held in memory.
/// </summary>
public sealed class CsvReader(TextReader input, int maxFieldLength = 1000, int maxFields = 64)
{
    private readonly StringBuilder field = new();
    private bool started;

    /// <summary>The 1-based number of the last record read (the header is record 1), as a spreadsheet numbers its rows when no field spans lines.</summary>
    public int Record { get; private set; }

    /// <summary>The next record, or null at the end. A blank line is a record of one empty field.</summary>
    public string[]? Read()
    {
        if (!started)
        {
            started = true;
            if (input.Peek() == '\uFEFF')
            {
                input.Read();
            }
        }
        if (input.Peek() < 0)
        {
            return null;
        }
        Record++;
        var fields = new List<string>();
        field.Clear();
        var quoted = false;
        var wasQuoted = false;
        while (true)
        {
            var c = input.Read();
            if (quoted)
            {
                if (c < 0)
                {
                    throw new FormatException($"row {Record}: a quoted field is not closed");
                }
                if (c == '"')
                {
                    if (input.Peek() == '"')
                    {
                        input.Read();
                        Append('"');
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    Append((char)c);
                }
                continue;
            }
            switch (c)
            {
                case '"' when field.Length == 0 && !wasQuoted:
                    quoted = wasQuoted = true;
                    break;
                case ',':
                    EndField(fields);
                    wasQuoted = false;
                    break;
                case '\r' when input.Peek() == '\n':
                    break;
                case '\n' or -1:
                    EndField(fields);
                    return [.. fields];
                default:
                    Append((char)c);
                    break;
            }
        }
    }

    private void Append(char c)
    {
        if (field.Length >= maxFieldLength)
        {
            throw new FormatException($"row {Record}: a field is longer than {maxFieldLength} characters");
        }
        field.Append(c);
    }

    private void EndField(List<string> fields)
    {
        if (fields.Count >= maxFields)
        {
            throw new FormatException($"row {Record}: more than {maxFields} fields");
        }
        fields.Add(field.ToString());
        field.Clear();
    }
}
