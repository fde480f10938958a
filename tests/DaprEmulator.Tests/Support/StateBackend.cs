using DaprEmulator.Hosting;
using DaprEmulator.State.PostgreSqlServer;
using Npgsql;

namespace DaprEmulator.Tests.Support;

// Where a test's emulator keeps state.postgresql components (EmulatorOptions.Storage), with the
// component YAML that goes with it; disposing it removes what the test stored.
public abstract class StateBackend : IDisposable
{
    public abstract EmulatorStorage Storage { get; }

    public virtual string PostgresV2(string name, params (string Name, string Value)[] metadata) => Yaml.PostgresV2(name, metadata);

    public virtual string PostgresV1(string name, params (string Name, string Value)[] metadata) =>
        Yaml.Component(name, "state.postgresql", "v1", [("connectionString", "host=localhost"), .. metadata]);

    public virtual void Dispose() => GC.SuppressFinalize(this);
}

public sealed class MemoryBackend : StateBackend
{
    public override EmulatorStorage Storage { get; } = new EmulatorStorage.Memory();
}

// A SQLite file of its own.
public sealed class SqliteBackend : StateBackend
{
    public SqliteBackend()
    {
        Folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dapr-emulator-tests", "sqlite-" + Guid.NewGuid().ToString("N"));
        Storage = new EmulatorStorage.Sqlite(System.IO.Path.Combine(Folder, "emulator.db"));
    }

    public string Folder { get; }

    public override EmulatorStorage Storage { get; }

    public override void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }

        base.Dispose();
    }
}

// The real PostgreSQL of ORDERDAPR_POSTGRES (default: the components' server); tables of their own
// (a prefix per test), dropped at the end. Unreachable: the test fails, it is not skipped.
public sealed class PostgreSqlBackend : StateBackend
{
    public const string DefaultConnectionString = "host=localhost user=postgres password=postgres port=5432 database=orderdapr";

    private readonly string _prefix = "t" + Guid.NewGuid().ToString("N")[..12] + "_";
    private readonly List<string> _tables = [];

    public PostgreSqlBackend()
    {
        try
        {
            using var connection = Open();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            Assert.Fail($"PostgreSQL at '{ConnectionString}' (ORDERDAPR_POSTGRES) is not reachable: {e.Message}. Start PostgreSQL: bash .ci/run does.");
        }
    }

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("ORDERDAPR_POSTGRES") is { Length: > 0 } given ? given : DefaultConnectionString;

    public override EmulatorStorage Storage { get; } = new EmulatorStorage.External();

    public static NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(PostgreSqlConnectionString.ToNpgsql(ConnectionString));
        connection.Open();
        return connection;
    }

    // The table of a v1 component made by PostgresV1.
    public string TableOf(string component) => $"{_prefix}{component}";

    public override string PostgresV2(string name, params (string Name, string Value)[] metadata)
    {
        var prefix = $"{_prefix}{name}_";
        _tables.Add(prefix + "state");
        return Yaml.Component(name, "state.postgresql", "v2", [("connectionString", ConnectionString), ("tablePrefix", prefix), .. metadata]);
    }

    // v1 records its migrations under one key per metadata table: each table gets its own.
    public override string PostgresV1(string name, params (string Name, string Value)[] metadata)
    {
        var table = TableOf(name);
        _tables.Add(table);
        _tables.Add(table + "_metadata");
        return Yaml.Component(name, "state.postgresql", "v1", [("connectionString", ConnectionString), ("tableName", table), ("metadataTableName", table + "_metadata"), .. metadata]);
    }

    public override void Dispose()
    {
        using var connection = Open();
        foreach (var table in _tables)
        {
            using var drop = new NpgsqlCommand($"DROP TABLE IF EXISTS {table}", connection);
            drop.ExecuteNonQuery();
        }

        using var levels = new NpgsqlCommand($"DELETE FROM dapr_metadata WHERE key LIKE 'migrations-state-v2-{_prefix}%'", connection);
        try
        {
            levels.ExecuteNonQuery();
        }
        catch (PostgresException)
        {
            // No v2 table was created: no dapr_metadata either.
        }

        base.Dispose();
    }
}
