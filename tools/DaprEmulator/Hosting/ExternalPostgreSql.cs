using DaprEmulator.Components;
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
            settings = new NpgsqlConnectionStringBuilder(PostgreSqlConnectionString.ToNpgsql(connectionString)) { MaxAutoPrepare = 32 };
        }
        catch (Exception e) when (e is FormatException or ArgumentException or UriFormatException)
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

    private static ResourceLoadException InitFailure(ComponentDefinition component, string error) =>
        new($"process component {component.Name} error: [INIT_COMPONENT_FAILURE]: initialization error occurred for {component.LogName}: {error}");
}
