using System.Text;

using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests.Infrastructure;

/// <summary>A strict RFC 4180 reader for checking exports: fails on anything the RFC does not allow.</summary>
public static class CsvTestReader
{
    public static List<string[]> Parse(string text)
    {
        var rows = new List<string[]>();
        var row = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                Assert.True(field.Length == 0, $"a quote inside an unquoted field at {i}");
                i++;
                while (true)
                {
                    Assert.True(i < text.Length, "unterminated quoted field");
                    if (text[i] == '"')
                    {
                        if (i + 1 < text.Length && text[i + 1] == '"')
                        {
                            field.Append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    field.Append(text[i++]);
                }
                Assert.True(i >= text.Length || text[i] is ',' or '\r', $"text after a closing quote at {i}");
                continue;
            }
            if (text[i] == ',')
            {
                row.Add(field.ToString());
                field.Clear();
                i++;
                continue;
            }
            if (text[i] == '\r')
            {
                Assert.True(i + 1 < text.Length && text[i + 1] == '\n', $"CR without LF at {i}");
                row.Add(field.ToString());
                field.Clear();
                rows.Add([.. row]);
                row.Clear();
                i += 2;
                continue;
            }
            Assert.True(text[i] != '\n', $"bare LF outside quotes at {i}");
            field.Append(text[i++]);
        }
        Assert.True(row.Count == 0 && field.Length == 0, "the last record has no CRLF");
        return rows;
    }
}
