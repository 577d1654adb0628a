using Clarity.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace Clarity.Gateway.Tests;

/// <summary>How ConnectionStrings:Clarity and Clarity:MaxPoolSize shape a process's PostgreSQL pools.</summary>
public sealed class StorageSettingsTests
{
    private static ClarityHostOptions Read(params (string Key, string Value)[] settings) =>
        ClarityHostOptions.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build());

    [Fact]
    public void Without_a_pool_size_in_the_connection_string_each_pool_is_bounded_by_the_default()
    {
        var options = Read(("ConnectionStrings:Clarity", "Host=db;Username=clarity;Database=clarity"));

        var parsed = new NpgsqlConnectionStringBuilder(options.ConnectionString);
        Assert.Equal(40, parsed.MaxPoolSize);
        Assert.Equal(("db", "clarity", "clarity"), (parsed.Host, parsed.Username, parsed.Database));
    }

    [Theory]
    [InlineData("Maximum Pool Size=7")]
    [InlineData("maximum pool size=7")]
    [InlineData("MaxPoolSize=7")]
    public void The_operators_own_pool_size_wins(string poolSize)
    {
        var options = Read(("ConnectionStrings:Clarity", "Host=db;Database=clarity;" + poolSize), ("Clarity:MaxPoolSize", "12"));

        Assert.Equal(7, new NpgsqlConnectionStringBuilder(options.ConnectionString).MaxPoolSize);
    }

    [Fact]
    public void The_bound_is_configurable_and_must_be_positive()
    {
        Assert.Equal(12, new NpgsqlConnectionStringBuilder(Read(("ConnectionStrings:Clarity", "Host=db"), ("Clarity:MaxPoolSize", "12")).ConnectionString).MaxPoolSize);

        var invalid = Read(("ConnectionStrings:Clarity", "Host=db"), ("Clarity:MaxPoolSize", "0"));

        Assert.Contains(invalid.Validate(), e => e.Contains("Clarity:MaxPoolSize", StringComparison.Ordinal));
        Assert.Equal("Host=db", invalid.ConnectionString);
    }

    [Fact]
    public void Pooled_connections_keep_their_session_and_prepare_repeated_statements_by_default()
    {
        var parsed = new NpgsqlConnectionStringBuilder(Read(("ConnectionStrings:Clarity", "Host=db")).ConnectionString);

        Assert.True(parsed.NoResetOnClose);
        Assert.Equal(16, parsed.MaxAutoPrepare);
        Assert.Equal(2, parsed.AutoPrepareMinUsages);
    }

    [Theory]
    [InlineData("No Reset On Close=false;Max Auto Prepare=4;Auto Prepare Min Usages=5")]
    [InlineData("NoResetOnClose=false;MaxAutoPrepare=4;AutoPrepareMinUsages=5")]
    public void The_operators_own_reset_and_prepare_settings_win(string settings)
    {
        var parsed = new NpgsqlConnectionStringBuilder(Read(("ConnectionStrings:Clarity", "Host=db;" + settings)).ConnectionString);

        Assert.False(parsed.NoResetOnClose);
        Assert.Equal(4, parsed.MaxAutoPrepare);
        Assert.Equal(5, parsed.AutoPrepareMinUsages);
    }

    [Fact]
    public void The_embedded_default_has_no_connection_string()
    {
        Assert.False(Read().UsesPostgres);
        Assert.Null(Read().ConnectionString);
    }
}
