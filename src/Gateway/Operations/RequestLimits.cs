using Clarity.Gateway.Model;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Clarity.Gateway.Operations;

/// <summary>
/// The body-size limit (<c>Clarity:Limits:MaxBodyBytes</c>) enforced before any endpoint reads a
/// byte, in every server (Kestrel's own limit is set too, but test servers and proxies differ):
/// a declared length over the limit is refused at once; a body without a declared length is read
/// into memory up to the limit, never further.
/// </summary>
public static class RequestLimits
{
    public static IApplicationBuilder UseClarityBodyLimit(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var max = http.RequestServices.GetRequiredService<IOptions<GatewayLimits>>().Value.MaxBodyBytes;
        if (http.Request.ContentLength > max)
        {
            throw TooLarge(max);
        }
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = max;
        }
        if (http.Request.ContentLength is null && (HttpMethods.IsPost(http.Request.Method) || HttpMethods.IsPut(http.Request.Method) || HttpMethods.IsPatch(http.Request.Method)))
        {
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int read;
            while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (buffer.Length + read > max)
                {
                    throw TooLarge(max);
                }
                buffer.Write(chunk, 0, read);
            }
            buffer.Position = 0;
            http.Request.Body = buffer;
            http.Request.ContentLength = buffer.Length;
        }
        await next(http);
    });

    private static BadHttpRequestException TooLarge(long max) =>
        new($"The request body is larger than {max} bytes.", StatusCodes.Status413PayloadTooLarge);
}
