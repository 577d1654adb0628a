extern alias gateway;

using System.Text;
using System.Text.Json;
using Clarity.Gateway.Tests.Infrastructure;
using Clarity.Grains.Interfaces;
using gateway::Clarity.Gateway.Model;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Clarity.Gateway.Tests;

/// <summary>
/// The self-model and rerank answers are written by generated code (the gateway's ResponseJson);
/// their bytes must be the general serializer's with the gateway's options, field for field.
/// </summary>
public sealed class ResponseJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 1, 10, 15, 30, 123, TimeSpan.FromHours(2));

    [Fact]
    public async Task A_self_model_is_written_as_the_general_serializer_writes_it()
    {
        var model = new SelfModelView
        {
            UserId = "u-<42>&\"é\"",
            AsOf = At,
            Beliefs =
            [
                Belief("b-1", "Likes <home/kitchen> & knives", 0.8123456789012345, 3.5) with { ExpectedAt = At.AddDays(30), Verdict = "confirmed" },
                Belief("b-2", "Ready for a change from café 'crème'", 1e-7, 12345678.9) with { Holds = false },
                Belief("b-3", "Buys 🎧 headphones", 0.5, 0) with
                {
                    Trail = [new TrailEntryView { SignalId = "s-1", Type = "purchase", OccurredAt = At.AddHours(-1), Effect = 0.25, Note = "first <b>" }],
                },
            ],
        };
        await using var app = new ClarityApp();
        Assert.Equal(General(app, model), await FastAsync(app, FastJson.Ok(model)));
    }

    [Fact]
    public async Task A_rerank_answer_is_written_as_the_general_serializer_writes_it()
    {
        ReasonView[] shared = [new() { BeliefId = "b-1", Statement = "Likes <kitchen> & knives", Effect = 0.15 }, new() { BeliefId = "objective:diversity", Statement = "Variety", Effect = -0.05 }];
        var answer = new RerankResponse
        {
            DecisionId = "d-0123456789abcdef",
            Items =
            [
                new RankedItemView { Id = "item-\"1\"", Rank = 1, Score = 1.15, BaseScore = 1, Reasons = shared },
                new RankedItemView { Id = "item-2", Rank = 2, Score = 0.3333333333333333, BaseScore = 0.3333333333333333, Reasons = [] },
                new RankedItemView { Id = "item-3", Rank = 3, Score = -0.1, BaseScore = 0, Reasons = shared },
            ],
            Suppressed = [new SuppressedItemView { Id = "item-é", Reasons = [new ReasonView { BeliefId = "b-9", Statement = "Just bought one", Effect = 0 }] }],
        };
        await using var app = new ClarityApp();
        Assert.Equal(General(app, answer), await FastAsync(app, FastJson.Ok(answer)));
    }

    private static BeliefView Belief(string id, string statement, double confidence, double evidence) => new()
    {
        Id = id,
        Kind = "affinity",
        Subject = "home/kitchen/knives",
        Statement = statement,
        Confidence = confidence,
        Evidence = evidence,
        Observations = 3,
        Contradictions = 1,
        Source = "inferred",
        Status = "active",
        FirstObservedAt = At.AddDays(-3),
        LastObservedAt = At,
        HalfLifeDays = 45,
    };

    private static string General<T>(ClarityApp app, T value)
    {
        var options = app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        return JsonSerializer.Serialize(value, options);
    }

    private static async Task<string> FastAsync(ClarityApp app, IResult result)
    {
        var http = new DefaultHttpContext { RequestServices = app.Services };
        using var body = new MemoryStream();
        http.Response.Body = body;
        await result.ExecuteAsync(http);
        Assert.Equal(StatusCodes.Status200OK, http.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", http.Response.ContentType);
        return Encoding.UTF8.GetString(body.ToArray());
    }
}
