using System.Text.Json;

namespace DaprEmulator.Actors;

// The body of a reminder or timer registration, decoded as daprd decodes api.CreateReminderRequest
// and api.CreateTimerRequest: strings or null, data kept as the raw JSON sent (Dapr.Actors sends
// the payload as a base64 string), field names case-insensitive.
internal sealed record ScheduleRequest(string DueTime, string Period, string Ttl, string Callback, string? Data, bool? Overwrite)
{
    public static ScheduleRequest ParseReminder(byte[] body) => Parse(body, "api.CreateReminderRequest", reminder: true);

    public static ScheduleRequest ParseTimer(byte[] body) => Parse(body, "api.CreateTimerRequest", reminder: false);

    private static ScheduleRequest Parse(byte[] body, string goType, bool reminder)
    {
        using var document = RequestBody.Parse(body);
        var root = document.RootElement;
        if (root.ValueKind == JsonValueKind.Null)
        {
            return new ScheduleRequest("", "", "", "", null, null);
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

        if (reminder)
        {
            CheckFailurePolicy(root);
        }

        return new ScheduleRequest(
            Text("dueTime"),
            Text("period"),
            Text("ttl"),
            Text("callback"),
            JsonFields.Find(root, "data")?.GetRawText(),
            overwrite);
    }

    // failure_policy of a reminder. daprd decodes the HTTP body with encoding/json
    // (pkg/api/http/actors.go onCreateActorReminder, pkg/actors/api/reminders.go UnmarshalJSON)
    // into the generated commonv1.JobFailurePolicy, not with protojson: its only exported field
    // is the oneof interface Policy, which encoding/json cannot fill. So over HTTP every object is
    // accepted and sets no policy ({"drop":{}} and {"constant":{…}} included: their keys match no
    // field), the Scheduler then applies its default; a non-null Policy, or a failure_policy that
    // is not an object, fails the decoding. Only the gRPC API (not emulated) can set a policy.
    private static void CheckFailurePolicy(JsonElement root)
    {
        switch (JsonFields.Find(root, "failure_policy"))
        {
            case null or { ValueKind: JsonValueKind.Null }:
                return;
            case { ValueKind: JsonValueKind.Object } policy:
                if (JsonFields.Find(policy, "Policy") is { ValueKind: not JsonValueKind.Null } oneof)
                {
                    throw ActorApiException.MalformedRequest(
                        $"json: cannot unmarshal {JsonFields.GoKind(oneof)} into Go struct field JobFailurePolicy.failure_policy.Policy of type common.isJobFailurePolicy_Policy");
                }

                return;
            case { } other:
                throw ActorApiException.MalformedRequest(
                    $"json: cannot unmarshal {JsonFields.GoKind(other)} into Go struct field .failure_policy of type common.JobFailurePolicy");
        }
    }
}
