namespace OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

// What the end-to-end tests run on: something that starts Dapr sidecars for apps that run as
// processes on this machine. The tests reach the sidecars only through Dapr's own HTTP and gRPC
// API, so either runtime serves every test that does not inject faults.
public interface IDaprRuntime : IAsyncDisposable
{
    // "emulator" or "daprd": what ORDERDAPR_RUNTIME names.
    string Name { get; }

    // Starts what every sidecar shares (placement, scheduler, the stores' servers) and says where
    // the components must point.
    Task<BackingServices> StartAsync(CancellationToken ct = default);

    Task<RunningSidecar> StartSidecarAsync(SidecarSpec spec, CancellationToken ct = default);
}

// Where the state stores and the broker are. Null: where the components name them already.
public sealed record BackingServices(PostgreSqlTarget? PostgreSql, RedisTarget? Redis)
{
    public static readonly BackingServices AsNamed = new(null, null);
}

// A PostgreSQL server for the state.postgresql components; the settings given replace those of
// the components' connection strings, the others are kept.
public sealed record PostgreSqlTarget(ServerAddress Server, string? Database = null, string? User = null, string? Password = null);

// A Redis server for the pubsub.redis components, and the numbered database (redisDB) to use there.
public sealed record RedisTarget(ServerAddress Server, int? Database = null);

public sealed record ServerAddress(string Host, int Port)
{
    public override string ToString() => $"{Host}:{Port}";
}

// DAPR_API_TOKEN (the sidecar requires it of every API call) and APP_API_TOKEN (the sidecar sends
// it on every call to the app).
public sealed record SidecarTokens(string DaprApiToken, string AppApiToken);

public sealed record SidecarSpec(string AppId, int AppPort, SidecarTokens Tokens, string ResourcesPath);

// A sidecar the runtime started. Disposing it stops it, as a crash or an eviction would; the
// runtime cleans up after it when it is disposed itself.
public sealed class RunningSidecar(string appId, int appPort, int httpPort, int grpcPort, Func<ValueTask> stop) : IAsyncDisposable
{
    private int stopped;

    public string AppId { get; } = appId;

    public int AppPort { get; } = appPort;

    public int HttpPort { get; } = httpPort;

    public int GrpcPort { get; } = grpcPort;

    public Uri Http => new($"http://127.0.0.1:{HttpPort}");

    public string GrpcEndpoint => $"http://127.0.0.1:{GrpcPort}";

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref stopped, 1) == 0)
        {
            await stop();
        }
    }
}
