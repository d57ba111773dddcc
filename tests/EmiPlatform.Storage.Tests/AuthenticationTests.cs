namespace EmiPlatform.Storage.Tests;

public class AuthenticationTests
{
    [Fact]
    public async Task Wrong_account_key_is_a_typed_authentication_error_with_a_hint()
    {
        var options = AzuriteEnvironment.Options(AzuriteEnvironment.NewContainerName("auth"));
        var wrongKey = Convert.ToBase64String(TestData.RandomBytes(64, seed: 1));
        options.ConnectionString = ReplaceAccountKey(options.ConnectionString, wrongKey);
        var store = new BlobStore(options);

        var error = await Assert.ThrowsAsync<BlobAuthenticationException>(() => store.EnsureContainerAsync());

        Assert.Equal(403, error.Status);
        Assert.Contains("AccountKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wrong_account_key_fails_uploads_too_without_committing()
    {
        await using var container = await TestContainer.CreateAsync("authup");
        var options = AzuriteEnvironment.Options(container.Store.ContainerName, blockSize: 256 * 1024);
        options.ConnectionString = ReplaceAccountKey(options.ConnectionString, Convert.ToBase64String(TestData.RandomBytes(64, seed: 2)));
        var intruder = new BlobStore(options);

        await Assert.ThrowsAsync<BlobAuthenticationException>(() =>
            intruder.UploadAsync("x.bin", new GeneratedStream(1_000_000, seed: 3)));

        Assert.Empty(await container.Store.ListAsync().ToListAsync());
    }

    private static string ReplaceAccountKey(string connectionString, string key) =>
        string.Join(';', connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(part => part.StartsWith("AccountKey=", StringComparison.OrdinalIgnoreCase) ? "AccountKey=" + key : part));
}
