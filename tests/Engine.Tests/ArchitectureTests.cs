namespace Clarity.Engine.Tests;

public sealed class ArchitectureTests
{
    [Fact]
    public void The_engine_references_nothing_of_Orleans_AspNetCore_or_storage()
    {
        var forbidden = new[] { "Orleans", "Microsoft.AspNetCore", "Microsoft.Data", "Npgsql", "System.Data" };
        var references = typeof(BeliefEngine).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();

        Assert.Contains("System.Runtime", references);
        Assert.DoesNotContain(references, name => forbidden.Any(f => name.StartsWith(f, StringComparison.Ordinal)));
    }
}
