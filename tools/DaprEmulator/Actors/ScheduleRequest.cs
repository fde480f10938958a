using System.Text.Json;

namespace DaprEmulator.Actors;

// The body of a reminder or timer registration, decoded as daprd decodes api.CreateReminderRequest
// and api.CreateTimerRequest: strings or null, data kept as the raw JSON sent (Dapr.Actors sends
// the payload as a base64 string), field names case-insensitive.
internal sealed record ScheduleRequest(string DueTime, string Period, string Ttl, string Callback, string? Data, bool? Overwrite, bool HasFailurePolicy)
{
    public static ScheduleRequest Parse(byte[] body, string goType)
    {
        using var document = RequestBody.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Null)
        {
            return new ScheduleRequest("", "", "", "", null, null, false);
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw ActorApiException.MalformedRequest($"json: cannot unmarshal {root.ValueKind.ToString().ToLowerInvariant()} into Go value of type {goType}");
        }

        string Text(string name)
        {
            var value = JsonFields.Find(root, name);
            return value switch
            {
                null or { ValueKind: JsonValueKind.Null } => "",
                { ValueKind: JsonValueKind.String } s => s.GetString()!,
                { } other => throw ActorApiException.MalformedRequest(
                    $"json: cannot unmarshal {other.ValueKind.ToString().ToLowerInvariant()} into Go struct field {goType}.{name} of type string"),
            };
        }

        bool? overwrite = JsonFields.Find(root, "overwrite") switch
        {
            null or { ValueKind: JsonValueKind.Null } => null,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            _ => throw ActorApiException.MalformedRequest($"json: cannot unmarshal into Go struct field {goType}.overwrite of type bool"),
        };

        return new ScheduleRequest(
            Text("dueTime"),
            Text("period"),
            Text("ttl"),
            Text("callback"),
            JsonFields.Find(root, "data")?.GetRawText(),
            overwrite,
            JsonFields.Find(root, "failure_policy") is { ValueKind: not JsonValueKind.Null });
    }
}
