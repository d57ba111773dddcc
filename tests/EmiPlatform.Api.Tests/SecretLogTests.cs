using System.Diagnostics.Tracing;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.RegularExpressions;
using System.Web;
using Azure.Core.Diagnostics;
using EmiPlatform.Api.Keys;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Recordings;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Api.Webhooks;
using EmiPlatform.Data.Entities;
using EmiPlatform.Testing;
using Npgsql;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The API host with every log category captured from Debug up, RabbitMQ as the transport and private webhook
/// targets allowed; the Azure SDK's event source and the servers' own log files (EMI_INFRA_LOGS, written by
/// infra/up.sh) are read too.
/// </summary>
public sealed class SecretLogFixture : IAsyncLifetime
{
    private readonly Dictionary<string, long> infraOffsets = [];
    private AzureEventSourceListener? azure;

    public CapturedLogs Logs { get; } = new();

    public ApiFactory Api { get; }

    public SecretLogFixture() => Api = new ApiFactory
    {
        Logs = Logs,
        Settings =
        {
            ["Webhooks:AllowPrivateNetworks"] = "true",
            ["Webhooks:PollInterval"] = "00:00:00.200",
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMqUrl"] = ServerSettings.Require("EMI_RABBITMQ"),
            ["Messaging:QueuePrefix"] = "secrets-" + Guid.NewGuid().ToString("N")[..8] + "-",
        },
    };

    public async Task InitializeAsync()
    {
        foreach (var file in InfraLogFiles())
        {
            infraOffsets[file] = new FileInfo(file).Length;
        }
        azure = new AzureEventSourceListener((_, message) => Logs.Add("azure-sdk", message), EventLevel.Verbose);
        await Api.InitializeAsync();
    }

    /// <summary>What the servers wrote to their logs since this fixture started (other test classes' lines included).</summary>
    public string InfraLogText()
    {
        var text = new StringBuilder();
        foreach (var file in InfraLogFiles())
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var offset = infraOffsets.GetValueOrDefault(file);
            stream.Seek(offset <= stream.Length ? offset : 0, SeekOrigin.Begin); // a rotated file starts over
            text.Append($"[{file}]\n").Append(new StreamReader(stream).ReadToEnd()).Append('\n');
        }
        return text.ToString();
    }

    private static IEnumerable<string> InfraLogFiles() =>
        ServerSettings.Require("EMI_INFRA_LOGS").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(path => Directory.Exists(path) ? Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories) : [path])
            .Where(File.Exists);

    public async Task DisposeAsync()
    {
        azure?.Dispose();
        await Api.DisposeAsync();
    }
}

public sealed partial class SecretLogTests(SecretLogFixture fixture) : IClassFixture<SecretLogFixture>
{
    private ApiFactory Api => fixture.Api;

    [Fact]
    public async Task A_full_flow_writes_no_key_secret_password_or_sas_signature_to_any_log()
    {
        var secrets = new Dictionary<string, string>();
        void Issued(string what, string secret) => secrets[what] = secret;
        Issued("bootstrap admin key", Api.AdminKey);

        // Keys: the tenant's first admin key, keys made by the platform admin and by the tenant admin.
        var (tenant, adminKey) = await Api.CreateTenantAsync("Secret lab");
        Issued("tenant admin key", adminKey);
        var uploaderKey = await Api.CreateKeyAsync(tenant.Id, "uploader");
        Issued("uploader key", uploaderKey);
        var admin = Api.Client(adminKey);
        var made = await admin.PostAsJsonAsync("/v1/keys", new { name = "analysts", role = "analyst" });
        Assert.Equal(HttpStatusCode.Created, made.StatusCode);
        var analystKey = (await made.Content.ReadFromJsonAsync<CreatedApiKeyDto>(Json.Options))!.Secret;
        Issued("analyst key", analystKey);
        foreach (var key in new[] { adminKey, uploaderKey, analystKey })
        {
            Issued("secret part of " + key[..16], key[(key.LastIndexOf('_') + 1)..]);
        }
        // A key someone guessed: the right public id, the wrong secret. Refused, and not logged either.
        var guessed = uploaderKey[..^4] + (uploaderKey.EndsWith("aaaa", StringComparison.Ordinal) ? "bbbb" : "aaaa");
        Issued("guessed key", guessed);
        await ProblemAssert.IsProblem(await Api.Client(guessed).GetAsync("/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");

        // Webhook secrets, before and after a rotation.
        await using var receiver = await WebhookReceiver.StartAsync(_ => 204);
        var registered = await admin.PostAsJsonAsync("/v1/webhooks", new { url = receiver.Url.ToString() });
        var hook = (await registered.Content.ReadFromJsonAsync<WebhookSecretDto>(Json.Options))!;
        Issued("webhook secret", hook.Secret);
        var rotated = (await (await admin.PostAsync($"/v1/webhooks/{hook.Webhook.Id}/rotate-secret", null))
            .Content.ReadFromJsonAsync<WebhookSecretDto>(Json.Options))!;
        Issued("rotated webhook secret", rotated.Secret);

        // Study, participant, a streamed upload scored through RabbitMQ, its webhook delivered.
        var uploader = Api.Client(uploaderKey);
        var study = await Api.CreateStudyAsync(uploaderKey);
        var participant = (await (await uploader.PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code = "P01" }))
            .Content.ReadFromJsonAsync<ParticipantDto>(Json.Options))!;
        var upload = await Uploads.PostAsync(uploader, study.Id, participant.Id, await TestMedia.WavAsync(), "audio/wav", "?fileName=tone.wav");
        Assert.Equal(HttpStatusCode.Created, upload.StatusCode);
        var job = await WebhookDeliveryTests.WaitForJobAsync(uploader, study.Id);
        Assert.Equal("succeeded", job.GetProperty("state").GetString());
        await WebhookDeliveryTests.WaitForDeliveryAsync(admin, hook.Webhook.Id, d => d.Status == WebhookDeliveryStatus.Delivered);
        var delivered = Assert.Single(receiver.Requests);
        Assert.True(ReceiverSignature.Accepts(hook.Secret, delivered) && ReceiverSignature.Accepts(rotated.Secret, delivered));

