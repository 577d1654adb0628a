using Clarity.Grains.Interfaces;

namespace Clarity.Gateway.Model;

/// <summary>
/// Validates request bodies against API.md and maps them to wire types. A request is validated as a
/// whole before anything is applied; errors are keyed by JSON path (<c>signals[2].item.category</c>).
/// </summary>
public static class RequestValidation
{
    public static readonly IReadOnlyList<string> Objectives = ["relevance", "diversity", "exploration"];

    public sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

        public bool Any => _byField.Count > 0;

        public void Add(string field, string? message)
        {
            if (message is null)
            {
                return;
            }
            if (!_byField.TryGetValue(field, out var list))
            {
                _byField[field] = list = [];
            }
            list.Add(message);
        }

        public Dictionary<string, string[]> ToDictionary() => _byField.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>Checks an ingest request; on success returns the signals grouped by user.</summary>
    public static Dictionary<string, List<SignalData>>? Validate(IngestRequest? request, GatewayLimits limits, Errors errors)
    {
        if (request?.Signals is not { } signals)
        {
            errors.Add("signals", "A list of signals is required.");
            return null;
        }
        if (signals.Count == 0)
        {
            errors.Add("signals", "At least one signal is required.");
        }
        if (signals.Count > limits.MaxSignalsPerRequest)
        {
            errors.Add("signals", $"At most {limits.MaxSignalsPerRequest} signals are allowed per request (got {signals.Count}).");
            return null;
        }
        var byUser = new Dictionary<string, List<SignalData>>(StringComparer.Ordinal);
        for (var i = 0; i < signals.Count; i++)
        {
            // Field paths are formatted only for a field in error: a valid batch of 1,000 signals
            // would otherwise build thousands of strings to throw away.
            if (signals[i] is not { } input)
            {
                errors.Add($"signals[{i}]", "A signal must be an object.");
                continue;
            }
            if (limits.CheckId(input.UserId, "user id") is { } badUser)
            {
                errors.Add($"signals[{i}].userId", badUser);
            }
            if (input.OccurredAt is null)
            {
                errors.Add($"signals[{i}].occurredAt", "The time the signal occurred (RFC 3339 with offset) is required.");
            }
            if (input.Item is null)
            {
                errors.Add($"signals[{i}].item", "The item is required.");
            }
            if (input.OccurredAt is null || input.Item is null || input.UserId is null)
            {
                continue;
            }
            var signal = new SignalData
            {
                Id = input.Id ?? "",
                Type = input.Type ?? "",
                OccurredAt = input.OccurredAt.Value,
                Value = input.Value,
                Item = new ItemData
                {
                    Id = input.Item.Id ?? "",
                    Category = input.Item.Category ?? "",
                    Price = input.Item.Price,
                    Tags = input.Item.Tags is null ? null : [.. input.Item.Tags.Select(t => t ?? "")],
                },
                Context = input.Context is null ? null : new SignalContextData
                {
                    SessionId = input.Context.SessionId,
                    DecisionId = input.Context.DecisionId,
                    Gift = input.Context.Gift ?? false,
                },
            };
            foreach (var (field, message) in limits.CheckSignal(signal))
            {
                errors.Add($"signals[{i}].{field}", message);
            }
            if (!byUser.TryGetValue(input.UserId, out var list))
            {
                byUser[input.UserId] = list = [];
            }
            list.Add(signal);
        }
        return errors.Any ? null : byUser;
    }

    /// <summary>Checks a rerank request and maps it to the grain call.</summary>
    public static RerankCall? Validate(RerankInput? request, GatewayLimits limits, Errors errors)
    {
        if (request?.Candidates is not { } candidates)
        {
            errors.Add("candidates", "A list of candidates is required.");
            return null;
        }
        if (candidates.Count > limits.MaxCandidatesPerRequest)
        {
            errors.Add("candidates", $"At most {limits.MaxCandidatesPerRequest} candidates are allowed per request (got {candidates.Count}).");
            return null;
        }
        var mapped = new List<CandidateData>(candidates.Count);
        var ids = new HashSet<string>(candidates.Count, StringComparer.Ordinal);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (candidates[i] is not { } c)
            {
                errors.Add($"candidates[{i}]", "A candidate must be an object.");
                continue;
            }
            // Field paths are formatted only for a field in error: a valid request of 1,000
            // candidates would otherwise build 5,000 strings to throw away.
            if (limits.CheckId(c.Id, "candidate id") is { } badId)
            {
                errors.Add($"candidates[{i}].id", badId);
            }
            if (c.Id is not null && !ids.Add(c.Id))
            {
                errors.Add($"candidates[{i}].id", $"The candidate id '{c.Id}' appears more than once.");
            }
            if (limits.CheckCategory(c.Category) is { } badCategory)
            {
                errors.Add($"candidates[{i}].category", badCategory);
            }
            if (InputRules.CheckScore(c.Score) is { } badScore)
            {
                errors.Add($"candidates[{i}].score", badScore);
            }
            if (InputRules.CheckPrice(c.Price) is { } badPrice)
            {
                errors.Add($"candidates[{i}].price", badPrice);
            }
            if (limits.CheckTags(c.Tags) is { } badTags)
            {
                errors.Add($"candidates[{i}].tags", badTags);
            }
            mapped.Add(new CandidateData
            {
                Id = c.Id ?? "",
                Category = c.Category ?? "",
                Score = c.Score,
                Price = c.Price,
                Tags = c.Tags is null ? null : [.. c.Tags.Select(t => t ?? "")],
            });
        }
        if (request.Context is not null)
        {
            errors.Add("context", limits.CheckId(request.Context, "context"));
        }
        if (request.OptimizeFor is not null && !Objectives.Contains(request.OptimizeFor))
        {
            errors.Add("optimizeFor", $"optimizeFor must be one of: {string.Join(", ", Objectives)}.");
        }
        if (request.Limit is { } limit && (limit < 1 || limit > limits.MaxCandidatesPerRequest))
        {
            errors.Add("limit", $"limit must be between 1 and {limits.MaxCandidatesPerRequest}.");
        }
        if (errors.Any)
        {
            return null;
        }
        return new RerankCall
        {
            Candidates = mapped,
            Context = request.Context ?? "browse",
            OptimizeFor = request.OptimizeFor ?? "relevance",
            Limit = request.Limit,
            AsOf = request.AsOf,
        };
    }
}
