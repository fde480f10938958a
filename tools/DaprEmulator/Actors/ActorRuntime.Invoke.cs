using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.Primitives;

namespace DaprEmulator.Actors;

// PUT /v1.0/actors/{type}/{id}/method/{method} as the caller sent it, for the app: the query
// string ("" or "?..."), headers, content type and body go along.
internal sealed record ActorMethodCall(string Method, string Query, IEnumerable<KeyValuePair<string, StringValues>> Headers, string? ContentType, byte[] Body);

// What daprd answers to PUT /v1.0/actors/{type}/{id}/method/{method}: the app's status, headers
// and body (an actor exception comes back as 200 with X-DaprErrorResponseHeader, as the app sent it).
internal sealed record ActorCallResult(int StatusCode, string? ContentType, IReadOnlyList<KeyValuePair<string, string[]>> Headers, byte[] Body);

public sealed partial class ActorRuntime
{
    private const string ErrorResponseHeader = "X-DaprErrorResponseHeader";
    private const string ReminderCancelHeader = "X-DaprReminderCancel";

    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Connection", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host", "Content-Length", "Content-Type", "Expect", "dapr-api-token", "Date", "Server",
    };

    private enum CallbackOutcome
    {
        Done,
        Canceled,
    }

    internal async Task<ActorCallResult> InvokeMethodAsync(string actorType, string actorId, ActorMethodCall call, CancellationToken ct)
    {
        var (_, result) = await InvokeAsync(
            actorType,
            actorId,
            (host, token) => CallMethodAsync(host, actorType, actorId, call, token),
            stillWanted: null,
            retryNoAddress: true,
            ct);
        return result!;
    }

    // Runs work in the actor's turn on the host that owns the id, activating the actor there.
    // stillWanted (checked under the turn, before activation) lets a reminder or timer that was
    // deleted while it waited for the turn give up without activating anything.
    private async Task<(bool Ran, T? Result)> InvokeAsync<T>(
        string actorType,
        string actorId,
        Func<ActorHost, CancellationToken, Task<T>> work,
        Func<bool>? stillWanted,
        bool retryNoAddress,
        CancellationToken ct)
    {
        if (stopping.IsCancellationRequested)
        {
            throw ActorApiException.RuntimeClosed();
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, stopping.Token);
        var token = linked.Token;
        for (var attempt = 0; ; attempt++)
        {
            lock (gate)
            {
                if (Owner(actorType, actorId) is not null)
                {
                    break;
                }
            }

            if (!retryNoAddress || attempt == NoAddressRetries)
            {
                throw NoAddress(actorType, actorId);
            }

            await Task.Delay(NoAddressRetryInterval, time, token);
        }

        ActorSlot slot;
        lock (gate)
        {
            slot = AcquireSlotLocked(actorType, actorId);
        }

        try
        {
            await slot.Turn.EnterAsync(token);
            try
            {
                ActorHost? owner;
                ActorHost? moved;
                lock (gate)
                {
                    if (stillWanted is not null && !stillWanted())
                    {
                        return (false, default);
                    }

                    owner = Owner(actorType, actorId);
                    moved = slot.ActiveOn is { } active && active != owner ? active : null;
                    if (moved is not null)
                    {
                        slot.ActiveOn = null;
                        RemoveTimersLocked(actorType, actorId);
                    }
                }

                if (moved is not null && IsRegistered(moved))
                {
                    await DeactivateOnHostAsync(moved, actorType, actorId);
                }

                if (owner is null)
                {
                    throw NoAddress(actorType, actorId);
                }

                bool queued;
                lock (gate)
                {
                    slot.ActiveOn = owner;
                    slot.IdleAt = time.GetUtcNow() + owner.IdleTimeoutByType[actorType];
                    queued = EnqueueIdleLocked(slot);
                }

                if (queued)
                {
                    Kick();
                }

                return (true, await work(owner, token));
            }
            finally
            {
                slot.Turn.Release();
                bool queued;
                lock (gate)
                {
                    queued = EnqueueIdleLocked(slot);
                }

                if (queued)
                {
                    Kick();
                }
            }
        }
        finally
        {
            ReleaseSlot(slot);
        }
    }

    private static ActorApiException NoAddress(string actorType, string actorId) =>
        ActorApiException.Invoke($"failed to lookup actor: did not find address for actor '{actorType}||{actorId}'");

    private bool IsRegistered(ActorHost host)
    {
        lock (gate)
        {
            return hosts.Contains(host);
        }
    }

    private async Task<ActorCallResult> CallMethodAsync(ActorHost host, string actorType, string actorId, ActorMethodCall call, CancellationToken ct)
    {
        var path = $"actors/{actorType}/{actorId}/method/{call.Method}";

        // Whatever the caller's verb, the app gets a PUT; the query string goes along.
        using var request = new HttpRequestMessage(HttpMethod.Put, ActorUrl(host, actorType, actorId, "method/" + Uri.EscapeDataString(call.Method) + call.Query))
        {
            Content = new ByteArrayContent(call.Body),
        };
        if (!string.IsNullOrEmpty(call.ContentType))
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", call.ContentType);
        }

        foreach (var (name, values) in call.Headers)
        {
            if (NotForwarded.Contains(name))
            {
                continue;
            }

            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                request.Content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        using var response = await SendAsync(host, request, ct);
        var responseBody = await response.Content.ReadAsByteArrayAsync(ct);

        // pkg/actors/targets/app/transport/http: only 200 is a success.
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw ActorApiException.Invoke($"actor method not found: {path}");
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw ActorApiException.Invoke($"error from actor service: ({(int)response.StatusCode}) {System.Text.Encoding.UTF8.GetString(responseBody)}");
        }

        if (!HasHeader(response, ErrorResponseHeader) && IsTruthy(HeaderValue(response, ReminderCancelHeader)))
        {
            throw ActorApiException.Invoke("reminder has been canceled");
        }

        var forwarded = response.Headers.Concat(response.Content.Headers)
            .Where(h => !NotForwarded.Contains(h.Key))
            .Select(h => KeyValuePair.Create(h.Key, h.Value.ToArray()))
            .ToList();
        return new ActorCallResult((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), forwarded, responseBody);
    }

    // A reminder or timer callback: PUT .../method/remind/{name} or .../method/timer/{name}.
    private async Task<CallbackOutcome> CallCallbackAsync(ActorHost host, string actorType, string actorId, string kind, string name, byte[] json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, ActorUrl(host, actorType, actorId, $"method/{kind}/{Uri.EscapeDataString(name)}"))
        {
            Content = new ByteArrayContent(json),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await SendAsync(host, request, ct);
        var responseBody = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"error from actor service: ({(int)response.StatusCode}) {responseBody}");
        }

        if (HasHeader(response, ErrorResponseHeader))
        {
            throw new HttpRequestException("actor error with details in body");
        }

        return IsTruthy(HeaderValue(response, ReminderCancelHeader)) ? CallbackOutcome.Canceled : CallbackOutcome.Done;
    }

    // The body of a reminder or timer callback: its data as registered (raw JSON), then strings.
    private static byte[] CallbackBody(string? data, params ReadOnlySpan<(string Name, string Value)> strings)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            if (data is not null)
            {
                writer.WritePropertyName("data");
                writer.WriteRawValue(data);
            }

            foreach (var (name, value) in strings)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private async Task DeactivateOnHostAsync(ActorHost host, string actorType, string actorId)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Delete, ActorUrl(host, actorType, actorId, null));
            using var response = await SendAsync(host, request, stopping.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                logger.LogError(
                    "Deactivating actor {ActorType}||{ActorId} on {Host}: error from actor service: ({Status}) {Body}",
                    actorType, actorId, host, (int)response.StatusCode, await response.Content.ReadAsStringAsync(stopping.Token));
            }
            else
            {
                logger.LogDebug("Deactivated actor {ActorType}||{ActorId} on {Host}", actorType, actorId, host);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or ActorApiException || (ex is OperationCanceledException && !stopping.IsCancellationRequested))
        {
            logger.LogError("Deactivating actor {ActorType}||{ActorId} on {Host}: {Error}", actorType, actorId, host, ex.Message);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(ActorHost host, HttpRequestMessage request, CancellationToken ct)
    {
        AddAppToken(request, host.AppApiToken);
        try
        {
            return await http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            // Worded like the Go client's error that daprd passes on.
            throw ActorApiException.Invoke($"{request.Method.Method[0]}{request.Method.Method[1..].ToLowerInvariant()} \"{request.RequestUri}\": {ex.Message}");
        }
    }

    // The channel's appHeaderToken, set on every request (pkg/channel/http constructRequest).
    private static void AddAppToken(HttpRequestMessage request, string? appApiToken)
    {
        if (appApiToken is not null)
        {
            request.Headers.Remove("dapr-api-token");
            request.Headers.TryAddWithoutValidation("dapr-api-token", appApiToken);
        }
    }

    private static Uri ActorUrl(ActorHost host, string actorType, string actorId, string? rest) =>
        new($"{host.Address}/actors/{Uri.EscapeDataString(actorType)}/{Uri.EscapeDataString(actorId)}{(rest is null ? "" : "/" + rest)}");

    private static bool HasHeader(HttpResponseMessage response, string name) =>
        response.Headers.Contains(name) || response.Content.Headers.Contains(name);

    private static string? HeaderValue(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    // dapr/kit strings.IsTruthy.
    private static bool IsTruthy(string? value) =>
        value?.Trim().ToLowerInvariant() is "y" or "yes" or "true" or "t" or "on" or "1";
}
