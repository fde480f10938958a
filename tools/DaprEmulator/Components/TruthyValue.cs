namespace DaprEmulator.Components;

// dapr/kit strings.IsTruthy: what Dapr accepts as "true" in metadata (actorStateStore, outbox.projection, ...).
internal static class TruthyValue
{
    public static bool IsTruthy(string? value) =>
        value?.Trim().ToLowerInvariant() is "y" or "yes" or "true" or "t" or "on" or "1";
}
