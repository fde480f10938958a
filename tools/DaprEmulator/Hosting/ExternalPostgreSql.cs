using System.Globalization;
using DaprEmulator.Components;
using DaprEmulator.GoFormats;
using DaprEmulator.State;
using DaprEmulator.State.PostgreSqlServer;
using Npgsql;

namespace DaprEmulator.Hosting;

// A state.postgresql component on the real PostgreSQL its connectionString names
// (EmulatorStorage.External), initialised as daprd initialises it: connect, ping, migrate; any
// failure stops the sidecar with daprd's INIT_COMPONENT_FAILURE.
internal static class ExternalPostgreSql
{
    public static IStateStore Open(ComponentDefinition component, bool v2, TimeProvider time)
    {
        var connectionString = component.GetIgnoreCase("connectionString");
        if (string.IsNullOrEmpty(connectionString))
        {
            throw InitFailure(component, "missing connection string");
        }

        NpgsqlConnectionStringBuilder settings;
        try
        {
            settings = Settings(component, connectionString);
        }
        catch (Exception e) when (e is FormatException or ArgumentException or UriFormatException or OverflowException)
        {
            throw InitFailure(component, $"failed to parse connection string: {e.Message}");
        }

        var source = NpgsqlDataSource.Create(settings);
        var metadataTable = component.GetIgnoreCase("metadataTableName") is { Length: > 0 } name ? name : "dapr_metadata";
        try
        {
            using (source.OpenConnection())
            {
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            source.Dispose();
            throw InitFailure(component, $"failed to ping the database: {e.Message}");
        }

        try
        {
            return v2
                ? PostgreSqlServerStateStoreV2.Open(component.Name, source, component.GetIgnoreCase("tablePrefix") ?? "", metadataTable, time)
                : PostgreSqlServerStateStoreV1.Open(component.Name, source, component.GetIgnoreCase("tableName") is { Length: > 0 } table ? table : "state", metadataTable, time);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or FormatException)
        {
            source.Dispose();
            throw InitFailure(component, $"failed to perform migrations: {e.Message}");
        }
    }

    // The connection string, and the pool as daprd's pgx pool is sized: maxConns when above 1, else
    // the greater of 4 and the number of CPUs; idle connections closed after connectionMaxIdleTime
    // when it is set (a Go duration, or seconds), else when the driver's default says.
    internal static NpgsqlConnectionStringBuilder Settings(ComponentDefinition component, string connectionString)
    {
        var settings = new NpgsqlConnectionStringBuilder(PostgreSqlConnectionString.ToNpgsql(connectionString)) { MaxAutoPrepare = 32 };
        var maxConns = component.GetIgnoreCase("maxConns") is { Length: > 0 } max ? int.Parse(max, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture) : 0;
        settings.MaxPoolSize = maxConns > 1 ? maxConns : Math.Max(4, Environment.ProcessorCount);
        if (component.GetIgnoreCase("connectionMaxIdleTime") is { Length: > 0 } idle)
        {
            var lifetime = long.TryParse(idle, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? TimeSpan.FromSeconds(seconds) : GoDuration.Parse(idle);
            if (lifetime > TimeSpan.Zero)
            {
                settings.ConnectionIdleLifetime = (int)Math.Ceiling(lifetime.TotalSeconds);
            }
        }

        return settings;
    }

    private static ResourceLoadException InitFailure(ComponentDefinition component, string error) =>
        new($"process component {component.Name} error: [INIT_COMPONENT_FAILURE]: initialization error occurred for {component.LogName}: {error}");
}
