using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;

namespace Clarity.Gateway.OpenApi;

/// <summary>
/// <c>/openapi/v1.json</c> (the API.md contract: routes, status codes, examples, bearer auth) and
/// the reference page beside it, <c>/openapi/</c>, which renders the document in the browser with
/// no external resources.
/// </summary>
public static class OpenApiDocs
{
    private static readonly string[] ProblemJson = ["application/problem+json"];

    public static WebApplicationBuilder AddClarityOpenApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo
                {
                    Title = "Clarity HTTP API",
                    Version = "1",
                    Description = "Personalization with beliefs users can see and correct. Errors are RFC 9457 problem details. "
                        + "Authenticate with `Authorization: Bearer <service key or end-user token>`.",
                };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "A tenant's service key (full access to the tenant) or an end-user token from POST /v1/users/{userId}/tokens (one user's own self-model).",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] }];
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault() is { } name
                    && OpenApiExamples.ByOperation.TryGetValue(name.EndpointName, out var example))
                {
                    if (example.Request is not null && operation.RequestBody?.Content is { } requestContent)
                    {
                        foreach (var media in requestContent.Values)
                        {
                            media.Example = JsonNode.Parse(example.Request);
                        }
                    }
                    if (operation.Responses?.TryGetValue(example.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response) == true
                        && response.Content is { } responseContent)
                    {
                        foreach (var media in responseContent.Values)
                        {
                            media.Example = JsonNode.Parse(example.Response);
                        }
                    }
                }
                return Task.CompletedTask;
            });
        });
        return builder;
    }

    /// <summary>
    /// The error responses every API route can give (API.md, Conventions), declared once on the
    /// group; routes that read a JSON body also declare 413 and 415, routes to a sub-resource 404.
    /// </summary>
    public static RouteGroupBuilder WithClarityProblems(this RouteGroupBuilder v1)
    {
        v1.ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        // Finally: after each route's own conventions, so a route's Accepts metadata is already there.
        ((IEndpointConventionBuilder)v1).Finally(endpoint =>
        {
            // A route naming a sub-resource of the user (a belief, a decision) can find it gone: 404.
            if (endpoint is RouteEndpointBuilder { RoutePattern.Parameters: var parameters } && parameters.Any(p => p.Name != "userId"))
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status404NotFound, typeof(ProblemDetails), ProblemJson));
            }
            if (endpoint.Metadata.OfType<IAcceptsMetadata>().Any())
            {
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status413PayloadTooLarge, typeof(ProblemDetails), ProblemJson));
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status415UnsupportedMediaType, typeof(ProblemDetails), ProblemJson));
            }
        });
        return v1;
    }

    public static WebApplication MapClarityOpenApi(this WebApplication app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        // Routing ignores the trailing slash: this answers both /openapi and /openapi/.
        app.MapGet("/openapi/", (HttpContext http) => Asset(http, "reference.html", "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/openapi/reference.js", (HttpContext http) => Asset(http, "reference.js", "text/javascript; charset=utf-8")).ExcludeFromDescription();
        return app;
    }

    private static IResult Asset(HttpContext http, string name, string contentType)
    {
        // Only our own script and same-origin fetches: the page works offline and nothing injected runs.
        http.Response.Headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        var stream = typeof(OpenApiDocs).Assembly.GetManifestResourceStream("Clarity.Gateway.OpenApi." + name)
            ?? throw new InvalidOperationException($"The embedded resource {name} is missing from the build.");
        return Results.Stream(stream, contentType);
    }
}
