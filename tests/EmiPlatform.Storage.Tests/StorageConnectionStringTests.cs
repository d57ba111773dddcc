namespace EmiPlatform.Storage.Tests;

public class StorageConnectionStringTests
{
    private const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public void Azurite_form_uses_the_explicit_path_style_endpoint()
    {
        var parsed = StorageConnectionString.Parse(
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};BlobEndpoint=http://127.0.0.1:10010/devstoreaccount1;");

        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal("http://127.0.0.1:10010/devstoreaccount1", parsed.BlobEndpoint.AbsoluteUri.TrimEnd('/'));
        Assert.Equal(Convert.FromBase64String(Key), parsed.AccountKey);
    }

    [Fact]
    public void Azure_form_builds_the_account_endpoint_from_the_suffix()
    {
        var parsed = StorageConnectionString.Parse(
            $"DefaultEndpointsProtocol=https;AccountName=emilab;AccountKey={Key};EndpointSuffix=core.windows.net");

        Assert.Equal("emilab", parsed.AccountName);
        Assert.Equal("https://emilab.blob.core.windows.net/", parsed.BlobEndpoint.AbsoluteUri);
    }

    [Fact]
    public void Keys_are_case_insensitive_and_protocol_defaults_to_https()
    {
        var parsed = StorageConnectionString.Parse($"accountname=emilab;ACCOUNTKEY={Key}");

        Assert.Equal("https://emilab.blob.core.windows.net/", parsed.BlobEndpoint.AbsoluteUri);
    }

    [Fact]
    public void Development_storage_shortcut_points_at_the_default_azurite_port()
    {
        var parsed = StorageConnectionString.Parse("UseDevelopmentStorage=true");

        Assert.Equal("devstoreaccount1", parsed.AccountName);
        Assert.Equal(10000, parsed.BlobEndpoint.Port);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("AccountName=a", "AccountKey is missing")]
    [InlineData("AccountName=a;AccountKey=not*base64", "not valid base64")]
    [InlineData("AccountKey=AAAA", "AccountName is missing")]
    [InlineData("AccountName=a;SharedAccessSignature=sv=x", "SharedAccessSignature")]
    [InlineData("AccountName=a;AccountKey=AAAA;BlobEndpoint=ftp://x", "BlobEndpoint")]
    [InlineData("garbage", "not key=value")]
    public void Invalid_strings_are_rejected_with_the_reason(string connectionString, string reason)
    {
        var error = Assert.Throws<FormatException>(() => StorageConnectionString.Parse(connectionString));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_messages_never_echo_the_account_key()
    {
        var error = Assert.Throws<FormatException>(() => StorageConnectionString.Parse($"SecretThing{Key}"));

        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
    }
}
