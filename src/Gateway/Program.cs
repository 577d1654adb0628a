using Clarity.Gateway;
using Clarity.Gateway.Apis;
using Clarity.Gateway.Auth;
using Clarity.Gateway.Me;
using Clarity.Gateway.OpenApi;
using Clarity.Gateway.Operations;
using Clarity.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddClarityRole();
builder.AddClarityGateway();
builder.AddClarityControl();
builder.AddClarityOpenApi();

var app = builder.Build();
app.UseExceptionHandler();
// Routing after the handler, so that a routing failure is a problem response too, never a stack trace.
app.UseRouting();
app.UseStatusCodePages();
app.UseClarityRequestLog();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseClarityLoadShedding();
app.UseClarityBodyLimit();

app.MapClarityHealth();
app.MapClarityMetrics();
app.MapClarityOpenApi();
app.MapClarityDashboard();
app.MapMePage();
var v1 = app.MapGroup("/v1")
    .RequireAuthorization(AccessPolicies.Tenant)
    .RequireRateLimiting(RateLimiting.TenantPolicy)
    .WithClarityProblems();
v1.MapSignalsApi();
v1.MapUsersApi();
v1.MapControlApi();
v1.MapTokensApi();
app.MapFloorsWhenEnabled(v1);

app.Run();

// The gateway's entry point, visible to the HTTP tests' WebApplicationFactory. A plain comment: an XML doc
// here would collide with the silo's generated Program in the OpenAPI XML-comment index.
public partial class Program;
