namespace OrderDapr.Command.Tests.Hosting;

public static class Poll
{
    // A bound against hanging, not a speed requirement.
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Gave up waiting for {what}.");
            }

            await Task.Delay(20);
        }
    }
}
