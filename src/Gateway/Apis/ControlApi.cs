using Clarity.Engine.Beliefs;
using Clarity.Gateway.Auth;
using Clarity.Gateway.Cluster;
using Clarity.Gateway.Me;
using Clarity.Gateway.Model;
using Clarity.Grains.Interfaces;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Clarity.Gateway.Apis;

/// <summary>
/// Transparency and control (API.md): the belief trail, confirm, reject, forget, the statement
/// catalogue and answers ("Select your beliefs"), erase and export.
/// </summary>
public static class ControlApi
{
    public static RouteGroupBuilder MapControlApi(this RouteGroupBuilder v1)
    {
        var users = v1.MapGroup("/users/{userId}");
        users.MapGet("/beliefs/{beliefId}", GetBeliefAsync)
            .WithName("GetBelief")
            .WithSummary("One belief and the signals behind it (trail, most recent first)")
            .AllowEndUser();
        users.MapPost("/beliefs/{beliefId}/confirm", (string userId, string beliefId, HttpContext http, IGrainFactory grains, IOptions<GatewayLimits> limits) =>
                CorrectAsync(userId, beliefId, http, grains, limits, static (g, id) => g.ConfirmAsync(id)))
            .WithName("ConfirmBelief")
            .WithSummary("The user says the belief is right")
            .AllowEndUser();
        users.MapPost("/beliefs/{beliefId}/reject", (string userId, string beliefId, HttpContext http, IGrainFactory grains, IOptions<GatewayLimits> limits) =>
                CorrectAsync(userId, beliefId, http, grains, limits, static (g, id) => g.RejectAsync(id)))
            .WithName("RejectBelief")
            .WithSummary("The user says the belief is wrong: it stops influencing reranks at once")
            .AllowEndUser();
        users.MapDelete("/beliefs/{beliefId}", ForgetAsync)
            .WithName("ForgetBelief")
            .WithSummary("Forget the belief and the evidence behind it")
            .AllowEndUser();
        users.MapPost("/statements", StateAsync)
            .WithName("AnswerStatements")
            .WithSummary("Record the user's answers to catalogue statements as stated beliefs")
            .AllowEndUser()
            .Accepts<StatementsInput>("application/json");
        users.MapDelete("", EraseAsync)
            .WithName("EraseUser")
            .WithSummary("Erase everything stored about the user")
            .AllowEndUser();
        users.MapGet("/export", ExportAsync)
            .WithName("ExportUser")
            .WithSummary("Everything stored about the user, as one JSON document")
            .AllowEndUser();
        v1.MapGet("/statements", GetStatementsAsync)
            .WithName("GetStatements")
            .WithSummary("The tenant's statement catalogue; with userId, ordered by how much an answer would change that user's reranks")
            .AllowEndUser();
        return v1;
    }

    internal static async Task<Results<Ok<BeliefView>, ProblemHttpResult, ValidationProblem>> GetBeliefAsync(
        string userId, string beliefId, DateTimeOffset? asOf, HttpContext http, IGrainFactory grains, IOptions<GatewayLimits> limits)
    {
        if (InvalidIds(limits.Value, userId, beliefId) is { } invalid)
        {
            return invalid;
        }
        return await Grain(grains, http, userId).GetBeliefAsync(beliefId, asOf) is { } belief
            ? TypedResults.Ok(belief)
            : UnknownBelief();
    }

    internal static async Task<Results<Ok<BeliefView>, ProblemHttpResult, ValidationProblem>> CorrectAsync(
        string userId, string beliefId, HttpContext http, IGrainFactory grains, IOptions<GatewayLimits> limits, Func<ISelfModelGrain, string, Task<BeliefView?>> correct)
    {
        if (InvalidIds(limits.Value, userId, beliefId) is { } invalid)
        {
            return invalid;
        }
        return await correct(Grain(grains, http, userId), beliefId) is { } belief
            ? TypedResults.Ok(belief)
            : UnknownBelief();
    }

    internal static async Task<Results<NoContent, ProblemHttpResult, ValidationProblem>> ForgetAsync(
        string userId, string beliefId, HttpContext http, IGrainFactory grains, IOptions<GatewayLimits> limits)
    {
        if (InvalidIds(limits.Value, userId, beliefId) is { } invalid)
        {
            return invalid;
        }
        return await Grain(grains, http, userId).ForgetAsync(beliefId) ? TypedResults.NoContent() : UnknownBelief();
    }