        // A direct upload through a write SAS, and the read SAS of the content link.
        var start = await uploader.PostAsync(Uploads.Path(study.Id, participant.Id) + "/uploads", null);
        var direct = (await start.Content.ReadFromJsonAsync<DirectUploadDto>(Json.Options))!;
        Issued("write SAS signature", Signature(direct.UploadUrl));
        using var storage = new HttpClient();
        var put = new HttpRequestMessage(HttpMethod.Put, direct.UploadUrl) { Content = new ByteArrayContent(await TestMedia.VideoAsync()) };
        put.Headers.Add("x-ms-blob-type", "BlockBlob");
        Assert.Equal(HttpStatusCode.Created, (await storage.SendAsync(put)).StatusCode);
        var completed = await uploader.PostAsJsonAsync(direct.CompleteUrl, new { fileName = "direct.mp4" });
        Assert.Equal(HttpStatusCode.Created, completed.StatusCode);
        using var noRedirect = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = uploader.BaseAddress };
        noRedirect.DefaultRequestHeaders.Authorization = uploader.DefaultRequestHeaders.Authorization;
        var content = await noRedirect.GetAsync($"/v1/recordings/{direct.RecordingId}/content");
        Assert.Equal(HttpStatusCode.Redirect, content.StatusCode);
        Issued("read SAS signature", Signature(content.Headers.Location!));
        Assert.NotEmpty(await storage.GetByteArrayAsync(content.Headers.Location));

        // An analyst's export.
        var export = await Api.Client(analystKey).GetAsync($"/v1/studies/{study.Id}/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);

        // Server-side secrets the host was configured with.
        foreach (var (name, connection) in new[] { ("app", Api.Database.App), ("admin", Api.Database.Admin), ("owner", Api.Database.Owner) })
        {
            Issued($"database {name} password", new NpgsqlConnectionStringBuilder(connection).Password!);
        }
        Issued("storage account key", AccountKey().Match(ServerSettings.Require("EMI_AZURITE")).Groups[1].Value);

        var host = fixture.Logs.Text;
        // The capture is real: each library named in the brief logged something into it.
        foreach (var source in new[] { "Microsoft.AspNetCore.", "Microsoft.EntityFrameworkCore.", "Npgsql", "Orleans.", "MassTransit", "[azure-sdk]" })
        {
            Assert.True(host.Contains(source, StringComparison.Ordinal), $"nothing from {source} was captured ({fixture.Logs.Count} entries)");
        }
        var logs = host + "\n" + fixture.InfraLogText();
        foreach (var (what, secret) in secrets.ToList())
        {
            secrets[what + ", percent-encoded"] = Uri.EscapeDataString(secret); // as it would stand in a logged URL
        }
        var leaks = secrets.Where(s => logs.Contains(s.Value, StringComparison.Ordinal)).Select(s => $"{s.Key}: {Around(logs, s.Value)}").ToList();
        // Any SAS signature at all, including the ones the API and the worker make for themselves (ffprobe, downloads).
        leaks.AddRange(SasSignature().Matches(logs).Where(m => m.Groups[1].Value != "REDACTED").Select(m => $"a SAS signature: {Around(logs, m.Value)}"));
        Assert.True(leaks.Count == 0, "secrets in the logs:\n" + string.Join("\n", leaks));
    }

    private static string Signature(Uri sas) =>
        HttpUtility.ParseQueryString(sas.Query)["sig"] is { Length: > 0 } sig ? sig : throw new InvalidOperationException($"no sig in {sas}");

    private static string Around(string text, string value)
    {
        var at = text.IndexOf(value, StringComparison.Ordinal);
        return text[Math.Max(0, at - 200)..Math.Min(text.Length, at + value.Length + 50)];
    }

    [GeneratedRegex("AccountKey=([^;]+)")]
    private static partial Regex AccountKey();

    // sig= then its value, raw or percent-encoded (base64: letters, digits, + / =).
    [GeneratedRegex("[?&;]sig=([A-Za-z0-9%+/=]+)")]
    private static partial Regex SasSignature();
}
