namespace DaprEmulator.Components;

// Thrown for any resource the emulator cannot honour: it fails loudly instead of loading a
// configuration that would behave differently from real Dapr.
public sealed class ResourceLoadException(string message, Exception? inner = null) : Exception(message, inner);
