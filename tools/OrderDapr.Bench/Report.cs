using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace OrderDapr.Bench;

// What a run measured, the ratios to its references, the issue's targets, and the files it writes.
public sealed class Report(BenchOptions options)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public Dictionary<string, LoadResult> Loads { get; } = new(StringComparer.Ordinal);

    public LagProbe? IdleLag { get; set; }

    public LagProbe? LoadLag { get; set; }

    public LagProbe? HalfRateLag { get; set; }

    public SubscriptionProbe? Push { get; set; }

    public TimeSpan? CompleteAfterBurst { get; set; }

    public TimeSpan PlaceStartedAt { get; set; }

    public Dictionary<string, double> MemoryAfterPlace { get; set; } = [];

    public Dictionary<string, double> MemoryAtEnd { get; set; } = [];

    public Dictionary<string, List<(double At, double Mb)>> MemoryTimeline { get; set; } = [];

    private DateTimeOffset FinishedAt { get; } = DateTimeOffset.UtcNow;

    public static string ShortName(string program) => program switch
    {
        "DaprEmulator" => "emulator",
        "OrderDapr.Command" => "order-command",
        "OrderDapr.Query" => "order-query",
        _ => program,
    };

    private double Rate(string load) => Loads.TryGetValue(load, out var l) ? l.Throughput : 0;

    private static double Ratio(double value, double reference) => reference > 0 ? value / reference : 0;

    public IReadOnlyList<double> PlaceWindows => Loads.TryGetValue("place", out var place) ? place.WindowThroughputs(10_000) : [];

    public double? FlatRatio => PlaceWindows is { Count: >= 2 } w ? w[^1] / w[0] : null;

    public IReadOnlyList<(string What, string Figure, bool Met)> Targets()
    {
        var place = Rate("place");
        var targets = new List<(string, string, bool)>
        {
            ("placement ≥ 1,500 orders/s", $"{place:N0}/s", place >= 1500),
            ("placement ≥ 0.5 × raw Dapr floor", $"{Ratio(place, Rate("floor")):0.00} ×", Ratio(place, Rate("floor")) >= 0.5),
            ("full lifecycle ≥ 400 orders/s", $"{Rate("lifecycle"):N0}/s", Rate("lifecycle") >= 400),
        };
        if (FlatRatio is { } flat)
        {
            targets.Add(("flat: last 10k ≥ 0.9 × first 10k", $"{flat:0.00} ×", flat >= 0.9));
        }

        foreach (var (name, lag) in new[] { ("idle", IdleLag), ("half rate", HalfRateLag) })
        {
            if (lag is { Count: > 0 })
            {
                targets.Add(($"lag {name}: p50 ≤ 20 ms, p99 ≤ 100 ms", $"{lag.PercentileMs(50):0.0} / {lag.PercentileMs(99):0.0} ms",
                    lag.PercentileMs(50) <= 20 && lag.PercentileMs(99) <= 100 && lag.TimedOut == 0));
            }
        }

        if (Push is { Count: > 0 } push)
        {
            targets.Add(("subscription push ≤ 100 ms after the answer (p99)", $"{push.PercentileMs(99):0.0} ms", push.PercentileMs(99) <= 100 && push.Lost == 0));
        }

        targets.Add(("read model complete ≤ 5 s after the burst",
            CompleteAfterBurst is { } c ? $"{c.TotalSeconds:0.00} s" : "never", CompleteAfterBurst <= TimeSpan.FromSeconds(5)));
        var graphQL = Ratio(Rate("read-graphql-order"), Rate("read-raw-state"));
        targets.Add(("GraphQL order(id) ≥ 0.7 × raw state read (HTTP)", $"{graphQL:0.00} ×", graphQL >= 0.7));
        foreach (var app in new[] { "OrderDapr.Command", "OrderDapr.Query" })
        {
            var rss = MemoryAfterPlace.GetValueOrDefault(app);
            targets.Add(($"{ShortName(app)} RSS after the burst ≤ 150 MB", $"{rss:0} MB", rss is > 0 and <= 150));
        }

        return targets;
    }

    public void Print(TextWriter output)
    {
        output.WriteLine($"\n== results ({Machine()})");
        output.WriteLine($"{"load",-22} {"ops",9} {"ops/s",9} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8} {"failed",7}");
        foreach (var load in Loads.Values)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{load.Name,-22} {load.Count,9:N0} {load.Throughput,9:N0} {load.PercentileMs(50),8:0.0} {load.PercentileMs(90),8:0.0} {load.PercentileMs(99),8:0.0} {load.MaxMs,8:0.0} {load.Failures,7:N0}"));
        }

        output.WriteLine($"\n{"projection lag",-22} {"samples",9} {"p50 ms",8} {"p90 ms",8} {"p99 ms",8} {"max ms",8} {"lost",7}");
        foreach (var (name, lag) in new[] { ("idle", IdleLag), ("at full load", LoadLag), ("at half rate", HalfRateLag) })
        {
            if (lag is not null)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-22} {lag.Count,9:N0} {lag.PercentileMs(50),8:0.0} {lag.PercentileMs(90),8:0.0} {lag.PercentileMs(99),8:0.0} {lag.MaxMs,8:0.0} {lag.TimedOut,7}"));
            }
        }

        if (Push is not null)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{"subscription push",-22} {Push.Count,9:N0} {Push.PercentileMs(50),8:0.0} {Push.PercentileMs(90),8:0.0} {Push.PercentileMs(99),8:0.0} {Push.MaxMs,8:0.0} {Push.Lost,7}"));
        }

        output.WriteLine($"\nplacement per 10k-order window (orders/s): {string.Join(" ", PlaceWindows.Select(w => w.ToString("N0", CultureInfo.InvariantCulture)))}");
        output.WriteLine($"ratios: placement / floor {Ratio(Rate("place"), Rate("floor")):0.00}, placement / ceiling {Ratio(Rate("place"), Rate("ceiling")):0.000}, "
                         + $"GraphQL order(id) / raw state read {Ratio(Rate("read-graphql-order"), Rate("read-raw-state")):0.00} (HTTP), {Ratio(Rate("read-graphql-order"), Rate("read-raw-state-grpc")):0.00} (gRPC), "
                         + $"GET /orders/{{id}} / raw state read {Ratio(Rate("read-command-get"), Rate("read-raw-state")):0.00}");
        output.WriteLine($"RSS after the burst: {Memory(MemoryAfterPlace)}; at the end: {Memory(MemoryAtEnd)}");

        output.WriteLine("\ntargets:");
        foreach (var (what, figure, met) in Targets())
        {
            output.WriteLine($"  {(met ? "met    " : "MISSED ")} {what,-44} {figure}");
        }
    }

    public (string Json, string Png) Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var stamp = FinishedAt.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var json = Path.Combine(folder, $"bench-{stamp}.json");
        var png = Path.Combine(folder, $"bench-{stamp}.png");
        File.WriteAllText(json, JsonSerializer.Serialize(ToDocument(), Json));
        Chart.Save(png, this);
        return (json, png);
    }

    private object ToDocument() => new
    {
        finishedAt = FinishedAt,
        machine = Machine(),
        options = new { options.Orders, options.Clients, options.Customers, options.LifecycleOrders },
        loads = Loads.Values.Select(l => new
        {
            l.Name,
            l.Count,
            l.Failures,
            seconds = l.Elapsed.TotalSeconds,
            perSecond = l.Throughput,
            p50Ms = l.PercentileMs(50),
            p90Ms = l.PercentileMs(90),
            p99Ms = l.PercentileMs(99),
            maxMs = l.MaxMs,
        }),
        lag = new[] { ("idle", IdleLag), ("full-load", LoadLag), ("half-rate", HalfRateLag) }
            .Where(x => x.Item2 is not null)
            .ToDictionary(x => x.Item1, x => new { samples = x.Item2!.Count, p50Ms = x.Item2.PercentileMs(50), p90Ms = x.Item2.PercentileMs(90), p99Ms = x.Item2.PercentileMs(99), maxMs = x.Item2.MaxMs, timedOut = x.Item2.TimedOut }),
        subscriptionPush = Push is null ? null : new { samples = Push.Count, p50Ms = Push.PercentileMs(50), p90Ms = Push.PercentileMs(90), p99Ms = Push.PercentileMs(99), maxMs = Push.MaxMs, lost = Push.Lost },
        completeAfterBurstSeconds = CompleteAfterBurst?.TotalSeconds,
        placeWindowsPerSecond = PlaceWindows,
        flatRatio = FlatRatio,
        rssMbAfterPlace = MemoryAfterPlace.ToDictionary(m => ShortName(m.Key), m => m.Value),
        rssMbAtEnd = MemoryAtEnd.ToDictionary(m => ShortName(m.Key), m => m.Value),
        targets = Targets().Select(t => new { t.What, t.Figure, t.Met }),
    };

    private static string Memory(Dictionary<string, double> memory) =>
        memory.Count == 0 ? "not found" : string.Join(", ", memory.Select(m => $"{ShortName(m.Key)} {m.Value:0} MB"));

    public static string Machine() =>
        $"{Environment.ProcessorCount} cores, {CpuModel()}, {RuntimeInformation.OSDescription.Trim()}, .NET {Environment.Version}";

    private static string CpuModel() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "cpu unknown"
            : "cpu unknown";
}
