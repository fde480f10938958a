using System.Text;
using Dapr;
using Dapr.Client;
using DaprEmulator.Tests.Support;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace DaprEmulator.Tests.State;

// The state API behaviours the services rely on, through the real Dapr.Client over gRPC, with
// state.postgresql kept where each backend keeps it: in memory, in a SQLite file, in PostgreSQL.
public abstract class StateConformanceTests(StateBackend backend) : IDisposable
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected StateBackend Backend { get; } = backend;

    public void Dispose()
    {
        Backend.Dispose();
        GC.SuppressFinalize(this);
    }

    private Task<EmulatorWithApp> StartAsync(params string[] yaml) => StartAsync(TimeProvider.System, yaml);

    private Task<EmulatorWithApp> StartAsync(TimeProvider time, params string[] yaml) =>
        EmulatorWithApp.StartAsync("order-command", null, time, Backend.Storage, yaml);

    [Fact]
    public async Task Keys_are_stored_with_the_app_id_prefix_and_come_back_without_it()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));

        await env.Client.SaveStateAsync("eventstore", "order-1", new { Total = 5 }, cancellationToken: Ct);

        Assert.Equal(["order-command||order-1"], env.Emulator.GetStateKeys("eventstore"));
        var (value, etag) = await env.Client.GetStateAndETagAsync<Dictionary<string, int>>("eventstore", "order-1", cancellationToken: Ct);
        Assert.Equal(5, value["total"]);
        Assert.True(Guid.TryParse(etag, out _));
    }

    [Theory]
    [InlineData("none", "order-1")]
    [InlineData("name", "eventstore||order-1")]
    [InlineData("appid", "order-command||order-1")]
    [InlineData("Shared", "shared||order-1")]
    public async Task Key_prefix_follows_the_keyPrefix_metadata(string keyPrefix, string storedKey)
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore", ("keyPrefix", keyPrefix)));

        await env.Client.SaveStateAsync("eventstore", "order-1", "x", cancellationToken: Ct);

        Assert.Equal([storedKey], env.Emulator.GetStateKeys("eventstore"));
        Assert.Equal("x", await env.Client.GetStateAsync<string>("eventstore", "order-1", cancellationToken: Ct));
    }

    [Fact]
    public async Task A_key_containing_the_separator_is_an_invalid_argument()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));

        var error = await Assert.ThrowsAsync<DaprException>(() => env.Client.SaveStateAsync("eventstore", "a||b", "x", cancellationToken: Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("input key/keyPrefix 'a||b' can't contain '||'", rpc.Status.Detail);
    }

    [Fact]
    public async Task Save_without_an_etag_is_last_write_wins()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));

        await env.Client.SaveStateAsync("eventstore", "k", "first", cancellationToken: Ct);
        await env.Client.SaveStateAsync("eventstore", "k", "second", cancellationToken: Ct);

        Assert.Equal("second", await env.Client.GetStateAsync<string>("eventstore", "k", cancellationToken: Ct));
    }

    [Fact]
    public async Task Save_with_the_current_etag_succeeds_and_gives_a_new_etag()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));
        await env.Client.SaveStateAsync("eventstore", "k", "first", cancellationToken: Ct);
        var (_, etag) = await env.Client.GetStateAndETagAsync<string>("eventstore", "k", cancellationToken: Ct);

        Assert.True(await env.Client.TrySaveStateAsync("eventstore", "k", "second", etag, cancellationToken: Ct));

        var (value, newEtag) = await env.Client.GetStateAndETagAsync<string>("eventstore", "k", cancellationToken: Ct);
        Assert.Equal("second", value);
        Assert.NotEqual(etag, newEtag);
    }

    [Fact]
    public async Task Save_with_a_stale_etag_is_aborted()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));
        await env.Client.SaveStateAsync("eventstore", "k", "first", cancellationToken: Ct);
        var (_, stale) = await env.Client.GetStateAndETagAsync<string>("eventstore", "k", cancellationToken: Ct);
        await env.Client.SaveStateAsync("eventstore", "k", "second", cancellationToken: Ct);

        Assert.False(await env.Client.TrySaveStateAsync("eventstore", "k", "third", stale, cancellationToken: Ct));

        var error = await Assert.ThrowsAsync<DaprException>(() => env.Client.SaveStateAsync(
            "eventstore", "k", "third", new StateOptions { Concurrency = ConcurrencyMode.FirstWrite }, cancellationToken: Ct));
        Assert.Equal("second", await env.Client.GetStateAsync<string>("eventstore", "k", cancellationToken: Ct));
        Assert.Equal(StatusCode.Internal, Assert.IsType<RpcException>(error.InnerException).StatusCode);
    }

    [Fact]
    public async Task Save_with_an_etag_on_a_missing_key_is_a_mismatch()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));

        Assert.False(await env.Client.TrySaveStateAsync("eventstore", "new", "x", Guid.NewGuid().ToString(), cancellationToken: Ct));
        Assert.Empty(env.Emulator.GetStateKeys("eventstore"));
    }

    [Fact]
    public async Task First_write_without_an_etag_inserts_only()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };

        await env.Client.SaveStateAsync("eventstore", "k", "first", firstWrite, cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<DaprException>(() => env.Client.SaveStateAsync("eventstore", "k", "second", firstWrite, cancellationToken: Ct));

        // state/postgresql v2: the upsert's WHERE clause matches no row: "no item was updated" (Internal).
        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.Equal("failed saving state in state store eventstore: no item was updated", rpc.Status.Detail);
        Assert.Equal("first", await env.Client.GetStateAsync<string>("eventstore", "k", cancellationToken: Ct));
    }

    [Fact]
    public async Task Malformed_etag_is_an_invalid_argument_on_postgresql_v1()
    {
        await using var env = await StartAsync(Backend.PostgresV1("eventstore"));
        await env.Client.SaveStateAsync("eventstore", "k", "first", cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<DaprException>(() => env.Client.TrySaveStateAsync("eventstore", "k", "x", "not-a-number", cancellationToken: Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.StartsWith("failed saving state in state store eventstore: invalid etag value", rpc.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_etag_is_a_mismatch_on_postgresql_v2()
    {
        // components-contrib state/postgresql/v2: "Return an etag mismatch error right away if the etag is invalid".
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));
        await env.Client.SaveStateAsync("eventstore", "k", "first", cancellationToken: Ct);

        Assert.False(await env.Client.TrySaveStateAsync("eventstore", "k", "x", "not-a-uuid", cancellationToken: Ct));
    }

    [Fact]
    public async Task A_missing_key_reads_as_empty()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));

        var (value, etag) = await env.Client.GetStateAndETagAsync<string>("eventstore", "missing", cancellationToken: Ct);

        Assert.Null(value);
        Assert.True(string.IsNullOrEmpty(etag));
    }

    [Fact]
    public async Task An_unknown_store_is_an_invalid_argument_with_daprds_message()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));

        var error = await Assert.ThrowsAsync<DaprException>(() => env.Client.GetStateAsync<string>("nope", "k", cancellationToken: Ct));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.Equal("state store nope is not found", rpc.Status.Detail);
        // Like daprd, the rich status carries a google.rpc.ErrorInfo with the reason and domain dapr.io.
        var status = Google.Rpc.Status.Parser.ParseFrom(rpc.Trailers.GetValueBytes("grpc-status-details-bin"));
        var info = status.Details.Single(d => d.Is(Google.Rpc.ErrorInfo.Descriptor)).Unpack<Google.Rpc.ErrorInfo>();
        Assert.Equal(("DAPR_STATE_NOT_FOUND", "dapr.io"), (info.Reason, info.Domain));
    }

    [Fact]
    public async Task Bulk_get_returns_one_item_per_key_and_empty_items_for_missing_keys()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));
        await env.Client.SaveStateAsync("eventstore", "a", "A", cancellationToken: Ct);
        await env.Client.SaveStateAsync("eventstore", "b", "B", cancellationToken: Ct);

        var items = await env.Client.GetBulkStateAsync("eventstore", ["a", "missing", "b"], parallelism: null, cancellationToken: Ct);

        Assert.Equal(["a", "b", "missing"], items.Select(i => i.Key).Order());
        Assert.Equal("\"A\"", items.Single(i => i.Key == "a").Value);
        Assert.False(string.IsNullOrEmpty(items.Single(i => i.Key == "b").ETag));
        Assert.True(string.IsNullOrEmpty(items.Single(i => i.Key == "missing").Value));
    }

    [Fact]
    public async Task A_transaction_with_one_stale_etag_writes_nothing()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));
        await env.Client.SaveStateAsync("eventstore", "a", "A", cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<DaprException>(() => env.Client.ExecuteStateTransactionAsync("eventstore",
        [
            new StateTransactionRequest("b", Encoding.UTF8.GetBytes("\"B\""), StateOperationType.Upsert),
            new StateTransactionRequest("a", Encoding.UTF8.GetBytes("\"A2\""), StateOperationType.Upsert, etag: Guid.NewGuid().ToString()),
        ], cancellationToken: Ct));

        // Inside a transaction every store error, an ETag mismatch included, is Internal.
        Assert.Equal(StatusCode.Internal, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Equal(["order-command||a"], env.Emulator.GetStateKeys("eventstore"));
        Assert.Equal("A", await env.Client.GetStateAsync<string>("eventstore", "a", cancellationToken: Ct));
    }

    [Fact]
    public async Task A_transaction_applies_upserts_and_deletes_together()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));
        await env.Client.SaveStateAsync("eventstore", "old", "x", cancellationToken: Ct);
        var (_, etag) = await env.Client.GetStateAndETagAsync<string>("eventstore", "old", cancellationToken: Ct);

        await env.Client.ExecuteStateTransactionAsync("eventstore",
        [
            new StateTransactionRequest("new", Encoding.UTF8.GetBytes("\"y\""), StateOperationType.Upsert),
            new StateTransactionRequest("old", null, StateOperationType.Delete, etag: etag),
        ], cancellationToken: Ct);

        Assert.Equal(["order-command||new"], env.Emulator.GetStateKeys("eventstore"));
    }

    [Fact]
    public async Task Delete_with_a_stale_etag_is_aborted()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));
        await env.Client.SaveStateAsync("eventstore", "k", "x", cancellationToken: Ct);

        Assert.False(await env.Client.TryDeleteStateAsync("eventstore", "k", Guid.NewGuid().ToString(), cancellationToken: Ct));
        await env.Client.DeleteStateAsync("eventstore", "k", cancellationToken: Ct);

        Assert.Empty(env.Emulator.GetStateKeys("eventstore"));
    }

    [Fact]
    public async Task Ttl_in_seconds_expires_the_key()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var env = await StartAsync(time, Backend.PostgresV2("eventstore"));

        await env.Client.SaveStateAsync("eventstore", "k", "x", metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "10" }, cancellationToken: Ct);
        Assert.Equal("x", await env.Client.GetStateAsync<string>("eventstore", "k", cancellationToken: Ct));
        time.Advance(TimeSpan.FromSeconds(11));

        Assert.Null(await env.Client.GetStateAsync<string>("eventstore", "k", cancellationToken: Ct));
    }

    [Fact]
    public async Task Save_with_json_content_type_is_stored_as_the_component_marshals_it()
    {
        await using var env = await StartAsync(Backend.PostgresV2("eventstore"));

        await env.Client.SaveStateAsync("eventstore", "k", new { B = 1.50, A = "<x>" },
            metadata: new Dictionary<string, string> { ["contentType"] = "application/json" }, cancellationToken: Ct);

        var stored = env.Emulator.ReadState("eventstore", "order-command||k")!;
        Assert.Equal("""{"a":"\u003cx\u003e","b":1.5}""", Encoding.UTF8.GetString(stored.Value));
    }
}

public sealed class StateConformanceInMemoryTests() : StateConformanceTests(new MemoryBackend());

public sealed class StateConformanceOnSqliteTests() : StateConformanceTests(new SqliteBackend());

[Trait("Backend", "PostgreSQL")]
public sealed class StateConformanceOnPostgreSqlTests() : StateConformanceTests(new PostgreSqlBackend());
