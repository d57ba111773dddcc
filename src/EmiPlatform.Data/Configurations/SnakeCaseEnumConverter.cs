using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace EmiPlatform.Data.Configurations;

/// <summary>Stores enum members as snake_case text ("tenant_admin"), the same words the API and the SQL CHECK constraints use.</summary>
public sealed partial class SnakeCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(
    value => ToSnakeCase(value.ToString()),
    text => Enum.Parse<TEnum>(text.Replace("_", string.Empty, StringComparison.Ordinal), ignoreCase: true))
    where TEnum : struct, Enum
{
    public static string ToSnakeCase(string name) => UpperAfterLower().Replace(name, "$1_$2").ToLowerInvariant();

    [GeneratedRegex("([a-z0-9])([A-Z])")]
    private static partial Regex UpperAfterLower();
}
