using System.Text.Json;
using Clarity.Grains.Interfaces;
using Clarity.Grains.State;

namespace Clarity.Grains.Tests;

public sealed class SignalLogPayloadTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void The_stored_text_is_what_the_web_defaults_write_and_reads_back_whole()
    {
        var signal = new SignalData
        {
            Id = "s-1",
            Type = "purchase",
            OccurredAt = new DateTimeOffset(2026, 11, 1, 8, 30, 0, TimeSpan.FromHours(2)),
            Item = new ItemData { Id = "sku-1", Category = "home/kitchen", Price = 12.5, Tags = ["gift", "sale"] },
            Value = 0.75,
            Context = new SignalContextData { SessionId = "s", DecisionId = "d-1", Gift = true },
        };
        var reflection = JsonSerializer.Serialize(signal, Web);

        Assert.Equal(reflection, SignalLogPayload.Serialize(signal));
        var read = SignalLogPayload.Deserialize(reflection);
        Assert.Equal(reflection, SignalLogPayload.Serialize(read));
        Assert.Equal(["gift", "sale"], read.Item.Tags!);
    }
}
