using System.Diagnostics;
using HdrHistogram;

namespace OrderDapr.Bench;

// Projection lag: from the moment a command was answered with version N until GraphQL shows the
// order at version N or later, found by asking order-query again and again from that moment on:
// at first every millisecond, then less often as the wait grows (every 5 % of the time waited so
// far), so that the probing stays a small part of the load and still measures within about 5 %
// and one round trip. At most `maxInFlight` samples are followed at once (a safety bound only).
public sealed class LagProbe(SystemClient client, Stopwatch clock, int maxInFlight)
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);

    private readonly Lock _gate = new();
    private readonly List<Task> _running = [];
    private int _inFlight;

    public LongHistogram Lag { get; } = new(TimeSpan.FromMinutes(5).Ticks / 10, 3);

    // (seconds since the clock started, lag in ms) for every sample, to chart lag over time.
    public List<(double At, double LagMs)> Samples { get; } = [];

    public int TimedOut { get; private set; }

    public long Count => Lag.TotalCount;

    public double PercentileMs(double percentile) => Count == 0 ? 0 : Lag.GetValueAtPercentile(percentile) / 1000.0;

    public double MaxMs => Count == 0 ? 0 : Lag.GetMaxValue() / 1000.0;

    // Follows the order in the background if fewer than maxInFlight samples are running.
    public bool TrySample(string orderId, int version, TimeSpan answeredAt)
    {
        if (Interlocked.Increment(ref _inFlight) > maxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            return false;
        }

        var task = Task.Run(async () =>
        {
            try
            {
                await FollowAsync(orderId, version, answeredAt);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        });
        lock (_gate)
        {
            _running.RemoveAll(t => t.IsCompleted);
            _running.Add(task);
        }

        return true;
    }

    // Samples one order and waits for it.
    public Task MeasureAsync(string orderId, int version, TimeSpan answeredAt) => FollowAsync(orderId, version, answeredAt);

    public async Task DrainAsync()
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        await Task.WhenAll(running);
    }

    private async Task FollowAsync(string orderId, int version, TimeSpan answeredAt)
    {
        while (clock.Elapsed - answeredAt < GiveUpAfter)
        {
            int seen;
            try
            {
                seen = await client.ProjectedVersionAsync(orderId, CancellationToken.None);
            }
            catch (HttpRequestException)
            {
                seen = 0;
            }

            var now = clock.Elapsed;
            if (seen >= version)
            {
                var lag = now - answeredAt;
                lock (_gate)
                {
                    Lag.RecordValue(Math.Max(1, (long)lag.TotalMicroseconds));
                    Samples.Add((now.TotalSeconds, lag.TotalMilliseconds));
                }

                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, (now - answeredAt).TotalMilliseconds / 20)));
        }

        lock (_gate)
        {
            TimedOut++;
        }
    }
}
