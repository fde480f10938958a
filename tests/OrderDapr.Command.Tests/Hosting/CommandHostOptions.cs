using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrderDapr.Testing;

namespace OrderDapr.Command.Tests.Hosting;

public sealed class CommandHostOptions
{
    // APP_API_TOKEN of the app and its sidecar; null = not configured.
    public string? AppApiToken { get; init; } = CommandHost.DefaultAppApiToken;

    // DAPR_API_TOKEN: the sidecar requires it, the app is configured with it.
    public string DaprApiToken { get; init; } = "dapr-token";

    // More configuration of the app, e.g. Cors:AllowedOrigins:0.
    public IReadOnlyDictionary<string, string?> Configuration { get; init; } = new Dictionary<string, string?>();

    // Runs after the app's own registrations: replace a service here.
    public Action<IServiceCollection>? Services { get; init; }

    public ILoggerProvider? Logs { get; init; }

    // The Dapr components the sidecar loads.
    public string ResourcesPath { get; init; } = Repository.Components;
}
