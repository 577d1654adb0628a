using System.Reflection;

namespace Clarity.Gateway.Me;

/// <summary>
/// GET /me: the page where an end user sees and corrects their self-model. Served by the gateway
/// itself from embedded files, with no external resources; the token arrives in the URL fragment
/// (<c>/me#token=...</c>), which browsers never send to a server, and the page calls the API with it.
/// </summary>
public static class MePage
{
    // Only our own script and stylesheet, only our own API; no inline script, no frames, no forms
    // posting elsewhere. Even a rendering bug could not run injected markup.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly (string Route, string Resource, string ContentType)[] Files =
    [
        ("/me", "me.html", "text/html; charset=utf-8"),
        ("/me/me.js", "me.js", "text/javascript; charset=utf-8"),
        ("/me/me.css", "me.css", "text/css; charset=utf-8"),
    ];

    public static IEndpointRouteBuilder MapMePage(this IEndpointRouteBuilder app)
    {
        foreach (var (route, resource, contentType) in Files)
        {
            var bytes = Load(resource);
            app.MapGet(route, (HttpContext http) =>
            {
                var headers = http.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-store";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
                return Results.Bytes(bytes, contentType);
            })
            .ExcludeFromDescription()
            .AllowAnonymous();
        }
        return app;
    }

    private static byte[] Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Clarity.Gateway.Me." + name)
            ?? throw new InvalidOperationException($"The /me page resource '{name}' is missing from the build.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }
}
