using System.Diagnostics;
using System.Globalization;
using OrderDapr.Bench;

if (args is ["--help" or "-h"])
{
    Console.WriteLine(BenchOptions.Usage);
    return 0;
}

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or UriFormatException)
{
    Console.Error.WriteLine($"{e.Message}\n\n{BenchOptions.Usage}");
    return 1;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

var endpoints = options.Endpoints;
using var client = new SystemClient(endpoints, options.Clients * 2);
using var sidecars = new SidecarReferences(endpoints, options.CommandApiToken, options.QueryApiToken, options.Clients);
var run = new BenchRun(options, client, sidecars);
try
{
    await run.WaitForSystemAsync(cancel.Token);
    var report = await run.RunAsync(cancel.Token);
    report.Print(Console.Out);
    var (json, png) = report.Save(options.OutputFolder);
    Console.WriteLine($"\nResult: {json}\nChart:  {png}");
    return 0;
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    Console.Error.WriteLine("\ninterrupted");
    return 130;
}
catch (SystemNotRunningException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

namespace OrderDapr.Bench
{
    public sealed class SystemNotRunningException(string message) : Exception(message);

    // The phases of one benchmark run, in order; each measures on the running system.
    public sealed class BenchRun(BenchOptions options, SystemClient client, SidecarReferences sidecars)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly string _runId = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);
        private readonly ProcessMemory _memory = new();

        private string Customer(long index) => $"bench-{_runId}-{index % options.Customers}";

        public async Task WaitForSystemAsync(CancellationToken ct)
        {
            var deadline = _clock.Elapsed + TimeSpan.FromSeconds(60);
            while (!(await client.IsHealthyAsync(options.Endpoints.Command, ct) && await client.IsHealthyAsync(options.Endpoints.Query, ct)))
            {
                if (_clock.Elapsed > deadline)
                {
                    throw new SystemNotRunningException(
                        $"order-command ({options.Endpoints.Command}) or order-query ({options.Endpoints.Query}) does not answer /healthz: start the system first (README \"Run it\").");
                }

                await Task.Delay(500, ct);
            }
        }

        public async Task<Report> RunAsync(CancellationToken ct)
        {
            var report = new Report(options);
            using var memoryTimer = new Timer(_ => _memory.Sample(_clock.Elapsed.TotalSeconds), null, TimeSpan.Zero, TimeSpan.FromSeconds(1));

            // .NET compiles hot code again, optimized, during the first tens of seconds of load
            // (tiered compilation): measured cold, the first phase would pay for it.
            Phase($"warm-up: {options.WarmUp.TotalSeconds:0} s of every kind of call, not measured");
            await WarmUpAsync(ct);

            if (options.Runs("ceiling"))
            {
                Phase("reference: trivial endpoint (GET /healthz of order-command)");
                report.Loads["ceiling"] = await Load.ClosedLoopAsync("ceiling", options.Clients, null, options.ReferenceDuration,
                    (_, t) => client.CeilingAsync(t), Progress, ct);
            }

            if (options.Runs("floor"))
            {
                Phase("reference: raw Dapr floor of a placement (its sidecar calls, without the apps)");
                report.Loads["floor"] = await Load.ClosedLoopAsync("floor", options.Clients, null, options.ReferenceDuration,
                    sidecars.PlacementFloorAsync, Progress, ct);
            }

            if (options.Runs("idle-lag"))
            {
                Phase($"projection lag, idle: {options.IdleSamples} orders placed one at a time");
                report.IdleLag = await IdleLagAsync(ct);
            }

            if (options.Runs("push"))
            {
                Phase($"subscription push, idle: {options.IdleSamples} orders paid one at a time while subscribed to orderChanged");
                report.Push = await PushAsync(ct);
            }

            var ids = Array.Empty<Placed>();
            var halfRate = 100.0;
            if (options.Runs("place"))
            {
                Phase($"place: {options.Orders:N0} orders, {options.Clients} clients, {options.Customers} customers");
                var (place, placed, loadLag) = await PlaceAsync(ct);
                report.Loads["place"] = place;
                report.PlaceStartedAt = place.StartedAt;
                report.LoadLag = loadLag;
                report.MemoryAfterPlace = ProcessMemory.Read();
                report.CompleteAfterBurst = await WaitForCompleteReadModelAsync(options.Orders, options.Runs("idle-lag") ? options.IdleSamples : 0, ct);
                Console.WriteLine($"  read model complete {report.CompleteAfterBurst?.TotalSeconds:0.00} s after the last answer");
                ids = [.. placed.Where(p => p is not null).Select(p => p!)];
                halfRate = Math.Max(1, place.Throughput / 2);
            }

            if (options.Runs("half-rate"))
            {
                Phase($"projection lag at half the placement rate: {halfRate:N0} orders/s for {options.HalfRateDuration.TotalSeconds:0} s");
                (report.Loads["place-half-rate"], report.HalfRateLag) = await HalfRateAsync(halfRate, ct);
            }

            if (options.Runs("lifecycle"))
            {
                Phase($"lifecycle: {options.LifecycleOrders:N0} orders placed, paid, shipped and delivered");
                report.Loads["lifecycle"] = await LifecycleAsync(ct);
            }

            if (options.Runs("reads"))
            {
                if (ids.Length == 0)
                {
                    ids = [.. await PlaceForReadsAsync(ct)];
                }

                Phase("reads");
                report.Loads["read-raw-state"] = await Load.ClosedLoopAsync("read-raw-state", options.Clients, null, options.ReadDuration,
                    (i, t) => sidecars.ReadModelDocumentHttpAsync(ids[i % ids.Length].OrderId, t), Progress, ct);
                report.Loads["read-raw-state-grpc"] = await Load.ClosedLoopAsync("read-raw-state-grpc", options.Clients, null, options.ReadDuration,
                    (i, t) => sidecars.ReadModelDocumentGrpcAsync(ids[i % ids.Length].OrderId, t), Progress, ct);
                report.Loads["read-graphql-order"] = await Load.ClosedLoopAsync("read-graphql-order", options.Clients, null, options.ReadDuration,
                    (i, t) => client.OrderAsync(ids[i % ids.Length].OrderId, t), Progress, ct);
                report.Loads["read-graphql-orders"] = await Load.ClosedLoopAsync("read-graphql-orders", options.Clients, null, options.ReadDuration,
                    (i, t) => client.CustomerOrdersAsync(Customer(i), t), Progress, ct);
                report.Loads["read-command-get"] = await Load.ClosedLoopAsync("read-command-get", options.Clients, null, options.ReadDuration,
                    (i, t) => client.GetOrderStateAsync(ids[i % ids.Length].OrderId, t), Progress, ct);
            }

            report.MemoryAtEnd = ProcessMemory.Read();
            report.MemoryTimeline = _memory.Samples;
            return report;
        }

        private async Task WarmUpAsync(CancellationToken ct)
        {
            var orders = new System.Collections.Concurrent.ConcurrentQueue<Placed>();
            await Load.ClosedLoopAsync("warm-up", options.Clients, null, options.WarmUp, async (i, t) =>
            {
                switch (i % 4)
                {
                    case 0:
                        return await sidecars.PlacementFloorAsync(i, t);
                    case 1 when orders.TryDequeue(out var order):
                        var amount = order.Total.ToString(CultureInfo.InvariantCulture);
                        return await client.CommandAsync(order.OrderId, "pay", $$"""{"amount":{{amount}},"paymentId":"warm-{{i}}"}""", t) is not null
                               && await client.OrderAsync(order.OrderId, t) && await client.GetOrderStateAsync(order.OrderId, t)
                               && await sidecars.ReadModelDocumentHttpAsync(order.OrderId, t) && await sidecars.ReadModelDocumentGrpcAsync(order.OrderId, t)
                               && await client.CustomerOrdersAsync(order.CustomerId, t);
                    default:
                        var placed = await client.PlaceAsync($"bench-{_runId}-warm-{i % 10}", i, t);
                        if (placed is not null)
                        {
                            orders.Enqueue(placed);
                        }

                        return placed is not null && await client.CeilingAsync(t);
                }
            }, Progress, ct);
        }

        private async Task<LagProbe> IdleLagAsync(CancellationToken ct)
        {
            var probe = new LagProbe(client, _clock, 1);
            for (var i = 0; i < options.IdleSamples; i++)
            {
                var placed = await client.PlaceAsync(Customer(i), i, ct);
                if (placed is not null)
                {
                    await probe.MeasureAsync(placed.OrderId, placed.Version, _clock.Elapsed);
                }
            }

            return probe;
        }

        private async Task<SubscriptionProbe> PushAsync(CancellationToken ct)
        {
            var probe = new SubscriptionProbe(client, options.Endpoints);
            await using (probe)
            {
                await probe.ConnectAsync(ct);
                for (var i = 0; i < options.IdleSamples; i++)
                {
                    var placed = await client.PlaceAsync(Customer(i), i, ct);
                    if (placed is not null)
                    {
                        await probe.MeasureAsync(placed, _clock, ct);
                    }
                }
            }

            return probe;
        }

        private async Task<(LoadResult Place, Placed?[] Placed, LagProbe Lag)> PlaceAsync(CancellationToken ct)
        {
            var placed = new Placed?[options.Orders];
            var probe = new LagProbe(client, _clock, 64);
            var startedAt = _clock.Elapsed;
            var result = await Load.ClosedLoopAsync("place", options.Clients, options.Orders, null, async (i, t) =>
            {
                var order = await client.PlaceAsync(Customer(i), i, t);
                placed[i] = order;
                if (order is not null && i % 20 == 0)
                {
                    probe.TrySample(order.OrderId, order.Version, _clock.Elapsed);
                }

                return order is not null;
            }, (r, elapsed) => Progress(r, elapsed, probe), ct);
            result.StartedAt = startedAt;
            await probe.DrainAsync();
            return (result, placed, probe);
        }

        // Orders to read when the place phase did not run: a thousand, placed and projected.
        private async Task<IReadOnlyList<Placed>> PlaceForReadsAsync(CancellationToken ct)
        {
            Phase("placing 1,000 orders to read");
            var placed = new Placed?[1000];
            await Load.ClosedLoopAsync("seed", options.Clients, placed.Length, null, async (i, t) =>
            {
                placed[i] = await client.PlaceAsync($"bench-{_runId}-reads-{i % options.Customers}", i, t);
                return placed[i] is not null;
            }, null, ct);
            var ids = placed.Where(p => p is not null).Select(p => p!).ToList();
            foreach (var order in ids)
            {
                while (await client.ProjectedVersionAsync(order.OrderId, ct) < order.Version)
                {
                    await Task.Delay(10, ct);
                }
            }

            return ids;
        }

        // After the last answer of the burst: how long until every order placed in it is shown.
        private async Task<TimeSpan?> WaitForCompleteReadModelAsync(long expected, int idleOrders, CancellationToken ct)
        {
            var customers = Enumerable.Range(0, options.Customers).Select(i => Customer(i)).ToList();
            var start = _clock.Elapsed;
            while (_clock.Elapsed - start < TimeSpan.FromMinutes(5))
            {
                var shown = await client.TotalOrdersAsync(customers, ct) - idleOrders;
                if (shown >= expected)
                {
                    return _clock.Elapsed - start;
                }

                await Task.Delay(50, ct);
            }

            Console.WriteLine("  the read model was still incomplete 5 minutes after the burst");
            return null;
        }

        private async Task<(LoadResult, LagProbe)> HalfRateAsync(double perSecond, CancellationToken ct)
        {
            var probe = new LagProbe(client, _clock, 64);
            var every = Math.Max(1, (long)(perSecond / 50)); // about 50 samples a second
            var startedAt = _clock.Elapsed;
            var result = await Load.OpenLoopAsync("place-half-rate", perSecond, options.HalfRateDuration, async (i, t) =>
            {
                var order = await client.PlaceAsync(Customer(i), i, t);
                if (order is not null && i % every == 0)
                {
                    probe.TrySample(order.OrderId, order.Version, _clock.Elapsed);
                }

                return order is not null;
            }, (r, elapsed) => Progress(r, elapsed, probe), ct);
            result.StartedAt = startedAt;
            await probe.DrainAsync();
            return (result, probe);
        }

        private Task<LoadResult> LifecycleAsync(CancellationToken ct) =>
            Load.ClosedLoopAsync("lifecycle", options.Clients, options.LifecycleOrders, null, async (i, t) =>
            {
                var order = await client.PlaceAsync(Customer(i), i, t);
                if (order is null)
                {
                    return false;
                }

                var amount = order.Total.ToString(CultureInfo.InvariantCulture);
                return await client.CommandAsync(order.OrderId, "pay", $$"""{"amount":{{amount}},"paymentId":"pay-{{i}}"}""", t) is not null
                       && await client.CommandAsync(order.OrderId, "ship", $$"""{"trackingNumber":"track-{{i}}"}""", t) is not null
                       && await client.CommandAsync(order.OrderId, "deliver", null, t) is not null;
            }, Progress, ct);

        private static void Phase(string name) => Console.WriteLine($"\n== {name}");

        private static void Progress(LoadResult result, TimeSpan elapsed) => Progress(result, elapsed, null);

        private static void Progress(LoadResult result, TimeSpan elapsed, LagProbe? lag)
        {
            var recent = result.CompletedAt.Count(t => t > elapsed.TotalSeconds - 1);
            var memory = ProcessMemory.Read();
            var lagText = lag is { Count: > 0 } ? $" · lag p50 {lag.PercentileMs(50):0.0} ms p99 {lag.PercentileMs(99):0.0} ms" : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {elapsed.TotalSeconds,5:0}s {result.Count,9:N0} done · {recent,7:N0}/s · p50 {result.PercentileMs(50):0.0} ms p99 {result.PercentileMs(99):0.0} ms{lagText}"
                + $" · failures {result.Failures:N0} · RSS {string.Join(' ', memory.Select(m => $"{Report.ShortName(m.Key)} {m.Value:0} MB"))}"));
        }
    }
}
