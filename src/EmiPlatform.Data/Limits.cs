namespace EmiPlatform.Data;

/// <summary>Column lengths shared by the schema, the EF model and API validation, so all three agree.</summary>
public static class Limits
{
    public const int NameLength = 200;
    public const int DescriptionLength = 4000;
    public const int CodeLength = 100;
    public const int MetadataBytes = 16 * 1024;
    public const int FileNameLength = 255;
    public const int WebhookUrlLength = 2000;
    public const int MaxConcurrentJobs = 10_000;
}
