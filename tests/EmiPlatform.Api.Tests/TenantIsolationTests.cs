using System.Net;
using System.Net.Http.Json;
using EmiPlatform.Api.Keys;
using EmiPlatform.Api.Paging;
using EmiPlatform.Api.Participants;
using EmiPlatform.Api.Studies;
using EmiPlatform.Api.Tests.Infrastructure;
using EmiPlatform.Testing;

namespace EmiPlatform.Api.Tests;

public sealed class TenantIsolationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Another_tenants_study_and_participant_are_404_for_every_verb()
    {
        var (_, keyA) = await api.CreateTenantAsync("Lab A");
        var (_, keyB) = await api.CreateTenantAsync("Lab B");
        var study = await api.CreateStudyAsync(keyA);
        var participant = await (await api.Client(keyA).PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code = "P01" }))
            .Content.ReadFromJsonAsync<ParticipantDto>(Json.Options);
        var b = api.Client(keyB);

        await ProblemAssert.IsProblem(await b.GetAsync($"/v1/studies/{study.Id}"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await b.PutAsJsonAsync($"/v1/studies/{study.Id}", new { name = "stolen" }), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await b.DeleteAsync($"/v1/studies/{study.Id}"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await b.GetAsync($"/v1/studies/{study.Id}/participants"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await b.PostAsJsonAsync($"/v1/studies/{study.Id}/participants", new { code = "X" }), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await b.GetAsync($"/v1/studies/{study.Id}/participants/{participant!.Id}"), HttpStatusCode.NotFound, "not-found");
        await ProblemAssert.IsProblem(await b.DeleteAsync($"/v1/studies/{study.Id}/participants/{participant.Id}"), HttpStatusCode.NotFound, "not-found");

        var listB = await b.GetFromJsonAsync<Page<StudyDto>>("/v1/studies", Json.Options);
        Assert.Empty(listB!.Items);
        // Nothing B tried changed A's data.
        var stillThere = await api.Client(keyA).GetFromJsonAsync<StudyDto>($"/v1/studies/{study.Id}", Json.Options);
        Assert.Equal(study.Name, stillThere!.Name);
        Assert.Equal(HttpStatusCode.OK, (await api.Client(keyA).GetAsync($"/v1/studies/{study.Id}/participants/{participant.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_tenant_admin_cannot_list_or_revoke_another_tenants_keys()
    {
        var (tenantA, keyA) = await api.CreateTenantAsync("Lab A");
        var (_, keyB) = await api.CreateTenantAsync("Lab B");
        var keysOfA = await api.Admin().GetFromJsonAsync<List<ApiKeyDto>>($"/v1/admin/tenants/{tenantA.Id}/keys", Json.Options);

        var listedByB = await api.Client(keyB).GetFromJsonAsync<List<ApiKeyDto>>("/v1/keys", Json.Options);
        Assert.DoesNotContain(listedByB!, k => k.Id == keysOfA![0].Id);
        await ProblemAssert.IsProblem(await api.Client(keyB).PostAsync($"/v1/keys/{keysOfA![0].Id}/revoke", null), HttpStatusCode.NotFound, "not-found");
        Assert.Equal(HttpStatusCode.OK, (await api.Client(keyA).GetAsync("/v1/studies")).StatusCode);
    }
}
