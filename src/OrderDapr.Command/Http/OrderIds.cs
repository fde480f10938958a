namespace OrderDapr.Command.Http;

public static class OrderIds
{
    // Order ids are GUIDs; anything else cannot name an order (and never reaches a state key).
    public static bool TryNormalize(string raw, out string orderId)
    {
        var ok = Guid.TryParseExact(raw, "D", out var guid);
        orderId = ok ? guid.ToString() : "";
        return ok;
    }
}
