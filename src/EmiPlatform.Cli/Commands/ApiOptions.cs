using System.CommandLine;

namespace EmiPlatform.Cli.Commands;

/// <summary>Options of every command that talks to the API; recursive, so they go anywhere after the group's name.</summary>
internal sealed class ApiOptions
{
    public Option<string?> Profile { get; } = new("--profile", "-p")
    {
        Description = "Profile from the config file (default: EMI_PROFILE, then the current profile).",
        Recursive = true,
    };

    public Option<string?> Url { get; } = new("--url")
    {
        Description = "API base URL, overriding EMI_URL and the profile's.",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Machine-readable output: the API's JSON on stdout (problems too); no tables, no progress bars.",
        Recursive = true,
    };

    public T AddTo<T>(T command)
        where T : Command
    {
        command.Options.Add(Profile);
        command.Options.Add(Url);
        command.Options.Add(Json);
        return command;
    }
}
