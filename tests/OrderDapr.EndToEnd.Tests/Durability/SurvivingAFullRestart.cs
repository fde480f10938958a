using System.Net;
using System.Text.Json;
using DaprEmulator.Hosting;
using OrderDapr.EndToEnd.Tests.Fixtures;
using OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

namespace OrderDapr.EndToEnd.Tests.Durability;

// Everything stopped — the emulator and both services — and started again on the same data:
// orders, their events, their reminders and their read-model documents are all still there. The
// emulator's storage is what survives here, as `run` keeps it (a SQLite file) or as `run --external`
// does (PostgreSQL and Redis, the Scheduler's jobs in a SQLite file); on real daprd the data lives
// in the PostgreSQL and Redis containers of the fixture.
[Trait("Runtime", "emulator-only")]
public sealed class SurvivingAFullRestart : IAsyncDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "orderdapr-e2e", "durable-" + Guid.NewGuid().ToString("N"));
    private MachineServers? _servers;

    private string DatabaseFile => Path.Combine(_folder, "emulator.db");

    [Fact]
    public Task On_a_sqlite_file_orders_answer_with_the_same_version_and_take_new_commands_that_project() =>
        RestartAsync(() => EmulatorRuntime.With(new EmulatorStorage.Sqlite(DatabaseFile)));

    [Fact]
    [Trait("Backend", "PostgreSQL")]
    [Trait("Backend", "Redis")]
    public async Task On_postgresql_and_redis_orders_answer_with_the_same_version_and_take_new_commands_that_project()
    {
        var servers = _servers = await MachineServers.StartAsync();
        await RestartAsync(() => EmulatorRuntime.On(servers, new EmulatorStorage.External(DatabaseFile)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_servers is not null)
        {
            await _servers.DisposeAsync();
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Nothing was written (DirectoryNotFoundException), or a file is still held.
        }
    }

    // Places and pays orders on one system, stops all of it, starts a second one on the same data.
    private static async Task RestartAsync(Func<IDaprRuntime> runtime)
    {
        var customer = $"c-{Guid.NewGuid():N}";
        string paid, unpaid;
        var before = new DurableOrderSystem(runtime);
        try
        {
            await before.InitializeAsync();
            paid = await before.Commands.PlaceAsync(customer);
            unpaid = await before.Commands.PlaceAsync(customer);
            Assert.Equal(HttpStatusCode.OK, (await before.Commands.PayAsync(paid, 19.98m)).Status);
            await before.GraphQL.OrderAtVersionAsync(paid, 2);
            await before.GraphQL.OrderAtVersionAsync(unpaid, 1);
        }
        finally
        {
            await before.DisposeAsync();
        }

        var after = new DurableOrderSystem(runtime);
        try
        {
            await after.InitializeAsync();

            Assert.Equal(("PAID", 2), await CommandSideAsync(after, paid));
            Assert.Equal(("CREATED", 1), await CommandSideAsync(after, unpaid));
            Assert.Equal(("PAID", 2), QuerySide(await after.GraphQL.OrderAsync(paid)));
            Assert.Equal(("CREATED", 1), QuerySide(await after.GraphQL.OrderAsync(unpaid)));
            Assert.True(await after.ReminderExistsAsync(unpaid, "payment-deadline"), "the payment deadline of the unpaid order was lost");

            var shipped = await after.Commands.ShipAsync(paid);
            var paidNow = await after.Commands.PayAsync(unpaid, 19.98m);

            Assert.Equal((HttpStatusCode.OK, 3), (shipped.Status, shipped.Version));
            Assert.Equal((HttpStatusCode.OK, 2), (paidNow.Status, paidNow.Version));
            Assert.Equal(("SHIPPED", 3), QuerySide(await after.GraphQL.OrderAtVersionAsync(paid, 3)));
            Assert.Equal(("PAID", 2), QuerySide(await after.GraphQL.OrderAtVersionAsync(unpaid, 2)));
        }
        finally
        {
            await after.DisposeAsync();
        }
    }

    private static async Task<(string Status, int Version)> CommandSideAsync(OrderSystem system, string orderId)
    {
        var answer = await system.Commands.GetAsync($"/orders/{orderId}");
        Assert.Equal(HttpStatusCode.OK, answer.Status);
        return (answer.Body.GetProperty("status").GetString()!, answer.Body.GetProperty("version").GetInt32());
    }

    private static (string Status, int Version) QuerySide(JsonElement? order)
    {
        Assert.NotNull(order);
        return (order.Value.GetProperty("status").GetString()!, order.Value.GetProperty("version").GetInt32());
    }
}
