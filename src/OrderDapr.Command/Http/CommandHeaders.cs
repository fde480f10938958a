using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using OrderDapr.Command.Domain;
using OrderDapr.Contracts;

namespace OrderDapr.Command.Http;

// The two request headers that change how a command is applied.
public static class CommandHeaders
{
    public const string IdempotencyKey = "Idempotency-Key";
    private const int MaxIdempotencyKeyLength = 255;

    // If-Match: "<version>" (a strong or weak entity tag holding the stream version), or * for any.
    public static (int? ExpectedVersion, ProblemHttpResult? Problem) ReadIfMatch(HttpRequest request)
    {
        var header = request.Headers.IfMatch.ToString().Trim();
        if (header.Length == 0 || header == "*")
        {
            return (null, null);
        }

        var tag = header.StartsWith("W/", StringComparison.Ordinal) ? header[2..] : header;
        if (tag.Length >= 2 && tag[0] == '"' && tag[^1] == '"'
            && int.TryParse(tag[1..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var version))
        {
            return (version, null);
        }

        return (null, Problems.Create(StatusCodes.Status400BadRequest, "if-match-invalid", "Invalid If-Match",
            "If-Match must be a quoted order version such as \"3\", as sent in the ETag header."));
    }

    public static (string? Key, ProblemHttpResult? Problem) ReadIdempotencyKey(HttpRequest request)
    {
        if (!request.Headers.TryGetValue(IdempotencyKey, out var values))
        {
            return (null, null);
        }

        var key = values.ToString();
        return values.Count == 1 && key.Length is > 0 and <= MaxIdempotencyKeyLength && key.All(c => c is > ' ' and <= '~')
            ? (key, null)
            : (null, Problems.Create(StatusCodes.Status400BadRequest, "idempotency-key-invalid", "Invalid Idempotency-Key",
                $"Idempotency-Key must be 1 to {MaxIdempotencyKeyLength} visible ASCII characters, sent once."));
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
