using DaprEmulator.Hosting;
using DaprEmulator.Outbox;
using DaprEmulator.PubSub;

namespace DaprEmulator.Api;

// What the Dapr APIs of one sidecar work on.
internal sealed record SidecarContext(
    string AppId,
    SidecarComponents Components,
    PubSubPublisher Publisher,
    TransactionalOutbox Outbox,
    TimeProvider Time,
    Faults.FaultInjector? Faults);
