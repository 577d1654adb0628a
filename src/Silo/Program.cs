using Clarity.Silo.Hosting;

// A silo only: hosts self-models, serves /healthz, /readyz and /metrics on its own HTTP port.
var builder = WebApplication.CreateBuilder(args);
builder.AddClaritySilo();
builder.Services.AddClarityMetricsExporter();
var app = builder.Build();
app.MapClarityHealth();
app.MapClarityMetrics();
app.Run();
