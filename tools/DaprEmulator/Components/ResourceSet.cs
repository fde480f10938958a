using DaprEmulator.Resiliency;

namespace DaprEmulator.Components;

// Everything loaded from the resources paths of one sidecar.
public sealed record ResourceSet(IReadOnlyList<ComponentDefinition> Components, IReadOnlyList<ResiliencyDefinition> Resiliencies)
{
    public static ResourceSet Empty { get; } = new([], []);
}
