namespace EmiPlatform.Api.Validation;

/// <summary>Collects per-field messages for a 422 problem response; field names are the JSON names the client sent.</summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, List<string>> errors = [];

    public bool Any => errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!errors.TryGetValue(field, out var list))
        {
            errors[field] = list = [];
        }
        list.Add(message);
    }

    /// <summary>A required single-line name: present, not blank, no control characters, at most <paramref name="maxLength"/> characters.</summary>
    public void RequiredText(string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, "is required");
            return;
        }
        OptionalText(field, value, maxLength);
    }

    public void OptionalText(string field, string? value, int maxLength, bool multiline = false)
    {
        if (value is null)
        {
            return;
        }
        if (value.Length > maxLength)
        {
            Add(field, $"must be at most {maxLength} characters");
        }
        if (value.Any(c => char.IsControl(c) && !(multiline && c is '\n' or '\r' or '\t')))
        {
            Add(field, "must not contain control characters");
        }
    }

    public void NonNegative(string field, long? value)
    {
        if (value < 0)
        {
            Add(field, "must be 0 or more");
        }
    }

    public IDictionary<string, string[]> ToDictionary() => errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
}
