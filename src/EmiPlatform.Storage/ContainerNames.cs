namespace EmiPlatform.Storage;

/// <summary>Azure's container naming rules, checked locally so a typo fails at start with a readable message.</summary>
public static class ContainerNames
{
    public static bool IsValid(string? name)
    {
        if (name is null || name.Length is < 3 or > 63)
        {
            return false;
        }

        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            var isLetterOrDigit = c is >= 'a' and <= 'z' or >= '0' and <= '9';
            if (isLetterOrDigit)
            {
                continue;
            }

            if (c != '-' || i == 0 || i == name.Length - 1 || name[i - 1] == '-')
            {
                return false;
            }
        }

        return true;
    }
}
