using Clarity.Silo.Hosting;

// A silo only: hosts self-models, serves /healthz and /readyz on its own HTTP port.
var builder = WebApplication.CreateBuilder(args);
builder.AddClaritySilo();
var app = builder.Build();
app.MapClarityHealth();
app.Run();
