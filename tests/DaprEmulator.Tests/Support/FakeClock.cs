using DaprEmulator.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace DaprEmulator.Tests.Support;

public static class FakeClock
{
    // Moves a fake clock forward one second at a time until nothing is left to handle, so that
    // timers (the outbox's 1 s scan delay and 10 s backoff) run without real waiting.
    public static async Task AdvanceUntilIdleAsync(this FakeTimeProvider time, DaprEmulatorHost emulator, int maxSeconds = 120)
    {
        var quiet = 0;
        for (var second = 0; second < maxSeconds; second++)
        {
            await Task.Delay(20, TestContext.Current.CancellationToken);
            quiet = emulator.IsIdle ? quiet + 1 : 0;
            if (quiet >= 3)
            {
                return;
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        throw new TimeoutException($"the emulator was still busy after {maxSeconds} fake seconds");
    }
}
