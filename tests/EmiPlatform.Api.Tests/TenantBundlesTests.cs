using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using EmiPlatform.Api.Bundles;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

/// <summary>A lab's own bundles: registered by its tenant admin, seen and used by its tenant only; hostile uploads are problems naming what is wrong.</summary>
public sealed class TenantBundlesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_tenant_admins_bundle_is_seen_and_used_by_its_tenant_only()
    {
        var (tenantA, keyA) = await api.CreateTenantAsync("Lab A");
        var (_, keyB) = await api.CreateTenantAsync("Lab B");
        var a = api.Client(keyA);
        var b = api.Client(keyB);

        var created = await a.PostAsync("/v1/bundles", new LabBundle().Zip());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var bundle = (await created.Content.ReadFromJsonAsync<BundleDto>(Json.Options))!;
        Assert.Equal(("lab-heads", "1.0.0", "tenant"), (bundle.Name, bundle.Version, bundle.Owner));
        Assert.Equal($"/v1/bundles/{bundle.Id}", created.Headers.Location!.OriginalString);

        // The same upload again is the same bundle; the stored directory loads like any bundle, backbone included.
        var again = await a.PostAsync("/v1/bundles", new LabBundle().Zip());
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(bundle.Id, (await again.Content.ReadFromJsonAsync<BundleDto>(Json.Options))!.Id);
        var loaded = EmiPlatform.Bundles.ModelBundle.Load(bundle.Location);
        Assert.Equal("lab-heads", loaded.Name);

        var listA = await a.GetFromJsonAsync<List<BundleDto>>("/v1/bundles", Json.Options);
        Assert.Contains(listA!, x => x.Id == bundle.Id && x.Owner == "tenant");
        Assert.Contains(listA!, x => x.Owner == "platform");
        var listB = await b.GetFromJsonAsync<List<BundleDto>>("/v1/bundles", Json.Options);
        Assert.DoesNotContain(listB!, x => x.Id == bundle.Id);
        await ProblemAssert.IsProblem(await b.GetAsync($"/v1/bundles/{bundle.Id}"), HttpStatusCode.NotFound, "not-found");

        var studyA = await api.CreateStudyAsync(keyA);
        var studyB = await api.CreateStudyAsync(keyB);
        Assert.Equal(HttpStatusCode.Accepted, (await a.PostAsJsonAsync($"/v1/studies/{studyA.Id}/rescore", new { bundleId = bundle.Id })).StatusCode);
        await ProblemAssert.IsProblem(await b.PostAsJsonAsync($"/v1/studies/{studyB.Id}/rescore", new { bundleId = bundle.Id }), HttpStatusCode.NotFound, "not-found");

        // Lab B may use the same name for its own: name + version is unique per owner.
        Assert.Equal(HttpStatusCode.Created, (await b.PostAsync("/v1/bundles", new LabBundle().Zip())).StatusCode);

        // Erasing the lab erases its bundles, rows and files.
        Assert.Equal(HttpStatusCode.NoContent, (await api.Admin().DeleteAsync($"/v1/admin/tenants/{tenantA.Id}")).StatusCode);
        Assert.False(Directory.Exists(bundle.Location));
        Assert.DoesNotContain(await api.Admin().GetFromJsonAsync<List<BundleDto>>("/v1/admin/bundles", Json.Options) ?? [], x => x.Id == bundle.Id);
    }

    [Fact]
    public async Task Only_a_tenant_admin_registers_and_a_platform_bundles_name_is_not_taken()
    {
        var (tenant, admin) = await api.CreateTenantAsync();
        var analyst = await api.CreateKeyAsync(tenant.Id, "analyst");
        await ProblemAssert.IsProblem(await api.Client(analyst).PostAsync("/v1/bundles", new LabBundle().Zip()), HttpStatusCode.Forbidden, "forbidden");

        var reference = new LabBundle(name: "reference-tiny");
        reference.Manifest["version"] = JsonNode.Parse(File.ReadAllText(Path.Combine(LabBundle.ReferenceDirectory, "manifest.json")))!["version"]!.GetValue<string>();
        await ProblemAssert.IsProblem(await api.Client(admin).PostAsync("/v1/bundles", reference.Zip()), HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task A_head_whose_input_does_not_fit_its_backbone_names_both_shapes()
    {
        var (_, key) = await api.CreateTenantAsync();
        var client = api.Client(key);

        // The manifest says so.
        var declared = new LabBundle(audio: false);
        var width = declared.Manifest["visual"]!["backbone"]!["output"]!["shape"]!.AsArray()[^1]!.GetValue<int>();
        declared.Manifest["visual"]!["head"]!["inputs"]!["features"]!["shape"] = new JsonArray("batch", "time", width + 7);
        var problem = await ProblemAssert.IsProblem(await client.PostAsync("/v1/bundles", declared.Zip()), HttpStatusCode.UnprocessableEntity, "validation");
        var error = Error(problem, "visual.head.inputs.features");
        Assert.Contains($"[batch, time, {width + 7}]", error);
        Assert.Contains($"[batch, {width}]", error);

        // The manifest is right but the graph is not.
        var graph = new LabBundle(audio: false);
        graph.Files["visual-head.onnx"] = LabBundle.OnnxWithInput("features", "batch", "time", width + 7);
        graph.Manifest["visual"]!["head"]!["sha256"] = Sha256(graph.Files["visual-head.onnx"]);
        problem = await ProblemAssert.IsProblem(await client.PostAsync("/v1/bundles", graph.Zip()), HttpStatusCode.UnprocessableEntity, "validation");
        error = Error(problem, "visual.head.onnx");
        Assert.Contains($"[batch, time, {width + 7}]", error);
        Assert.Contains($"[batch, {width}]", error);
    }

    [Fact]
    public async Task An_unknown_backbone_hash_is_refused_by_name()
    {
        var (_, key) = await api.CreateTenantAsync();
        var bundle = new LabBundle(audio: false);
        var unknown = new string('0', 64);
        bundle.Manifest["visual"]!["backbone"]!["sha256"] = unknown;
        var problem = await ProblemAssert.IsProblem(await api.Client(key).PostAsync("/v1/bundles", bundle.Zip()), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Contains(unknown, Error(problem, "visual.backbone.sha256"));
    }

    [Fact]
    public async Task A_manifest_failing_the_schema_is_refused()
    {
        var (_, key) = await api.CreateTenantAsync();
        var client = api.Client(key);

        var extra = new LabBundle(audio: false);
        extra.Manifest["colour"] = "red";
        var problem = await ProblemAssert.IsProblem(await client.PostAsync("/v1/bundles", extra.Zip()), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Contains("colour", Error(problem, "manifest.json"));

        var v1 = new LabBundle(audio: false);
        v1.Manifest["schema_version"] = 1;
        problem = await ProblemAssert.IsProblem(await client.PostAsync("/v1/bundles", v1.Zip()), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Contains("v2", Error(problem, "schema_version"));

        var notJson = new LabBundle(audio: false);
        var zip = notJson.Zip();
        problem = await ProblemAssert.IsProblem(await client.PostAsync("/v1/bundles", Bytes("not a zip"u8.ToArray())), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Contains("ZIP", Error(problem, "body"));
        zip.Headers.ContentType = new("application/json");
        await ProblemAssert.IsProblem(await client.PostAsync("/v1/bundles", zip), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");
    }

    [Fact]
    public async Task A_lab_uploads_heads_only_and_the_heads_are_the_files_named()
    {
        var (_, key) = await api.CreateTenantAsync();
        var client = api.Client(key);

        var backbone = new LabBundle(audio: false);
        var backboneFile = backbone.Manifest["visual"]!["backbone"]!["onnx"]!.GetValue<string>();
        backbone.Files[backboneFile] = File.ReadAllBytes(Path.Combine(LabBundle.ReferenceDirectory, backboneFile));
        var problem = await ProblemAssert.IsProblem(await client.PostAsync("/v1/bundles", backbone.Zip()), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Contains("heads only", Error(problem, backboneFile));

        var modified = new LabBundle(audio: false);
        modified.Files["visual-head.onnx"][^1] ^= 0xff;
        problem = await ProblemAssert.IsProblem(await client.PostAsync("/v1/bundles", modified.Zip()), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Contains("sha256", Error(problem, "visual.head"));

        var unnamed = new LabBundle(audio: false);
        unnamed.Files["notes.onnx"] = [1, 2, 3];
        problem = await ProblemAssert.IsProblem(await client.PostAsync("/v1/bundles", unnamed.Zip()), HttpStatusCode.UnprocessableEntity, "validation");
        Assert.Contains("does not name", Error(problem, "notes.onnx"));
    }

    private static string Error(JsonElement problem, string field)
    {
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var messages), $"no error for '{field}': {problem}");
        return messages[0].GetString()!;
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes));

    private static ByteArrayContent Bytes(byte[] bytes)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/zip");
        return content;
    }
}
