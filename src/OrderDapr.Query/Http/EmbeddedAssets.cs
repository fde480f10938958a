using System.Collections.Frozen;
using System.Security.Cryptography;

namespace OrderDapr.Query.Http;

// Files embedded in the assembly under a folder (wwwroot/{folder}, see the csproj), served with an
// ETag: a page and everything it loads come from this service, so it works without the internet.
public sealed class EmbeddedAssets
{
    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".txt"] = "text/plain; charset=utf-8",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenDictionary<string, Asset> assets;

    private EmbeddedAssets(FrozenDictionary<string, Asset> assets) => this.assets = assets;

    private sealed record Asset(byte[] Content, string ContentType, string ETag);

    public static EmbeddedAssets Load(string folder)
    {
        var assembly = typeof(EmbeddedAssets).Assembly;
        var prefix = folder + "/";
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            assets[name[prefix.Length..]] = Create(buffer.ToArray(), ContentTypes[Path.GetExtension(name)]);
        }

        return new EmbeddedAssets(assets.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public bool Contains(string file) => assets.ContainsKey(file);

    public Task WriteAsync(HttpContext context, string file) =>
        assets.TryGetValue(file, out var asset) ? WriteAsync(context, asset) : Results.NotFound().ExecuteAsync(context);

    // Content made at run time (a page's configuration), served like a file.
    public static Task WriteAsync(HttpContext context, byte[] content, string contentType) => WriteAsync(context, Create(content, contentType));

    private static Asset Create(byte[] content, string contentType) =>
        new(content, contentType, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");

    private static async Task WriteAsync(HttpContext context, Asset asset)
    {
        var response = context.Response;
        response.Headers.ETag = asset.ETag;

        // Revalidated on each load (a new build may ship new files under the same names), answered 304 when unchanged.
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        if (context.Request.GetTypedHeaders().IfNoneMatch.Any(e => e.Tag.Equals(asset.ETag, StringComparison.Ordinal)))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Content.Length;
        await response.Body.WriteAsync(asset.Content, context.RequestAborted);
    }
}
