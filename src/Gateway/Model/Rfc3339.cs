using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Clarity.Gateway.Model;

/// <summary>
/// Timestamps in request bodies are RFC 3339 with an explicit offset (API.md). The default reader
/// also takes "2026-11-01T10:00:00" and silently applies the server's zone, which would make the
/// same signal mean different instants on different machines; this one refuses it.
/// </summary>
public sealed class Rfc3339Converter : JsonConverter<DateTimeOffset>
{
    private static readonly string[] Formats = ["yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String || reader.ValueSpan.Length > 64)
        {
            throw new JsonException("Expected an RFC 3339 timestamp string.");
        }
        var text = reader.GetString()!;
        var hasOffset = text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && text[^6] is '+' or '-' && text[^3] == ':');
        if (!hasOffset || !DateTimeOffset.TryParseExact(text.ToUpperInvariant(), Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value))
        {
            throw new JsonException("Expected an RFC 3339 timestamp with an offset, e.g. 2026-11-01T10:00:00Z.");
        }
        return value;
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value);
}
