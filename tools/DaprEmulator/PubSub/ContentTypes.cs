namespace DaprEmulator.PubSub;

// components-contrib contenttype: exact media type match, parameters after ';' ignored.
public static class ContentTypes
{
    public const string CloudEvent = "application/cloudevents+json";
    public const string Json = "application/json";

    public static bool IsCloudEvent(string? contentType) => Is(contentType, CloudEvent);

    public static bool IsJson(string? contentType) => Is(contentType, Json);

    public static bool IsBinary(string? contentType) => Is(contentType, "application/octet-stream");

    private static bool Is(string? contentType, string expected)
    {
        if (contentType is null)
        {
            return false;
        }

        var lower = contentType.ToLowerInvariant();
        var semicolon = lower.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? lower[..semicolon] : lower) == expected;
    }
}
