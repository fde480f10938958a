using DaprEmulator.Actors;
using DaprEmulator.Faults;
using DaprEmulator.PubSub;

namespace DaprEmulator.Hosting;

// What the sidecars of one emulator host share: the backends, the traffic logs, the actor runtime,
// the fault injector (null without a fault plan) and the name resolution of app ids.
internal sealed record SidecarEnvironment(
    SharedBackends Backends,
    PublishedMessageLog Published,
    DeliveryLog Deliveries,
    ActorRuntime Actors,
    FaultInjector? Faults,
    Func<string, DaprSidecar?> ResolveAppId,
    string? Namespace,
    TimeProvider Time,
    ILoggerFactory Loggers);