    internal static async Task<Results<Ok<StatementsResponse>, ValidationProblem>> GetStatementsAsync(
        string? userId, HttpContext http, IGrainFactory grains, StatementCatalogues catalogues, IOptions<GatewayLimits> idLimits)
    {
        var catalogue = catalogues.For(http.User.TenantId());
        if (userId is null)
        {
            return TypedResults.Ok(new StatementsResponse(null, [.. catalogue.Select(s => StatementView.From(s, null, null))]));
        }
        if (idLimits.Value.CheckId(userId, "user id") is { } error)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = [error] }, detail: "The user id is invalid.");
        }
        var ranked = await Grain(grains, http, userId).RankStatementsAsync(
            [.. catalogue.Select(s => new StatementTargetData { StatementId = s.Id, Kind = s.Kind.Wire(), Subject = s.Subject })]);
        var byId = catalogue.ToDictionary(s => s.Id, StringComparer.Ordinal);
        return TypedResults.Ok(new StatementsResponse(userId, [.. ranked.Select(r => StatementView.From(byId[r.StatementId], r.Value, r.Answer))]));
    }

    internal static async Task<Results<Ok<SelfModelView>, ValidationProblem>> StateAsync(
        string userId, StatementsInput request, HttpContext http, IGrainFactory grains, StatementCatalogues catalogues, IOptions<StatementLimits> limits, IOptions<GatewayLimits> idLimits)
    {
        var errors = new RequestValidation.Errors();
        errors.Add("userId", idLimits.Value.CheckId(userId, "user id"));
        var catalogue = catalogues.For(http.User.TenantId()).ToDictionary(s => s.Id, StringComparer.Ordinal);
        var answers = new List<StatedAnswer>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var selected = request?.Selected ?? [];
        var rejected = request?.Rejected ?? [];
        if (selected.Count + rejected.Count == 0)
        {
            errors.Add("selected", "Select or reject at least one statement.");
        }
        else if (selected.Count + rejected.Count > limits.Value.MaxStatementsPerRequest)
        {
            errors.Add("selected", $"At most {limits.Value.MaxStatementsPerRequest} statements may be answered per request (got {selected.Count + rejected.Count}).");
        }
        else
        {
            void Collect(IReadOnlyList<string?> ids, string field, bool holds)
            {
                for (var i = 0; i < ids.Count; i++)
                {
                    if (ids[i] is not { } id || !catalogue.TryGetValue(id, out var statement))
                    {
                        errors.Add($"{field}[{i}]", "Not a statement of this catalogue (see GET /v1/statements).");
                    }
                    else if (!seen.Add(id))
                    {
                        errors.Add($"{field}[{i}]", $"The statement '{id}' is answered more than once.");
                    }
                    else
                    {
                        answers.Add(new StatedAnswer { Kind = statement.Kind.Wire(), Subject = statement.Subject, Holds = holds });
                    }
                }
            }
            Collect(selected, "selected", holds: true);
            Collect(rejected, "rejected", holds: false);
        }
        if (errors.Any)
        {
            return TypedResults.ValidationProblem(errors.ToDictionary(), detail: "The answers were rejected as a whole; nothing was recorded.");
        }
        return TypedResults.Ok(await Grain(grains, http, userId).StateAsync(answers));
    }

    internal static async Task<Results<NoContent, ValidationProblem>> EraseAsync(string userId, HttpContext http, IGrainFactory grains, IOptions<GatewayLimits> limits)
    {
        if (limits.Value.CheckId(userId, "user id") is { } error)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = [error] }, detail: "The user id is invalid.");
        }
        await Grain(grains, http, userId).EraseAsync();
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<SelfModelExport>, ValidationProblem>> ExportAsync(string userId, HttpContext http, IGrainFactory grains, IOptions<GatewayLimits> limits)
    {
        if (limits.Value.CheckId(userId, "user id") is { } error)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["userId"] = [error] }, detail: "The user id is invalid.");
        }
        var export = await Grain(grains, http, userId).ExportAsync();
        http.Response.Headers.ContentDisposition = "attachment; filename=\"clarity-export.json\"";
        return TypedResults.Ok(export);
    }

    private static ISelfModelGrain Grain(IGrainFactory grains, HttpContext http, string userId) =>
        GrainReferences<ISelfModelGrain>.Get(grains, SelfModelKey.For(http.User.TenantId(), userId));

    private static ValidationProblem? InvalidIds(GatewayLimits limits, string userId, string beliefId)
    {
        var errors = new RequestValidation.Errors();
        errors.Add("userId", limits.CheckId(userId, "user id"));
        // Belief ids are Clarity's own, not the client's: only the fixed rule applies to them.
        errors.Add("beliefId", InputRules.CheckId(beliefId, "belief id"));
        return errors.Any ? TypedResults.ValidationProblem(errors.ToDictionary(), detail: "The request names an invalid id.") : null;
    }

    private static ProblemHttpResult UnknownBelief() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "This user has no belief with this id.");
}

/// <summary>POST /v1/users/{userId}/statements: statement ids the user selected and rejected.</summary>
public sealed record StatementsInput(IReadOnlyList<string?>? Selected, IReadOnlyList<string?>? Rejected);

/// <summary>GET /v1/statements: the catalogue, ordered for <see cref="UserId"/> when given.</summary>
public sealed record StatementsResponse(
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? UserId,
    IReadOnlyList<StatementView> Statements);

/// <summary>A catalogue statement, what belief it sets, and (for a user) its value and their answer.</summary>
public sealed record StatementView(
    string Id,
    string Text,
    StatementSets Sets,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] double? Value,
    string? Answer)
{
    public static StatementView From(CatalogueStatement s, double? value, string? answer) =>
        new(s.Id, s.Text, new StatementSets(s.BeliefId, s.Kind.Wire(), s.Subject), value, answer);
}

/// <summary>The belief a statement's answer sets: selected means it holds, rejected means it does not.</summary>
public sealed record StatementSets(string BeliefId, string Kind, string Subject);

/// <summary>Limits of the control API (configuration section <c>Clarity:Limits</c>).</summary>
public sealed class StatementLimits
{
    /// <summary>Most statements answered in one request. Default 20 (API.md).</summary>
    public int MaxStatementsPerRequest { get; set; } = 20;
}
