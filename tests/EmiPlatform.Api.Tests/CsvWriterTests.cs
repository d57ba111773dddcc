using System.Buffers;
using System.Text;
using EmiPlatform.Csv;

namespace EmiPlatform.Api.Tests;

/// <summary>The shared CSV writer's formula rule on its own: which cells it changes, and that numbers are not among them.</summary>
public sealed class CsvWriterTests
{
    private static string Row(CsvFormulas formulas, Action<CsvWriter> cells)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var csv = new CsvWriter(buffer, formulas);
        cells(csv);
        csv.EndRow();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData("=1+1", "\"'=1+1\"", "=1+1")]
    [InlineData("+1", "\"'+1\"", "+1")]
    [InlineData("-2+3", "\"'-2+3\"", "-2+3")]
    [InlineData("@SUM(A1)", "\"'@SUM(A1)\"", "@SUM(A1)")]
    [InlineData("\tx", "\"'\tx\"", "\tx")]
    [InlineData("\rx", "\"'\rx\"", "\"\rx\"")]
    [InlineData("=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"", "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"")]
    public void A_text_cell_starting_a_formula_is_quoted_behind_an_apostrophe_unless_raw_is_asked_for(string text, string escaped, string raw)
    {
        Assert.Equal(escaped + "\r\n", Row(CsvFormulas.Escaped, c => c.Text(text)));
        Assert.Equal(raw + "\r\n", Row(CsvFormulas.Raw, c => c.Text(text)));
    }

    [Theory]
    [InlineData("P01")]
    [InlineData("a=b")]
    [InlineData("1-2")]
    [InlineData("x\t@")]
    [InlineData("'quoted already")]
    public void Other_text_is_left_as_it_is(string text) => Assert.Equal(text + "\r\n", Row(CsvFormulas.Escaped, c => c.Text(text)));

    [Fact]
    public void Numbers_are_never_escaped_negative_ones_included()
    {
        var row = Row(CsvFormulas.Escaped, c =>
        {
            c.Number((float?)-0.12f);
            c.Number(-6.0);
            c.Number(-3L);
            c.Number((float?)null);
            c.Text("-x");
        });
        Assert.Equal("-0.12,-6.0,-3,,\"'-x\"\r\n", row);
    }

    [Fact]
    public void Cells_encoded_once_follow_the_writer_s_rule()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var escaped = new CsvWriter(buffer).Encode(c => c.Text("=x"));
        var raw = new CsvWriter(buffer, CsvFormulas.Raw).Encode(c => c.Text("=x"));
        Assert.Equal("\"'=x\"", Encoding.UTF8.GetString(escaped));
        Assert.Equal("=x", Encoding.UTF8.GetString(raw));
    }
}
