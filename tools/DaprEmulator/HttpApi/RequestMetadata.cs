
namespace DaprEmulator.HttpApi;

internal static class RequestMetadata
{
    // getMetadataFromRequest: query parameters "metadata.<key>".
    public static Dictionary<string, string> FromQuery(HttpRequest request)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, values) in request.Query)
        {
            if (key.StartsWith("metadata.", StringComparison.Ordinal))
            {
                metadata[key["metadata.".Length..]] = values.ToString();
            }
        }

        return metadata;
    }
}
