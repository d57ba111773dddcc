using System.Net.Http.Headers;
using EmiPlatform.ApiClient;
using EmiPlatform.Testing;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace EmiPlatform.Client.Tests;

/// <summary>The generated client as a lab would set it up: Kiota's own HttpClient (its retry and redirect handlers), a key.</summary>
public static class GeneratedClients
{
    public static EmiApiClient For(ApiFactory api, string key)
    {
        var http = KiotaClientFactory.Create();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        // The document names no server (the host decides where it listens): the base URL is the client's to give.
        var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: http)
        {
            BaseUrl = api.Url.ToString().TrimEnd('/'),
        };
        return new EmiApiClient(adapter);
    }
}
