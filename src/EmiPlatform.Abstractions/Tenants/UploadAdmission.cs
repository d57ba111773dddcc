namespace EmiPlatform.Abstractions.Tenants;

/// <summary>The tenant grain's answer to an upload: admitted, or refused with the reason.</summary>
[GenerateSerializer, Immutable, Alias("emi.UploadAdmission")]
public sealed record UploadAdmission([property: Id(0)] UploadRefusal? Refusal)
{
    public static readonly UploadAdmission Admitted = new((UploadRefusal?)null);

    public bool IsAdmitted => Refusal is null;
}

public enum UploadRefusal
{
    TenantSuspended,
    QuotaExceeded,
}
