using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Clarity.Grains.Interfaces;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;

namespace Clarity.Gateway.Model;

/// <summary>
/// Source-generated writers for the two responses on the hot path (a self-model read, a rerank).
/// The metadata-driven serializer walks a frame stack per object and property; the generated code
/// writes straight to the <see cref="Utf8JsonWriter"/>, which measured about a sixth of a read's
/// CPU. Same names (web defaults: camelCase), same order, same omissions as the general serializer.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, GenerationMode = JsonSourceGenerationMode.Serialization)]
[JsonSerializable(typeof(SelfModelView))]
[JsonSerializable(typeof(RerankResponse))]
internal sealed partial class ResponseJson : JsonSerializerContext;

/// <summary>200 with a JSON body written by a generated writer (see <see cref="ResponseJson"/>).</summary>
public static class FastJson
{
    public static JsonOk<SelfModelView> Ok(SelfModelView value) => new(value, ResponseJson.Default.SelfModelView.SerializeHandler!);

    public static JsonOk<RerankResponse> Ok(RerankResponse value) => new(value, ResponseJson.Default.RerankResponse.SerializeHandler!);
}

/// <summary>
/// What <c>TypedResults.Ok</c> answers (status, content type, OpenAPI metadata), written by the
/// generated writer. The general serializer only takes that path when its options carry no
/// converter and no encoder; the gateway's carry both, so the writer is called directly, on a
/// writer with the gateway's encoder: the bytes are the same as the general serializer's.
/// </summary>
public sealed class JsonOk<T> : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult, IValueHttpResult<T>
{
    private const string ContentType = "application/json; charset=utf-8";

    // A self-model of 25 beliefs is about 9 KB, a rerank answer of 50 items about 12 KB.
    private const int InitialBufferBytes = 16 * 1024;
    private readonly Action<Utf8JsonWriter, T> _write;

    internal JsonOk(T value, Action<Utf8JsonWriter, T> write)
    {
        Value = value;
        _write = write;
    }

    public T Value { get; }

    object? IValueHttpResult.Value => Value;

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        // Written whole, then sent with its length in one write: no chunk framing, and the headers
        // and body go to the connection together instead of body bytes parked before the headers.
        var body = new ArrayBufferWriter<byte>(InitialBufferBytes);
        using (var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = options.Encoder, MaxDepth = options.MaxDepth }))
        {
            _write(writer, Value);
        }
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        response.ContentLength = body.WrittenCount;
        await response.BodyWriter.WriteAsync(body.WrittenMemory, httpContext.RequestAborted);
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1000", Justification = "IEndpointMetadataProvider's member is static by design.")]
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]));
    }
}
