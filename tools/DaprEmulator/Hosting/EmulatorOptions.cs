using Microsoft.Extensions.Logging.Abstractions;

namespace DaprEmulator.Hosting;

public sealed class EmulatorOptions
{
    // Folders (or files) of Component / Resiliency YAML; sidecars use them unless they name their own.
    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    // What daprd reads from the NAMESPACE variable (keyPrefix "namespace", {namespace}); none by default.
    public string? Namespace { get; init; }

    // Test hook: keep every published message and every delivery outcome in memory
    // (DaprEmulatorHost.Published / Deliveries). `run` turns it off: there the logs would grow
    // with every message for as long as the system runs.
    public bool RecordTraffic { get; init; } = true;

    // Where state, streams and Scheduler jobs live (EmulatorStorage).
    public EmulatorStorage Storage { get; init; } = new EmulatorStorage.Memory();

    // Faults to inject at every sidecar (chaos runs); null injects none.
    public Faults.FaultPlan? Faults { get; init; }
}

public sealed class SidecarOptions
{
    public required string AppId { get; init; }

    // The app's HTTP port; null or 0 = no app (no subscriptions, no actors).
    public int? AppPort { get; init; }

    // 0 = a free port.
    public int HttpPort { get; init; }

    public int GrpcPort { get; init; }

    // DAPR_API_TOKEN: required as header dapr-api-token on every API call except the health checks.
    public string? ApiToken { get; init; }

    // APP_API_TOKEN: sent as header dapr-api-token on every call to the app.
    public string? AppApiToken { get; init; }

    // Resources of this sidecar only (dapr.yaml apps[].resourcesPaths); null = the emulator's.
    public IReadOnlyList<string>? ResourcesPaths { get; init; }
}
