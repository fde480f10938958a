namespace DaprEmulator.State;

// The emulated stores work synchronously: their answers are completed tasks, their failures
// faulted ones (so that a caller meets them where it awaits, as with a real database).
internal static class SyncCalls
{
    public static ValueTask Run(Action work)
    {
        try
        {
            work();
            return ValueTask.CompletedTask;
        }
        catch (Exception e)
        {
            return ValueTask.FromException(e);
        }
    }

    public static ValueTask<T> Run<T>(Func<T> work)
    {
        try
        {
            return ValueTask.FromResult(work());
        }
        catch (Exception e)
        {
            return ValueTask.FromException<T>(e);
        }
    }
}
