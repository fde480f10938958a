using DaprEmulator.Actors;
using DaprEmulator.PubSub;

namespace DaprEmulator.Hosting;

// The app channel: wait for the app port, then read subscriptions, consume the outbox topics and
// register the app's actors, as daprd does once the app is up.
public sealed partial class DaprSidecar
{
    private async Task WatchAppAsync(CancellationToken ct)
    {
        try
        {
            if (AppPort is { } port)
            {
                await AppPortProbe.WaitAsync(port, ct);
                _log.LogInformation("application discovered on port {Port}", port);
                HttpMessageHandler channel = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) };
                _app = new HttpClient(_environment.Faults?.AppChannel(channel) ?? channel)
                {
                    BaseAddress = new Uri($"http://127.0.0.1:{port}/"),
                    Timeout = Timeout.InfiniteTimeSpan,
                };
                if (_options.AppApiToken is { } appToken)
                {
                    _app.DefaultRequestHeaders.Add("dapr-api-token", appToken);
                }

                await LoadSubscriptionsAsync(_app, ct);
            }

            lock (_lock)
            {
                _subscriptions.AddRange(_context.Outbox.SubscribeToInternalTopics(name => _components.PubSubs.GetValueOrDefault(name)?.Component));
            }

            if (AppPort is { } appPort)
            {
                await RegisterActorsAsync(appPort, ct);
            }

            // Ready (healthz 204, IsAppReady) once subscriptions, outbox consumers and actors are in place.
            _appReady = true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _log.LogError(e, "sidecar {AppId} failed to initialise the app channel: {Error}", AppId, e.Message);
        }
    }

    private async Task RegisterActorsAsync(int appPort, CancellationToken ct)
    {
        try
        {
            await _actors.RegisterHostAsync(AppId, new Uri($"http://127.0.0.1:{appPort}/"), _options.AppApiToken, ActorStorage(), ct);
            _actorHostRegistered = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _log.LogError("Failed to register hosted actors: {Error}", e.Message);
        }
    }

    // A service invocation call to this sidecar's app, with its APP_API_TOKEN in place of any
    // dapr-api-token the call carried (the channel's Header.Set).
    internal async Task<HttpResponseMessage> CallAppAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var app = _app;
        if (AppPort is not { } port)
        {
            throw AppChannelException.NotInitialized();
        }

        var url = new Uri(new Uri($"http://127.0.0.1:{port}/"), request.RequestUri!);
        if (_options.AppApiToken is not null)
        {
            request.Headers.Remove("dapr-api-token");
        }

        try
        {
            // Until the app port has answered the channel has no client: the app is not listening.
            if (app is null)
            {
                throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused));
            }

            return await app.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (HttpRequestException e)
        {
            throw AppChannelException.From(request, url, e);
        }
    }

    private IActorStateStorage? ActorStorage() =>
        _components.ActorStateStore is { } store ? new ActorStateStorageAdapter(store.Store) : null;

    private async Task LoadSubscriptionsAsync(HttpClient app, CancellationToken ct)
    {
        IReadOnlyList<SubscriptionSpec> specs;
        try
        {
            specs = await DiscoverWithRetriesAsync(app, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            SubscriptionError = e;
            _log.LogError("failed to load the app's subscriptions, the sidecar will not subscribe to any topic: {Error}", e.Message);
            return;
        }

        var accepted = new List<SubscriptionSpec>();
        foreach (var spec in specs)
        {
            if (_components.PubSubs.GetValueOrDefault(spec.PubSubName) is not { } pubsub)
            {
                _log.LogWarning("failed to subscribe to topic {Topic}: pubsub {PubSub} is not found", spec.Topic, spec.PubSubName);
                continue;
            }

            var logger = _loggers.CreateLogger($"Dapr[{AppId}].subscription");
            var retry = _resiliency.PubSubInboundRetry(spec.PubSubName);
            var outcomes = new SubscriptionOutcomes(AppId, spec, _context.Publisher, _deliveries, _time, logger);
            lock (_lock)
            {
                if (spec.BulkSubscribe is { } bulk)
                {
                    var collector = new BulkCollector(bulk, new BulkAppSubscription(spec, app, retry, outcomes, _time, logger).HandleAsync, _time, logger);
                    _bulkCollectors.Add(collector);
                    _subscriptions.Add(pubsub.Component.Subscribe(spec.Topic, WithFaults(collector.HandleAsync)));
                }
                else
                {
                    _subscriptions.Add(pubsub.Component.Subscribe(spec.Topic, WithFaults(new AppSubscription(spec, app, retry, outcomes, _time, logger).HandleAsync)));
                }
            }

            accepted.Add(spec);
            _log.LogInformation("subscribed to topic {Topic} on pubsub {PubSub}", spec.Topic, spec.PubSubName);
        }

        _subscriptionSpecs = accepted;
    }

    private PubSubHandler WithFaults(PubSubHandler handler) => _environment.Faults?.Subscription(handler) ?? handler;

    // The built-in initialization retries (DaprBuiltInInitializationRetries): 3 retries, exponential.
    private async Task<IReadOnlyList<SubscriptionSpec>> DiscoverWithRetriesAsync(HttpClient app, CancellationToken ct)
    {
        var delay = TimeSpan.FromMilliseconds(500);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await SubscriptionDiscovery.DiscoverAsync(app, _loggers.CreateLogger($"Dapr[{AppId}].subscription"), ct);
            }
            catch (HttpRequestException) when (attempt < 3)
            {
                await Task.Delay(delay, _time, ct);
                delay *= 1.5;
            }
        }
    }
}
