namespace DaprEmulator.Tests.Support;

// Bounded polling: tests wait for a condition, never for a fixed time.
public static class Poll
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting until {what}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    public static async Task<T> ForAsync<T>(Func<T?> value, string what, TimeSpan? timeout = null)
        where T : class
    {
        T? result = null;
        await UntilAsync(() => (result = value()) is not null, what, timeout);
        return result!;
    }
}
