using System.Globalization;
using System.Net;
using DaprEmulator.State.PostgreSqlServer;
using Npgsql;
using StackExchange.Redis;

namespace OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

// The PostgreSQL and Redis servers of this machine (ORDERDAPR_POSTGRES, ORDERDAPR_REDIS; `.ci/run`
// installs and starts them), with a part of each that one test system holds alone: a PostgreSQL
// database created for it and dropped after it, and a numbered Redis database leased to it (a key
// in database 0 names the holder) and emptied before and after. Unreachable servers fail the
// system's start, naming the variable.
public sealed class MachineServers : IAsyncDisposable
{
    public const string PostgresVariable = "ORDERDAPR_POSTGRES";
    public const string RedisVariable = "ORDERDAPR_REDIS";

    // The server, user and password of components/.
    public const string DefaultPostgres = "host=localhost user=postgres password=postgres port=5432 database=orderdapr";
    public const string DefaultRedis = "localhost:6379";

    // A lease outlives a test run that crashed without returning it, until it expires.
    private static readonly TimeSpan LeaseTime = TimeSpan.FromHours(2);

    private readonly NpgsqlConnectionStringBuilder server;
    private readonly NpgsqlConnectionStringBuilder postgres;
    private readonly ConnectionMultiplexer redis;
    private readonly ServerAddress redisAddress;
    private readonly string holder;

    private MachineServers(NpgsqlConnectionStringBuilder server, NpgsqlConnectionStringBuilder postgres, ConnectionMultiplexer redis, ServerAddress redisAddress, int redisDatabase, string holder)
    {
        this.server = server;
        this.postgres = postgres;
        this.redis = redis;
        this.redisAddress = redisAddress;
        this.holder = holder;
        RedisDatabase = redisDatabase;
    }

    // The PostgreSQL database of this system.
    public string Database => postgres.Database!;

    // The Redis database (redisDB) of this system.
    public int RedisDatabase { get; }

    // Where the components of this system point.
    public BackingServices Targets => new(
        new PostgreSqlTarget(new ServerAddress(postgres.Host!, postgres.Port), Database, postgres.Username, postgres.Password),
        new RedisTarget(redisAddress, RedisDatabase));

    // This system's database, for plain SQL.
    public string DatabaseConnectionString => postgres.ConnectionString;

    // This system's Redis database, for plain commands.
    public IDatabase RedisDb => redis.GetDatabase(RedisDatabase);

    public static string PostgresConnectionString => Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } given ? given : DefaultPostgres;

    public static string RedisConnection => Environment.GetEnvironmentVariable(RedisVariable) is { Length: > 0 } given ? given : DefaultRedis;

    public static string LeaseKey(int number) => $"orderdapr:e2e:lease:{number.ToString(CultureInfo.InvariantCulture)}";

    public static async Task<MachineServers> StartAsync(CancellationToken ct = default)
    {
        var server = new NpgsqlConnectionStringBuilder(PostgreSqlConnectionString.ToNpgsql(PostgresConnectionString));
        var database = "orderdapr_e2e_" + Guid.NewGuid().ToString("N")[..12];
        try
        {
            await ExecuteAsync(server, $"CREATE DATABASE {database}", ct);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            throw new InvalidOperationException($"PostgreSQL at '{PostgresConnectionString}' ({PostgresVariable}) is not reachable: {e.Message}. bash .ci/run starts one.", e);
        }

        var postgres = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database };
        var options = ConfigurationOptions.Parse(RedisConnection);
        options.AllowAdmin = true;
        options.SetDefaultPorts();
        ConnectionMultiplexer redis;
        try
        {
            redis = await ConnectionMultiplexer.ConnectAsync(options);
        }
        catch (RedisConnectionException e)
        {
            await DropAsync(server, database);
            throw new InvalidOperationException($"Redis at '{RedisConnection}' ({RedisVariable}) is not reachable: {e.Message}. bash .ci/run starts one.", e);
        }

        var address = options.EndPoints[0] switch
        {
            DnsEndPoint dns => new ServerAddress(dns.Host, dns.Port),
            IPEndPoint ip => new ServerAddress(ip.Address.ToString(), ip.Port),
            var other => throw new InvalidOperationException($"{RedisVariable}: unsupported endpoint {other}"),
        };
        var holder = $"{Environment.MachineName}/{Environment.ProcessId}/{database}";
        var databases = await DatabaseCountAsync(redis);
        for (var number = 1; number < databases; number++)
        {
            if (await redis.GetDatabase(0).StringSetAsync(LeaseKey(number), holder, LeaseTime, When.NotExists))
            {
                await redis.GetDatabase(number).ExecuteAsync("FLUSHDB");
                return new MachineServers(server, postgres, redis, address, number, holder);
            }
        }

        await redis.DisposeAsync();
        await DropAsync(server, database);
        throw new InvalidOperationException($"Redis at '{RedisConnection}': all {databases - 1} numbered databases are leased to other test systems (keys {LeaseKey(1)}…).");
    }

    public async ValueTask DisposeAsync()
    {
        await RedisDb.ExecuteAsync("FLUSHDB");
        var leases = redis.GetDatabase(0);
        if (await leases.StringGetAsync(LeaseKey(RedisDatabase)) == holder)
        {
            await leases.KeyDeleteAsync(LeaseKey(RedisDatabase));
        }

        await redis.DisposeAsync();
        await DropAsync(server, Database);
    }

    // `databases` of redis.conf: 16 unless the server says otherwise.
    private static async Task<int> DatabaseCountAsync(ConnectionMultiplexer redis)
    {
        var config = await redis.GetServers()[0].ConfigGetAsync("databases");
        return config.Length == 1 ? int.Parse(config[0].Value, CultureInfo.InvariantCulture) : 16;
    }

    // Connections the emulator still pools are closed by the drop.
    private static async Task DropAsync(NpgsqlConnectionStringBuilder server, string database)
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync(server, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)", CancellationToken.None);
    }

    private static async Task ExecuteAsync(NpgsqlConnectionStringBuilder server, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }
}
