using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace EmiPlatform.Api.Auth;

/// <summary>
/// Keys look like <c>emi_&lt;public id&gt;_&lt;secret&gt;</c>: the public id finds the row, only a SHA-256 of the secret is
/// stored. The secret carries 160 random bits, so a fast hash is enough (no password-style stretching needed).
/// </summary>
public static class ApiKeyFormat
{
    private const string Prefix = "emi_";
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    public const int PublicIdLength = 12;
    public const int SecretLength = 32;

    public static (string Key, string PublicId, byte[] SecretHash) Generate()
    {
        var publicId = RandomString(PublicIdLength);
        var secret = RandomString(SecretLength);
        return ($"{Prefix}{publicId}_{secret}", publicId, Hash(secret));
    }

    public static string DisplayPrefix(string publicId) => $"{Prefix}{publicId}";

    public static bool TryParse(string key, [NotNullWhen(true)] out string? publicId, [NotNullWhen(true)] out string? secret)
    {
        publicId = secret = null;
        if (key.Length != Prefix.Length + PublicIdLength + 1 + SecretLength || !key.StartsWith(Prefix, StringComparison.Ordinal)
            || key[Prefix.Length + PublicIdLength] != '_')
        {
            return false;
        }
        var id = key.Substring(Prefix.Length, PublicIdLength);
        var sec = key[(Prefix.Length + PublicIdLength + 1)..];
        if (!id.All(Alphabet.Contains) || !sec.All(Alphabet.Contains))
        {
            return false;
        }
        (publicId, secret) = (id, sec);
        return true;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    public static bool Matches(string secret, byte[] storedHash) => CryptographicOperations.FixedTimeEquals(Hash(secret), storedHash);

    private static string RandomString(int length) => RandomNumberGenerator.GetString(Alphabet, length);
}
