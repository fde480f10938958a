using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OrderDapr.Command.Domain;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Http;

// Idempotency-Key: the header, what counts as the same request, and the order a placement names.
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotent-Replayed";
    public const int MaxLength = 255;

    // Visible ASCII, as Read checks it: the OpenAPI document's statement of the rule.
    public const string Pattern = "^[!-~]+$";

    public static (string? Key, ProblemHttpResult? Problem) Read(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(Header, out var values))
        {
            return (null, null);
        }

        var key = values.ToString();
        return values.Count == 1 && key.Length is > 0 and <= MaxLength && key.All(c => c is > ' ' and <= '~')
            ? (key, null)
            : (null, Problems.Create(ProblemCatalogue.IdempotencyKeyInvalid,
                $"Idempotency-Key must be 1 to {MaxLength} visible ASCII characters, sent once."));
    }

    // What identifies "the same request" for an Idempotency-Key: the parsed command, so that
    // formatting differences in the JSON do not count as a different body.
    public static string Fingerprint(OrderCommand command) =>
        Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(command, EventSerializer.Options)));

    // Placing an order with an Idempotency-Key always targets the same order id, so a retry
    // lands on the stream that already holds the first answer, on whichever replica it arrives.
    public static string OrderIdFor(string idempotencyKey)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("orderdapr/place-order/" + idempotencyKey));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // RFC 9562 version 8: custom, name-based
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(hash.AsSpan(0, 16), bigEndian: true).ToString();
    }
}
