using System.Security.Cryptography;

namespace DaprEmulator.PubSub;

// The W3C trace context daprd puts into envelopes: a child span of the caller's `traceparent`
// header, or a new trace when the caller sent none.
public static class TraceContext
{
    public static string ChildOf(string? traceParent)
    {
        var parts = traceParent?.Split('-');
        var spanId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        return parts is [_, { Length: 32 } traceId, { Length: 16 }, { Length: 2 } flags]
            ? $"00-{traceId}-{spanId}-{flags}"
            : $"00-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))}-{spanId}-01";
    }
}
