using System.Diagnostics;
using System.Text.Json;
using OrderDapr.EndToEnd.Tests.Fixtures;
using OrderDapr.Testing;

namespace OrderDapr.EndToEnd.Tests.Frontend;

// An independent client, as a frontend team would pick one: npm's graphql-ws over WebSocket and
// graphql for the schema (GraphQLClient/subscribe.mjs; `.ci/run` installs Node.js and runs
// `npm ci` there). It validates its subscription against the served schema, subscribes, gets the
// order as it is, and then each status change.
[Collection(nameof(RunningSystem))]
public sealed class GraphQLWsClientLibrary(OrderSystem system)
{
    private static string ClientFolder => Path.Combine(Repository.Root, "tests", "OrderDapr.EndToEnd.Tests", "GraphQLClient");

    [Fact]
    public async Task The_npm_graphql_ws_client_receives_each_status_change_of_an_order()
    {
        if (!Directory.Exists(Path.Combine(ClientFolder, "node_modules", "graphql-ws")))
        {
            throw new InvalidOperationException($"Run `npm ci` in {ClientFolder} first (bash .ci/run does).");
        }

        var orderId = await system.Commands.PlaceAsync($"npm-{Guid.NewGuid():N}");
        await system.GraphQL.OrderAtVersionAsync(orderId, 1);

        var start = new ProcessStartInfo("node", ["subscribe.mjs", new Uri(system.QueryBaseAddress, "/graphql").ToString(), orderId, "4"])
        {
            WorkingDirectory = ClientFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var node = Process.Start(start)!;
        var lines = new List<JsonElement>();
        var subscribed = new TaskCompletionSource();
        var stderr = node.StandardError.ReadToEndAsync();
        var reading = Task.Run(async () =>
        {
            while (await node.StandardOutput.ReadLineAsync() is { } line)
            {
                var message = JsonDocument.Parse(line).RootElement.Clone();
                lock (lines)
                {
                    lines.Add(message);
                }

                if (message.TryGetProperty("data", out _))
                {
                    subscribed.TrySetResult();
                }
            }

            subscribed.TrySetException(new InvalidOperationException($"The client ended before its first message: {await stderr}"));
        });

        try
        {
            // The first message is the order as it is: from then on the subscription is live.
            await subscribed.Task.WaitAsync(Eventually.DefaultTimeout);
            await system.Commands.PayAsync(orderId, 19.98m);
            await system.GraphQL.OrderAtVersionAsync(orderId, 2);
            await system.Commands.ShipAsync(orderId);
            await system.GraphQL.OrderAtVersionAsync(orderId, 3);
            await system.Commands.DeliverAsync(orderId);

            // The client exits once it has received four messages.
            await node.WaitForExitAsync(new CancellationTokenSource(Eventually.DefaultTimeout).Token);
            await reading;
        }
        finally
        {
            if (!node.HasExited)
            {
                node.Kill();
            }
        }

        JsonElement[] received;
        lock (lines)
        {
            received = [.. lines.Where(l => l.TryGetProperty("data", out _) || l.TryGetProperty("errors", out _) || l.TryGetProperty("error", out _) || l.TryGetProperty("invalid", out _))];
        }

        Assert.Equal(0, node.ExitCode);
        var changes = received.Select(l => l.GetProperty("data").GetProperty("orderChanged")).ToArray();
        Assert.Equal(["CREATED", "PAID", "SHIPPED", "DELIVERED"], changes.Select(c => c.GetProperty("status").GetString()));
        Assert.Equal([1, 2, 3, 4], changes.Select(c => c.GetProperty("version").GetInt32()));
        Assert.All(changes, c => Assert.Equal(orderId, c.GetProperty("id").GetString()));
    }
}
