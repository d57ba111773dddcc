using Azure.Storage.Blobs.Models;

namespace EmiPlatform.Storage.Tests;

/// <summary>
/// A blob written under a staging name (as a direct upload's write SAS does, with whatever metadata the client set) ends
/// under its own name with the SHA-256 of its bytes, and nothing is left under the staging name.
/// </summary>
public class PromotionTests
{
    private const string Staging = "tenant/recording.bin.staging";
    private const string Final = "tenant/recording.bin";

    [Fact]
    public async Task Promoting_moves_the_bytes_to_their_own_name_and_stores_their_sha256_over_a_forged_one()
    {
        await using var container = await TestContainer.CreateAsync("promote");
        var bytes = TestData.RandomBytes(300_000, seed: 1);
        await StageAsync(container, bytes, new Dictionary<string, string> { ["sha256"] = new string('0', 64), ["lab"] = "north" });

        var promotion = await container.Store.PromoteAsync(Staging, Final, maxLength: bytes.Length);

        Assert.Equal(BlobPromotionStatus.Promoted, promotion.Status);
        Assert.False(promotion.StagingWasGone);
        Assert.Equal("audio/wav", promotion.ContentType);
        Assert.Equal(bytes.Length, promotion.Hash!.Length);
        Assert.Equal(TestData.Sha256Hex(bytes), promotion.Hash.Sha256);
        Assert.Equal([Final], await container.NamesAsync());
        Assert.Equal(bytes, await container.ReadAsync(Final));
        var properties = (await container.Blob(Final).GetPropertiesAsync()).Value;
        Assert.Equal(TestData.Sha256Hex(bytes), BlobStore.Sha256Of(properties.Metadata));
        Assert.Equal("north", properties.Metadata["lab"]);
        Assert.Equal(properties.ETag, promotion.Hash.ETag);
    }

    [Fact]
    public async Task Promoting_what_was_never_staged_creates_nothing()
    {
        await using var container = await TestContainer.CreateAsync("unstaged");

        var promotion = await container.Store.PromoteAsync(Staging, Final, maxLength: 1024);

        Assert.Equal(BlobPromotionStatus.NotStaged, promotion.Status);
        Assert.Null(promotion.Hash);
        Assert.Empty(await container.NamesAsync());
    }

    [Fact]
    public async Task A_promotion_that_stopped_after_the_copy_is_finished_by_the_next()
    {
        await using var container = await TestContainer.CreateAsync("resume");
        var bytes = TestData.RandomBytes(50_000, seed: 2);
        // What an earlier promotion leaves when it stops between the copy and the hash: the copy, no staging blob, no sha256.
        await container.Blob(Final).UploadAsync(BinaryData.FromBytes(bytes));

        var promotion = await container.Store.PromoteAsync(Staging, Final, maxLength: bytes.Length);

        Assert.Equal(BlobPromotionStatus.Promoted, promotion.Status);
        Assert.True(promotion.StagingWasGone);
        Assert.Equal(TestData.Sha256Hex(bytes), promotion.Hash!.Sha256);
        Assert.Equal(TestData.Sha256Hex(bytes), BlobStore.Sha256Of((await container.Blob(Final).GetPropertiesAsync()).Value.Metadata));
        Assert.Equal([Final], await container.NamesAsync());
    }

    [Fact]
    public async Task Promoting_again_once_done_leaves_the_promoted_blob_untouched()
    {
        await using var container = await TestContainer.CreateAsync("again");
        var bytes = TestData.RandomBytes(50_000, seed: 3);
        await StageAsync(container, bytes);
        var first = await container.Store.PromoteAsync(Staging, Final, maxLength: bytes.Length);

        var second = await container.Store.PromoteAsync(Staging, Final, maxLength: bytes.Length);

        Assert.Equal(BlobPromotionStatus.Promoted, second.Status);
        Assert.True(second.StagingWasGone);
        Assert.Equal(first.Hash, second.Hash);
        Assert.Equal(first.Hash!.ETag, (await container.Blob(Final).GetPropertiesAsync()).Value.ETag);
    }

    [Fact]
    public async Task A_staged_blob_over_the_limit_is_refused_and_deleted_under_both_names()
    {
        await using var container = await TestContainer.CreateAsync("toolarge");
        var bytes = TestData.RandomBytes(4097, seed: 4);
        await StageAsync(container, bytes);

        var promotion = await container.Store.PromoteAsync(Staging, Final, maxLength: 4096);

        Assert.Equal(BlobPromotionStatus.TooLarge, promotion.Status);
        Assert.Null(promotion.Hash);
        Assert.Empty(await container.NamesAsync());
    }

    /// <summary>Writes the blob as a client's SAS upload would: its own Content-Type and metadata, no platform hash.</summary>
    private static async Task StageAsync(TestContainer container, byte[] bytes, Dictionary<string, string>? metadata = null) =>
        await container.Blob(Staging).UploadAsync(BinaryData.FromBytes(bytes), new Azure.Storage.Blobs.Models.BlobUploadOptions
        {
            HttpHeaders = new BlobHttpHeaders { ContentType = "audio/wav" },
            Metadata = metadata,
        });
}
