using System.Text;
using System.Text.Json;

namespace EmiPlatform.Cli.Watch;

/// <summary><c>--json</c> output of <c>emi jobs watch</c>: each event on one line, its SSE id first, then its data as sent.</summary>
internal static class EventJson
{
    public static string Line(WatchEvent e)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", e.Id is { Length: > 0 } ? e.Id : null);
            writer.WriteString("type", e.Type);
            foreach (var property in e.Data.EnumerateObject().Where(p => p.Name is not ("id" or "type")))
            {
                property.WriteTo(writer);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}
