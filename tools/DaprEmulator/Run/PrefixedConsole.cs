namespace DaprEmulator.Run;

// Every output line of a run carries who wrote it, like the dapr CLI:
// "== APP - order-command == ..." for an app, "== DAPR - order-command == ..." for its sidecar.
public sealed class PrefixedConsole(TextWriter output)
{
    private readonly Lock _lock = new();

    public void App(string appId, string line) => Write($"== APP - {appId} == ", line);

    public void Dapr(string? appId, string line) => Write(appId is null ? "== DAPR == " : $"== DAPR - {appId} == ", line);

    private void Write(string prefix, string text)
    {
        lock (_lock)
        {
            foreach (var line in text.Split('\n'))
            {
                output.WriteLine(prefix + line.TrimEnd('\r'));
            }

            output.Flush();
        }
    }
}
