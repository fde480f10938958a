using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DaprEmulator.PubSub;

public abstract class DeliveryException(string message, Exception? inner = null) : Exception(message, inner);

// rterrors.RetriableError: the policy may retry.
public sealed class RetriableDeliveryException(string message, Exception? inner = null) : DeliveryException(message, inner);

// pubsub.ErrMessageDropped: no retry; to the dead-letter topic when there is one.
public sealed class DroppedDeliveryException(string message) : DeliveryException(message);

// POST of one event to the app, and the reading of its answer, as dapr
// pkg/runtime/subscription/postman/http Deliver does it.
public static class AppDelivery
{
    public static async Task DeliverAsync(
        HttpClient app, string path, byte[] cloudEvent, string? messageId, string topic,
        IReadOnlyDictionary<string, string> headers, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/'))
        {
            Content = new ByteArrayContent(cloudEvent),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentTypes.CloudEvent);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        HttpResponseMessage response;
        try
        {
            response = await app.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new RetriableDeliveryException($"error returned from app channel while sending pub/sub event to app: {e.Message}", e);
        }

        using (response)
        {
            var body = await response.Content.ReadAsByteArrayAsync(ct);
            var status = (int)response.StatusCode;
            if (status is >= 200 and <= 299)
            {
                // Any 2xx: the body's "status" decides; an empty or unreadable body is a success.
                var appStatus = ReadStatus(body);
                switch (appStatus)
                {
                    case null or "" or "SUCCESS":
                        return;
                    case "RETRY":
                        throw new RetriableDeliveryException($"RETRY status returned from app while processing pub/sub event {messageId}");
                    case "DROP":
                        throw new DroppedDeliveryException($"DROP status returned from app while processing pub/sub event {messageId}");
                    default:
                        throw new RetriableDeliveryException($"unknown status returned from app while processing pub/sub event {messageId}, status: {appStatus}");
                }
            }

            var text = System.Text.Encoding.UTF8.GetString(body);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new DroppedDeliveryException(
                    $"non-retriable error returned from app while processing pub/sub event {messageId}: {text}. status code returned: {status}");
            }

            throw new RetriableDeliveryException(
                $"retriable error returned from app while processing pub/sub event {messageId}, topic: {topic}, body: {text}. status code returned: {status}");
        }
    }

    // The message's metadata travel as HTTP headers (WithCustomHTTPMetadata), the trace headers as
    // TraceContext.DeliveryHeaders says. The app token (APP_API_TOKEN) is a default header of the app channel.
    internal static Dictionary<string, string> Headers(IReadOnlyDictionary<string, string> metadata, JsonObject cloudEvent)
    {
        var headers = metadata.Where(m => IsToken(m.Key) && !TraceContext.IsTraceHeader(m.Key))
            .ToDictionary(m => m.Key, m => m.Value, StringComparer.OrdinalIgnoreCase);
        headers.Remove("content-type");
        foreach (var (name, value) in TraceContext.DeliveryHeaders(metadata, cloudEvent))
        {
            headers[name] = value;
        }

        return headers;
    }

    private static bool IsToken(string name) => name.Length > 0 && name.All(c => c > ' ' && c < 127 && !"()<>@,;:\\\"/[]?={}".Contains(c));

    private static string? ReadStatus(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            // Go decodes the AppResponse struct with case-insensitive field names.
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (string.Equals(property.Name, "status", StringComparison.OrdinalIgnoreCase))
                {
                    return property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
                }
            }

            return "";
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
