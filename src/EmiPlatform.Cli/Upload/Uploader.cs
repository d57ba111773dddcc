using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using EmiPlatform.Cli.Http;
using EmiPlatform.Cli.Output;

namespace EmiPlatform.Cli.Upload;

/// <summary>
/// Uploads a batch into one study: creates missing participants, skips files whose SHA-256 is already listed under
/// their participant (so an interrupted batch resumes where it stopped), and sends the rest in parallel. One file's
/// failure never stops the others.
/// </summary>
internal sealed class Uploader(EmiClient client, Guid studyId, IUploadObserver observer)
{
    private readonly Dictionary<string, Guid> _participants = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, HashSet<string>> _uploaded = [];

    public async Task<UploadOutcome[]> RunAsync(IReadOnlyList<UploadItem> items, int parallelism, CancellationToken ct)
    {
        await PrepareParticipantsAsync(items.Where(i => i.Error is null).Select(i => i.Participant!).Distinct(StringComparer.Ordinal), ct).ConfigureAwait(false);
        var outcomes = new UploadOutcome[items.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, items.Count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (index, token) =>
            {
                var item = items[index];
                observer.Started(item);
                var outcome = await UploadOneAsync(item, token).ConfigureAwait(false);
                outcomes[index] = outcome;
                observer.Finished(item, outcome);
            }).ConfigureAwait(false);
        return outcomes;
    }

    private async Task PrepareParticipantsAsync(IEnumerable<string> codes, CancellationToken ct)
    {
        await LoadParticipantsAsync(ct).ConfigureAwait(false);
        foreach (var code in codes)
        {
            if (_participants.ContainsKey(code))
            {
                continue;
            }
            try
            {
                var created = await client.PostAsync($"v1/studies/{studyId}/participants", new { code }, ct).ConfigureAwait(false);
                _participants[code] = JsonText.Id(created);
            }
            catch (ApiException e) when (e.Status == HttpStatusCode.Conflict)
            {
                // Someone (another emi upload of the same study) created it meanwhile: use theirs.
                await LoadParticipantsAsync(ct).ConfigureAwait(false);
                if (!_participants.ContainsKey(code))
                {
                    throw;
                }
            }
        }

        foreach (var id in _participants.Values)
        {
            var recordings = await client.GetAsync($"v1/studies/{studyId}/participants/{id}/recordings", ct).ConfigureAwait(false);
            _uploaded[id] = recordings.EnumerateArray().Select(r => JsonText.Get(r, "sha256")!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        }
    }

    private async Task LoadParticipantsAsync(CancellationToken ct)
    {
        await foreach (var p in client.ListAllAsync($"v1/studies/{studyId}/participants", ct).ConfigureAwait(false))
        {
            _participants[JsonText.Get(p, "code")!] = JsonText.Id(p);
        }
    }

    private async Task<UploadOutcome> UploadOneAsync(UploadItem item, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        if (item.Error is not null)
        {
            observer.Sent(item, item.Length);
            return new UploadOutcome(item.DisplayName, null, UploadStatus.Failed, item.Length, null, null, 0, new UploadError(null, null, item.Error, null, null));
        }

        var participantId = _participants[item.Participant!];
        string sha256;
        try
        {
            sha256 = await HashAsync(item.Path, ct).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            observer.Sent(item, item.Length);
            return Failed(item, null, clock, new UploadError(null, null, "cannot read the file", e.Message, null));
        }

        bool known;
        lock (_uploaded)
        {
            known = _uploaded[participantId].Contains(sha256);
        }
        if (known)
        {
            observer.Sent(item, item.Length);
            return new UploadOutcome(item.DisplayName, item.Participant, UploadStatus.Skipped, item.Length, sha256, null, clock.Elapsed.TotalSeconds, null);
        }

        var query = $"?fileName={Uri.EscapeDataString(Path.GetFileName(item.Path))}"
            + (item.Stimulus is { } s ? $"&stimulus={Uri.EscapeDataString(s)}" : "")
            + (item.Trial is { } t ? $"&trial={Uri.EscapeDataString(t)}" : "");
        long sent = 0;
        try
        {
            var (created, recording) = await client.UploadFileAsync(
                $"v1/studies/{studyId}/participants/{participantId}/recordings{query}", item.Path, ContentTypes.For(item.Path),
                n => { sent += n; observer.Sent(item, n); }, ct).ConfigureAwait(false);
            observer.Sent(item, item.Length - sent);
            lock (_uploaded)
            {
                _uploaded[participantId].Add(sha256);
            }
            return new UploadOutcome(item.DisplayName, item.Participant, created ? UploadStatus.Uploaded : UploadStatus.Exists, item.Length,
                JsonText.Get(recording, "sha256"), recording.GetProperty("id").GetGuid(), clock.Elapsed.TotalSeconds, null);
        }
        catch (ApiException e)
        {
            observer.Sent(item, item.Length - sent);
            return Failed(item, sha256, clock, new UploadError((int)e.Status, e.Type, e.Title, e.Detail, e.Errors.Count > 0 ? e.Errors : null));
        }
        catch (Exception e) when (e is HttpRequestException or IOException or JsonException)
        {
            observer.Sent(item, item.Length - sent);
            return Failed(item, sha256, clock, new UploadError(null, null, "upload failed", e.Message, null));
        }
    }

    private static UploadOutcome Failed(UploadItem item, string? sha256, Stopwatch clock, UploadError error) =>
        new(item.DisplayName, item.Participant, UploadStatus.Failed, item.Length, sha256, null, clock.Elapsed.TotalSeconds, error);

    private static async Task<string> HashAsync(string path, CancellationToken ct)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, ct).ConfigureAwait(false));
    }
}
