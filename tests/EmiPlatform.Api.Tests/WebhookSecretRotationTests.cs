using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Webhooks;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>
/// The rotation window as the sender applies it, over real HTTP to a real receiver, with time driven by a
/// <see cref="FakeTimeProvider"/>: both secrets sign until the window closes, then only the new one.
/// </summary>
public sealed class WebhookSecretRotationTests
{
    private const string OldSecret = "whsec_oldoldoldoldoldoldoldoldoldoldol";
    private const string NewSecret = "whsec_newnewnewnewnewnewnewnewnewnewne";

    [Fact]
    public async Task Both_secrets_sign_during_the_rotation_window_and_only_the_new_one_after_it()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 204);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        using var sender = new WebhookSender(Options.Create(new WebhookOptions { AllowPrivateNetworks = true }), clock);
        var expiresAt = clock.GetUtcNow() + TimeSpan.FromHours(24);
        var delivery = new ClaimedDelivery(Guid.NewGuid(), Guid.NewGuid(), 1, """{"id":"e","type":"job.succeeded"}""", receiver.Url.ToString(),
            NewSecret, OldSecret, expiresAt, Guid.NewGuid());

        Assert.True((await sender.SendAsync(delivery, default)).Delivered);
        clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromSeconds(1));
        Assert.True((await sender.SendAsync(delivery with { Attempt = 2 }, default)).Delivered);
        clock.Advance(TimeSpan.FromSeconds(1)); // the window is [rotation, expiresAt)
        Assert.True((await sender.SendAsync(delivery with { Attempt = 3 }, default)).Delivered);

        var requests = receiver.Requests;
        Assert.Equal(3, requests.Count);
        foreach (var during in requests.Take(2))
        {
            Assert.Equal([ReceiverSignature.Expected(NewSecret, during), ReceiverSignature.Expected(OldSecret, during)], ReceiverSignature.Values(during));
            Assert.True(ReceiverSignature.Accepts(OldSecret, during), "a receiver still holding the old secret accepts");
            Assert.True(ReceiverSignature.Accepts(NewSecret, during), "a receiver already holding the new secret accepts");
        }
        var after = requests[2];
        Assert.Equal(expiresAt.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), after.Headers["Emi-Webhook-Timestamp"]);
        Assert.Equal([ReceiverSignature.Expected(NewSecret, after)], ReceiverSignature.Values(after));
        Assert.False(ReceiverSignature.Accepts(OldSecret, after), "the old secret signs nothing once its window has closed");
    }

    [Fact]
    public async Task A_webhook_never_rotated_is_signed_with_its_one_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync(_ => 204);
        using var sender = new WebhookSender(Options.Create(new WebhookOptions { AllowPrivateNetworks = true }), TimeProvider.System);
        var delivery = new ClaimedDelivery(Guid.NewGuid(), Guid.NewGuid(), 1, """{"id":"e","type":"job.failed"}""", receiver.Url.ToString(),
            NewSecret, null, null, Guid.NewGuid());
        Assert.True((await sender.SendAsync(delivery, default)).Delivered);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal([ReceiverSignature.Expected(NewSecret, request)], ReceiverSignature.Values(request));
    }
}
