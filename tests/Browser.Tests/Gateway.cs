extern alias gateway;

using System.Net;
using Clarity.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Clarity.Browser.Tests;

/// <summary>The real gateway (co-hosted silo, SQLite) on a Kestrel socket on 127.0.0.1, as a browser needs.</summary>
public static class Gateway
{
    public static (ClarityApp App, Uri Address) Start()
    {
        var app = new ClarityApp();
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new Uri(address));
    }

    /// <summary>A plain client on the real socket, as any API caller would use.</summary>
    public static HttpClient ApiClient(Uri address, string token)
    {
        var client = new HttpClient { BaseAddress = address };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
