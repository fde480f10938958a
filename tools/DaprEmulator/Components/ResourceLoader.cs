using DaprEmulator.Resiliency;

namespace DaprEmulator.Components;

// Loads the resources paths like daprd's disk loader (pkg/internal/loader/disk): every *.yaml/*.yml
// file of each folder (not recursive), several documents per file. daprd silently skips documents of
// other kinds; the emulator instead fails loudly on kinds it does not emulate (Subscription,
// Configuration, HTTPEndpoint, ...) so that a resource is never silently without effect.
public static class ResourceLoader
{
    private const string ApiVersion = "dapr.io/v1alpha1";

    public static ResourceSet Load(IEnumerable<string> resourcesPaths)
    {
        var components = new List<ComponentDefinition>();
        var resiliencies = new List<ResiliencyDefinition>();
        foreach (var path in resourcesPaths)
        {
            foreach (var file in FilesOf(path))
            {
                var documents = YamlTree.LoadDocuments(File.ReadAllText(file), file);
                for (var i = 0; i < documents.Count; i++)
                {
                    if (documents[i] is null)
                    {
                        continue;
                    }

                    var where = documents.Count > 1 ? $"{file} (document {i + 1})" : file;
                    var doc = YamlTree.Map(documents[i], where);
                    var kind = YamlTree.Scalar(doc.GetValueOrDefault("kind"), $"{where}: kind");
                    switch (kind)
                    {
                        case "Component":
                            CheckApiVersion(doc, where);
                            components.Add(ComponentParser.Parse(doc, where));
                            break;
                        case "Resiliency":
                            CheckApiVersion(doc, where);
                            resiliencies.Add(ResiliencyParser.Parse(doc, where));
                            break;
                        case null or "":
                            throw new ResourceLoadException($"{where}: a resource without 'kind'");
                        default:
                            throw new ResourceLoadException(
                                $"{where}: resources of kind '{kind}' are not supported by the emulator (it loads kind Component and Resiliency only)");
                    }
                }
            }
        }

        var duplicate = components.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ResourceLoadException(
                $"component name '{duplicate.Key}' is defined more than once: {string.Join(", ", duplicate.Select(c => c.Source))}");
        }

        return new ResourceSet(components, resiliencies);
    }

    private static IEnumerable<string> FilesOf(string path)
    {
        if (File.Exists(path))
        {
            return [path];
        }

        if (!Directory.Exists(path))
        {
            throw new ResourceLoadException($"resources path '{path}' does not exist");
        }

        return Directory.EnumerateFiles(path)
            .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
    }

    private static void CheckApiVersion(Dictionary<string, object?> doc, string where)
    {
        var apiVersion = YamlTree.Scalar(doc.GetValueOrDefault("apiVersion"), $"{where}: apiVersion");
        if (apiVersion != ApiVersion)
        {
            // daprd only loads manifests whose apiVersion is dapr.io/v1alpha1; anything else would be ignored.
            throw new ResourceLoadException($"{where}: apiVersion '{apiVersion}' is not '{ApiVersion}': daprd would not load this resource");
        }
    }
}
