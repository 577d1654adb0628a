using Clarity.Gateway.Auth;
using Clarity.Gateway.Cluster;
using Clarity.Gateway.Model;
using Clarity.Grains.Interfaces;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Clarity.Gateway.Apis;

/// <summary>
/// Benchmark floors for the load tool (tools/LoadTest): a plain JSON endpoint and a trivial grain
/// behind the same pipeline as the real API, so every figure can be stated as a ratio to its floor
/// measured in the same run. Mapped only when <c>Clarity:Benchmark:Floors</c> is true; never by default.
/// </summary>
public static class FloorsApi
{
    /// <summary>The configuration flag that maps the floors.</summary>
    public const string Flag = "Clarity:Benchmark:Floors";

    private static readonly FloorJson Plain = new("clarity", 1, DateTimeOffset.UnixEpoch, ["a", "b", "c"]);

    /// <summary>Maps the floors when the flag is set: the plain endpoint outside auth, grain floors inside <paramref name="v1"/>.</summary>
    public static void MapFloorsWhenEnabled(this WebApplication app, RouteGroupBuilder v1)
    {
        if (!app.Configuration.GetValue<bool>(Flag))
        {
            return;
        }
        // Kestrel plus minimal-API JSON and nothing else: the host's floor.
        app.MapGet("/floors/json", () => TypedResults.Ok(Plain)).ExcludeFromDescription();

        var floors = v1.MapGroup("/floors").ExcludeFromDescription();
        floors.MapPost("/signals", IngestAsync);
        floors.MapGet("/users/{userId}/read", (string userId, HttpContext http, IGrainFactory grains) =>
            GrainReferences<IFloorGrain>.Get(grains, SelfModelKey.For(http.User.TenantId(), userId)).ReadAsync());
        floors.MapPost("/users/{userId}/rerank", (string userId, RerankInput request, HttpContext http, IGrainFactory grains) =>
            GrainReferences<IFloorGrain>.Get(grains, SelfModelKey.For(http.User.TenantId(), userId)).RerankAsync(
                [.. (request.Candidates ?? []).Select(c => new CandidateData { Id = c?.Id ?? "", Category = c?.Category ?? "", Score = c?.Score })]));
        // The activation floor: a grain whose small state lives in the same store as the self-models.
        floors.MapPost("/stored/{userId}", async (string userId, HttpContext http, IGrainFactory grains) =>
        {
            await GrainReferences<IStoredFloorGrain>.Get(grains, SelfModelKey.For(http.User.TenantId(), userId)).WriteAsync();
            return TypedResults.NoContent();
        });
        floors.MapGet("/stored/{userId}", (string userId, HttpContext http, IGrainFactory grains) =>
            GrainReferences<IStoredFloorGrain>.Get(grains, SelfModelKey.For(http.User.TenantId(), userId)).ReadAsync());
    }

    // The same body as POST /v1/signals, grouped by user without validation: the floor is the
    // pipeline and the grain call, not Clarity's rules.
    private static async Task<Ok<IngestResult>> IngestAsync(IngestRequest request, HttpContext http, IGrainFactory grains)
    {
        var tenant = http.User.TenantId();
        var byUser = (request.Signals ?? []).OfType<SignalInput>().GroupBy(s => s.UserId ?? "");
        var results = await Task.WhenAll(byUser.Select(group =>
            GrainReferences<IFloorGrain>.Get(grains, SelfModelKey.For(tenant, group.Key)).IngestAsync(
                [.. group.Select(s => new SignalData
                {
                    Id = s.Id ?? "",
                    Type = s.Type ?? "",
                    OccurredAt = s.OccurredAt ?? default,
                    Item = new ItemData { Id = s.Item?.Id ?? "", Category = s.Item?.Category ?? "" },
                })])));
        return TypedResults.Ok(new IngestResult(results.Sum(r => r.Accepted), 0));
    }

    private sealed record FloorJson(string Name, int Version, DateTimeOffset At, IReadOnlyList<string> Tags);
}
