namespace EmiPlatform.Storage;

/// <summary>A byte range of a blob; a null <see cref="Length"/> means "to the end".</summary>
public readonly record struct BlobRange(long Offset, long? Length = null)
{
    internal string ToHeaderValue()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Offset);
        if (Length is { } length)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
            return FormattableString.Invariant($"bytes={Offset}-{Offset + length - 1}");
        }

        return FormattableString.Invariant($"bytes={Offset}-");
    }
}
