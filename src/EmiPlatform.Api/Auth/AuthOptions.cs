using System.ComponentModel.DataAnnotations;

namespace EmiPlatform.Api.Auth;

public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>The platform admin's key. Not stored in the database, so a fresh installation can create its first tenant.</summary>
    [Required, MinLength(32)]
    public string BootstrapAdminKey { get; set; } = string.Empty;
}
