namespace OrderDapr.EndToEnd.Tests.Fixtures;

// Bounded polling for eventually consistent results: the projection trails the command side.
// The bound is a failure deadline, not a speed assertion; speed is what the benchmark measures.
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task Async(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            if (await condition())
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Delay(50);
        }
    }

    public static async Task<T> Async<T>(Func<Task<T?>> probe, Func<T, bool> accept, string what, TimeSpan? timeout = null)
        where T : class
    {
        T? last = null;
        await Async(async () =>
        {
            last = await probe();
            return last is not null && accept(last);
        }, what, timeout);
        return last!;
    }
}
