using System.Globalization;

namespace DaprEmulator.State;

// How state.postgresql reads an ETag a caller sends, before any query: v2 parses a UUID and calls
// a malformed one a mismatch; v1 parses the xmin as a uint32 and calls a malformed one invalid.
internal static class PostgreSqlETags
{
    public static Guid ParseV2(string etag) =>
        Guid.TryParse(etag, out var uuid)
            ? uuid
            : throw new StateETagException(ETagErrorKind.Mismatch, etag.Length is 36 or 32 or 38 ? "invalid UUID format" : $"invalid UUID length: {etag.Length}");

    public static uint ParseV1(string etag) =>
        uint.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out var xmin)
            ? xmin
            : throw new StateETagException(ETagErrorKind.Invalid, $"strconv.ParseUint: parsing \"{etag}\": {(etag.All(char.IsAsciiDigit) && etag.Length > 0 ? "value out of range" : "invalid syntax")}");

    public static void RequireKey(string key, string operation)
    {
        if (key.Length == 0)
        {
            throw new StateStoreException($"missing key in {operation} operation");
        }
    }
}
