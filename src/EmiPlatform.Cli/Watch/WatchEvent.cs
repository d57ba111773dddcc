using System.Text.Json;

namespace EmiPlatform.Cli.Watch;

/// <summary>One event of a study's stream: its SSE id (none for heartbeats), its type and its JSON data.</summary>
internal sealed record WatchEvent(string? Id, string Type, JsonElement Data);
