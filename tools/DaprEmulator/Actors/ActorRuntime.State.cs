using System.Text.Json;
using DaprEmulator.GoFormats;

namespace DaprEmulator.Actors;

public sealed partial class ActorRuntime
{
    // GET /v1.0/actors/{type}/{id}/state/{key} on the sidecar of appId (pkg/actors/state Get):
    // the raw stored value, or null when there is none.
    internal async Task<byte[]?> GetStateAsync(string appId, string actorType, string actorId, string key, CancellationToken ct)
    {
        var storage = StorageOf(appId) ?? throw ActorApiException.RuntimeNotFound();
        try
        {
            var (value, _) = await storage.GetAsync(StateKey(appId, actorType, actorId, key), ct);
            return value is { Length: > 0 } ? value : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ActorApiException.StateGet(ex.Message);
        }
    }

    // PUT/POST /v1.0/actors/{type}/{id}/state (pkg/api/http onActorStateTransaction,
    // pkg/actors/state TransactionalStateOperation): one transaction in the app's actor state store,
    // only for an actor that is active on this app.
    internal async Task TransactStateAsync(string appId, string actorType, string actorId, byte[] body, CancellationToken ct)
    {
        using var document = RequestBody.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind is not (JsonValueKind.Array or JsonValueKind.Null))
        {
            throw ActorApiException.MalformedRequest(
                $"json: cannot unmarshal {JsonFields.GoKind(root)} into Go value of type []api.TransactionalOperation");
        }

        lock (gate)
        {
            if (!slots.TryGetValue((actorType, actorId), out var slot) || slot.ActiveOn?.AppId != appId)
            {
                throw ActorApiException.InstanceMissing();
            }
        }

        var operations = new List<ActorStateOperation>();
        if (root.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in root.EnumerateArray())
            {
                operations.Add(ToStorageOperation(appId, actorType, actorId, item));
            }
        }

        var storage = StorageOf(appId) ?? throw ActorApiException.RuntimeNotFound();
        try
        {
            await storage.TransactAsync(operations, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw ActorApiException.StateTransaction(ex.Message);
        }
    }

    private static string StateKey(string appId, string actorType, string actorId, string key) =>
        $"{appId}||{actorType}||{actorId}||{key}";

    // api.TransactionalOperation.StateOperation: fields matched case-insensitively (Go's
    // encoding/json and mapstructure both do), the upsert value re-marshalled as Go would.
    private static ActorStateOperation ToStorageOperation(string appId, string actorType, string actorId, JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw ActorApiException.MalformedRequest(
                $"json: cannot unmarshal {JsonFields.GoKind(item)} into Go value of type api.TransactionalOperation");
        }

        var operation = JsonFields.Find(item, "operation") is { ValueKind: JsonValueKind.String } op ? op.GetString()! : "";
        var request = JsonFields.Find(item, "request");
        if (request is null or { ValueKind: JsonValueKind.Null })
        {
            throw ActorApiException.StateTransaction("request data is empty");
        }

        if (operation.Length == 0)
        {
            throw ActorApiException.StateTransaction("operation is empty");
        }

        if (operation is not ("upsert" or "delete"))
        {
            throw ActorApiException.StateTransaction($"operation type {operation} not supported");
        }

        var r = request.Value;
        var key = JsonFields.Find(r, "key") is { ValueKind: JsonValueKind.String } k ? k.GetString()! : "";
        if (key.Length == 0)
        {
            throw ActorApiException.StateTransaction("missing key");
        }

        var etag = JsonFields.Find(r, "etag") is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;
        var fullKey = StateKey(appId, actorType, actorId, key);
        if (operation == "delete")
        {
            return new ActorStateOperation(fullKey, null, etag);
        }

        if (JsonFields.Find(r, "metadata") is { ValueKind: JsonValueKind.Object } metadata
            && metadata.EnumerateObject().Any(m => m.NameEquals("ttlInSeconds")))
        {
            // Actor state TTL is a preview feature of daprd (Configuration feature ActorStateTTL),
            // and the emulator has no Configuration to turn it on.
            throw ActorApiException.StateTransaction("ttlInSeconds is not supported without the \"ActorStateTTL\" feature enabled");
        }

        byte[] value;
        try
        {
            value = JsonFields.Find(r, "value") is { } v ? GoJson.Remarshal(v) : "null"u8.ToArray();
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException)
        {
            throw ActorApiException.MalformedRequest(ex.Message);
        }

        return new ActorStateOperation(fullKey, value, etag);
    }
}
