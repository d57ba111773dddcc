namespace EmiPlatform.Abstractions;

/// <summary>Enums on the wire and in the database by their lowercase member names.</summary>
public static class EnumNames
{
    /// <summary>A member's name in any case; numbers are refused, although <see cref="Enum.TryParse{TEnum}(string?, bool, out TEnum)"/> takes them.</summary>
    public static bool TryParse<T>(string name, out T value) where T : struct, Enum =>
        Enum.TryParse(name, ignoreCase: true, out value) && Enum.IsDefined(value) && !int.TryParse(name, out _);

    /// <summary>"queued, running, …": every member's name, for a problem that says what would have been accepted.</summary>
    public static string List<T>() where T : struct, Enum => string.Join(", ", Enum.GetNames<T>().Select(n => n.ToLowerInvariant()));
}
