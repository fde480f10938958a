using YamlDotNet.RepresentationModel;

namespace DaprEmulator.Components;

// Reads YAML into plain maps, lists and strings so that each resource parser can check every
// key it is given and reject the ones it does not emulate.
internal static class YamlTree
{
    public static IReadOnlyList<object?> LoadDocuments(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new ResourceLoadException($"{source}: invalid YAML: {e.Message}", e);
        }

        return [.. stream.Documents.Select(d => Convert(d.RootNode))];
    }

    public static object? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => map.Children.ToDictionary(
            c => ((YamlScalarNode)c.Key).Value ?? "",
            c => Convert(c.Value),
            StringComparer.Ordinal),
        YamlSequenceNode seq => seq.Children.Select(Convert).ToList(),
        YamlScalarNode scalar when IsNull(scalar) => null,
        YamlScalarNode scalar => scalar.Value,
        _ => null,
    };

    private static bool IsNull(YamlScalarNode scalar) =>
        scalar.Style == YamlDotNet.Core.ScalarStyle.Plain && scalar.Value is null or "" or "~" or "null" or "Null" or "NULL";

    public static Dictionary<string, object?> Map(object? value, string what) => value switch
    {
        Dictionary<string, object?> map => map,
        null => new Dictionary<string, object?>(StringComparer.Ordinal),
        _ => throw new ResourceLoadException($"{what} must be a mapping"),
    };

    public static List<object?> List(object? value, string what) => value switch
    {
        List<object?> list => list,
        null => [],
        _ => throw new ResourceLoadException($"{what} must be a sequence"),
    };

    public static string? Scalar(object? value, string what) => value switch
    {
        null => null,
        string s => s,
        _ => throw new ResourceLoadException($"{what} must be a scalar value"),
    };

    public static void RejectUnknownKeys(Dictionary<string, object?> map, string what, params string[] known)
    {
        var unknown = map.Keys.Where(k => !known.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw new ResourceLoadException(
                $"{what}: field(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))} not supported by the emulator (known: {string.Join(", ", known)})");
        }
    }
}
