using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace EmiPlatform.Data.Migrations;

/// <summary>One versioned SQL file from migrations/, e.g. <c>0001_foundation.sql</c>.</summary>
public sealed partial record MigrationScript(int Version, string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));

    public static MigrationScript Parse(string fileName, string sql)
    {
        var match = FileNamePattern().Match(fileName);
        if (!match.Success)
        {
            throw new MigrationException($"Migration file '{fileName}' is not named NNNN_description.sql.");
        }
        // Line endings vary by checkout; the checksum should only change when the SQL does.
        return new MigrationScript(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups[2].Value, sql.ReplaceLineEndings("\n"));
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileNamePattern();
}
