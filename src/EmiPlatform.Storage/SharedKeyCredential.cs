using System.Security.Cryptography;
using System.Text;

namespace EmiPlatform.Storage;

/// <summary>Storage account name and key; signs Shared Key requests and service SAS tokens.</summary>
internal sealed class SharedKeyCredential(string accountName, byte[] accountKey)
{
    public string AccountName { get; } = accountName;

    public string ComputeSignature(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(accountKey, Encoding.UTF8.GetBytes(stringToSign)));
}
