using System.Globalization;

namespace DaprEmulator.State;

// components-contrib state.CheckRequestOptions and state/utils.ParseTTL.
internal static class StateOptionChecks
{
    public static void CheckOptions(StateOperation op)
    {
        if (op.Consistency is not ("" or "eventual" or "strong"))
        {
            throw new StateStoreException($"unrecognized consistency model '{op.Consistency}'");
        }

        if (op.Concurrency is not ("" or "first-write" or "last-write"))
        {
            throw new StateStoreException($"unrecognized concurrency model '{op.Concurrency}'");
        }
    }

    // PostgreSQL: -1 (or 0) means no expiry, anything below -1 or not an integer is an error.
    public static int? ParseTtl(IReadOnlyDictionary<string, string> metadata)
    {
        if (!metadata.TryGetValue("ttlInSeconds", out var text) || text.Length == 0)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new StateStoreException($"error parsing TTL: incorrect value for metadata 'ttlInSeconds': strconv.ParseInt: parsing \"{text}\": invalid syntax");
        }

        if (value < -1 || value > int.MaxValue)
        {
            throw new StateStoreException("error parsing TTL: incorrect value for metadata 'ttlInSeconds': must be -1 or greater");
        }

        return (int)value;
    }
}
