using System.Diagnostics;
using HdrHistogram;

namespace OrderDapr.Bench;

// One operation of a load: its index, and whether it succeeded (a non-2xx answer is a failure).
public delegate Task<bool> Operation(long index, CancellationToken cancellationToken);

// What one load measured: latencies in microseconds, and the moment each operation completed.
public sealed class LoadResult(string name)
{
    public string Name { get; } = name;

    public LongHistogram Latency { get; } = new(TimeSpan.FromMinutes(5).Ticks / 10, 3);

    public long Count { get; set; }

    public long Failures { get; set; }

    public TimeSpan Elapsed { get; set; }

    // When the load started on the run's clock (to chart it beside the lag samples).
    public TimeSpan StartedAt { get; set; }

    // Seconds since the start of the load, one per successful operation, in completion order.
    public List<double> CompletedAt { get; } = [];

    public double Throughput => Elapsed > TimeSpan.Zero ? Count / Elapsed.TotalSeconds : 0;

    public double PercentileMs(double percentile) => Count == 0 ? 0 : Latency.GetValueAtPercentile(percentile) / 1000.0;

    public double MaxMs => Count == 0 ? 0 : Latency.GetMaxValue() / 1000.0;

    // Throughput of each consecutive window of `size` operations, in completion order.
    public IReadOnlyList<double> WindowThroughputs(int size)
    {
        var rates = new List<double>();
        var start = 0.0;
        for (var end = size - 1; end < CompletedAt.Count; end += size)
        {
            rates.Add(size / Math.Max(CompletedAt[end] - start, 1e-9));
            start = CompletedAt[end];
        }

        return rates;
    }
}

// Closed-loop and open-loop load generation.
public static class Load
{
    // `clients` workers, each running the next operation as soon as its previous one answered,
    // until `total` operations ran or `duration` passed. `progress` is called about once a second.
    public static async Task<LoadResult> ClosedLoopAsync(
        string name, int clients, long? total, TimeSpan? duration, Operation operation,
        Action<LoadResult, TimeSpan>? progress, CancellationToken cancellationToken)
    {
        var result = new LoadResult(name);
        var next = -1L;
        var clock = Stopwatch.StartNew();
        var gate = new Lock();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (duration is { } d)
        {
            stop.CancelAfter(d);
        }

        async Task WorkerAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var index = Interlocked.Increment(ref next);
                if (total is { } t && index >= t)
                {
                    return;
                }

                var started = clock.Elapsed;
                bool ok;
                try
                {
                    ok = await operation(index, stop.Token);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }

                var ended = clock.Elapsed;
                lock (gate)
                {
                    Record(result, ok, started, ended);
                }
            }
        }

        using var reporter = StartProgress(result, clock, gate, progress, stop.Token);
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(WorkerAsync, CancellationToken.None)));
        result.Elapsed = clock.Elapsed;
        cancellationToken.ThrowIfCancellationRequested();
        return result;
    }

    // Operations started at a fixed rate whatever the answers (latency is measured from the moment
    // an operation was due, so a stall shows in the percentiles instead of slowing the load down).
    public static async Task<LoadResult> OpenLoopAsync(
        string name, double perSecond, TimeSpan duration, Operation operation,
        Action<LoadResult, TimeSpan>? progress, CancellationToken cancellationToken)
    {
        var result = new LoadResult(name);
        var clock = Stopwatch.StartNew();
        var gate = new Lock();
        var running = new List<Task>();
        var interval = TimeSpan.FromSeconds(1 / perSecond);
        using var reporter = StartProgress(result, clock, gate, progress, cancellationToken);
        for (long index = 0; ; index++)
        {
            var due = interval * index;
            if (due >= duration)
            {
                break;
            }

            if (due > clock.Elapsed)
            {
                await Task.Delay(due - clock.Elapsed, cancellationToken);
            }

            var i = index;
            running.Add(Task.Run(async () =>
            {
                bool ok;
                try
                {
                    ok = await operation(i, cancellationToken);
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }

                var ended = clock.Elapsed;
                lock (gate)
                {
                    Record(result, ok, due, ended);
                }
            }, CancellationToken.None));
            if (running.Count > 4096)
            {
                running.RemoveAll(t => t.IsCompleted);
            }
        }

        await Task.WhenAll(running);
        result.Elapsed = clock.Elapsed;
        return result;
    }

    private static void Record(LoadResult result, bool ok, TimeSpan started, TimeSpan ended)
    {
        if (!ok)
        {
            result.Failures++;
            return;
        }

        result.Count++;
        result.Latency.RecordValue(Math.Max(1, (long)(ended - started).TotalMicroseconds));
        result.CompletedAt.Add(ended.TotalSeconds);
    }

    private static Timer? StartProgress(LoadResult result, Stopwatch clock, Lock gate, Action<LoadResult, TimeSpan>? progress, CancellationToken cancellationToken) =>
        progress is null
            ? null
            : new Timer(_ =>
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                lock (gate)
                {
                    progress(result, clock.Elapsed);
                }
            }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
}
