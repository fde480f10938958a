using System.Net;
using Npgsql;
using OrderDapr.EndToEnd.Tests.Fixtures;
using OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

namespace OrderDapr.EndToEnd.Tests.Runtimes;

// The whole system with the emulator keeping its state stores in this machine's PostgreSQL and its
// broker in its Redis (as `run --external` does, and as ORDERDAPR_EMULATOR_STORAGE=servers runs the
// whole suite): what the apps wrote through Dapr is there, read back with plain SQL and Redis
// commands, in components-contrib's layout. Needs both servers (.ci/run starts them).
[Trait("Runtime", "emulator-only")]
[Trait("Backend", "PostgreSQL")]
[Trait("Backend", "Redis")]
[Collection(nameof(MachineServersSystem))]
public sealed class OnThisMachinesServers(MachineServersOrderSystem system)
{
    [Fact]
    public async Task An_orders_events_are_rows_in_postgresql_and_entries_of_the_redis_stream()
    {
        var customer = $"c-{Guid.NewGuid():N}";
        var order = await system.Commands.PlaceAsync(customer);
        Assert.Equal(HttpStatusCode.OK, (await system.Commands.PayAsync(order, 19.98m)).Status);
        await system.GraphQL.OrderAtVersionAsync(order, 2);

        var servers = system.Servers;
        await using var connection = new NpgsqlConnection(servers.DatabaseConnectionString);
        await connection.OpenAsync();

        // components-contrib's v2 table of the event store: the order's stream, both events in it.
        var stream = await TextOfRowsAsync(connection, "eventstore_state", order);
        Assert.Single(stream);
        Assert.Contains("OrderCreated", stream[0], StringComparison.Ordinal);
        Assert.Contains("OrderPaid", stream[0], StringComparison.Ordinal);

        // The read model's documents of the order, the newest state projected.
        var documents = await TextOfRowsAsync(connection, "readmodel_state", order);
        Assert.Contains(documents, d => d.Contains("PAID", StringComparison.Ordinal));

        // The events on the `orders` stream of Redis, each CloudEvent in the field `data`.
        var entries = await servers.RedisDb.StreamRangeAsync("orders");
        var ofOrder = entries.Where(e => e["data"].ToString().Contains(order, StringComparison.Ordinal)).Select(e => e["data"].ToString()).ToList();
        Assert.Contains(ofOrder, e => e.Contains("OrderCreated", StringComparison.Ordinal));
        Assert.Contains(ofOrder, e => e.Contains("OrderPaid", StringComparison.Ordinal));

        // The consumer group of order-query (its app id, components-contrib's default consumerID).
        var groups = await servers.RedisDb.StreamGroupInfoAsync("orders");
        Assert.Contains(groups, g => g.Name == "order-query");
    }

    private static async Task<List<string>> TextOfRowsAsync(NpgsqlConnection connection, string table, string containing)
    {
        await using var select = new NpgsqlCommand($"SELECT convert_from(value, 'UTF8') FROM {table} WHERE key LIKE '%' || @id || '%'", connection);
        select.Parameters.AddWithValue("id", containing);
        var rows = new List<string>();
        await using var reader = await select.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}

// The system on this machine's PostgreSQL and Redis, whatever the environment selects.
public sealed class MachineServersOrderSystem : OrderSystem
{
    private EmulatorRuntime? runtime;

    public MachineServers Servers => runtime!.Servers!;

    protected override IDaprRuntime CreateRuntime() => runtime = EmulatorRuntime.OnMachineServers();
}

[CollectionDefinition(nameof(MachineServersSystem))]
public sealed class MachineServersSystem : ICollectionFixture<MachineServersOrderSystem>;
