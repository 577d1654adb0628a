namespace Clarity.Gateway.OpenApi;

/// <summary>API.md's examples, by operation id (endpoint name), shown in the OpenAPI document.</summary>
public static class OpenApiExamples
{
    public sealed record Example(string? Request, int Status, string Response);

    public static readonly IReadOnlyDictionary<string, Example> ByOperation = new Dictionary<string, Example>(StringComparer.Ordinal)
    {
        ["IngestSignals"] = new(
            """
            {"signals":[{"id":"evt-000123","userId":"u-42","type":"purchase","occurredAt":"2026-11-01T10:00:00Z",
              "item":{"id":"sku-991","category":"home/bathroom/toilet-seats","price":39.00,"tags":["replacement"]},
              "value":null,"context":{"sessionId":"s-7","decisionId":null,"gift":false}}]}
            """,
            200,
            """{"accepted":1,"duplicates":0}"""),
        ["GetSelfModel"] = new(
            null,
            200,
            """
            {"userId":"u-42","asOf":"2026-11-29T12:00:00Z","beliefs":[{"id":"b-7c1e","kind":"affinity","subject":"home/kitchen/knives",
              "statement":"Interested in knives (home, kitchen)","confidence":0.83,"evidence":3.4,"observations":2,"contradictions":0,
              "source":"inferred","status":"active","firstObservedAt":"2026-11-01T10:00:00Z","lastObservedAt":"2026-11-02T10:00:00Z","halfLifeDays":90}]}
            """),
        ["Rerank"] = new(
            """
            {"candidates":[{"id":"sku-1","score":0.91,"category":"home/bathroom/toilet-seats","price":35.0,"tags":[]},
              {"id":"sku-2","score":0.55,"category":"home/kitchen/knives","price":120.0,"tags":["premium"]}],
             "context":"post_purchase","optimizeFor":"relevance","limit":10,"asOf":null}
            """,
            200,
            """
            {"decisionId":"d-5f2a","items":[{"id":"sku-2","rank":1,"score":1.42,"baseScore":0.55,
              "reasons":[{"beliefId":"b-7c1e","statement":"Interested in knives (home, kitchen)","effect":0.61}]}],
             "suppressed":[{"id":"sku-1","reasons":[{"beliefId":"b-9d0a","statement":"Bought a replacement toilet seat; not in the market for another","effect":-1.0}]}]}
            """),
        ["IssueEndUserToken"] = new(
            null,
            200,
            """{"token":"cu1.eyJ0IjoiZGV2IiwidSI6InUtNDIiLCJleHAiOjE3OTY0OTAwMDB9.c2lnbmF0dXJl","expiresAt":"2026-11-29T12:30:00Z"}"""),
    };
}
