using System.Net;
using EmiPlatform.Api.Tests.Infrastructure;

namespace EmiPlatform.Api.Tests;

public sealed class TenantBundleSizeTests(BundleLimitedApi limited) : IClassFixture<BundleLimitedApi>
{
    [Fact]
    public async Task A_head_graph_over_the_size_bound_is_refused_naming_the_file_and_the_bound()
    {
        var (_, key) = await limited.Api.CreateTenantAsync();
        var bundle = new LabBundle(audio: false);
        Assert.True(bundle.Files["visual-head.onnx"].Length > BundleLimitedApi.MaxHeadGraphBytes);

        var problem = await ProblemAssert.IsProblem(await limited.Api.Client(key).PostAsync("/v1/bundles", bundle.Zip()),
            HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("visual-head.onnx", detail);
        Assert.Contains($"{BundleLimitedApi.MaxHeadGraphBytes}", detail);
    }
}
