using Clarity.Gateway;
using Clarity.Gateway.Apis;
using Clarity.Gateway.Auth;
using Clarity.Gateway.Me;
using Clarity.Silo.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddClarityRole();
builder.AddClarityGateway();
builder.AddClarityControl();

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseAuthorization();

app.MapClarityHealth();
app.MapMePage();
var v1 = app.MapGroup("/v1").RequireAuthorization(ServiceKeyAuthentication.SchemeName);
v1.MapSignalsApi();
v1.MapUsersApi();
v1.MapControlApi();
app.MapFloorsWhenEnabled(v1);

app.Run();

/// <summary>The gateway's entry point, visible to the HTTP tests' WebApplicationFactory.</summary>
public partial class Program;
