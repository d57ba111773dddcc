namespace EmiPlatform.Data.Migrations;

/// <summary>The SQL files of migrations/, embedded into this assembly at build time so a deployed binary carries its schema.</summary>
public static class MigrationCatalog
{
    private const string Prefix = "migrations/";

    public static IReadOnlyList<MigrationScript> Embedded()
    {
        var assembly = typeof(MigrationCatalog).Assembly;
        var scripts = new List<MigrationScript>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add(MigrationScript.Parse(resource[Prefix.Length..], reader.ReadToEnd()));
        }
        var duplicate = scripts.GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new MigrationException($"Two migration files share version {duplicate.Key:D4}.");
        }
        return [.. scripts.OrderBy(s => s.Version)];
    }
}
