namespace DaprEmulator.Components;

internal static class ComponentParser
{
    public static ComponentDefinition Parse(Dictionary<string, object?> doc, string where)
    {
        YamlTree.RejectUnknownKeys(doc, where, "apiVersion", "kind", "metadata", "spec", "auth", "scopes");
        var meta = YamlTree.Map(doc.GetValueOrDefault("metadata"), $"{where}: metadata");
        var name = YamlTree.Scalar(meta.GetValueOrDefault("name"), $"{where}: metadata.name");
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ResourceLoadException($"{where}: a Component needs metadata.name");
        }

        var at = $"{where}: component '{name}'";
        if (doc.TryGetValue("auth", out var auth) && auth is not null)
        {
            throw new ResourceLoadException($"{at}: auth.secretStore is set, but secret stores are not emulated");
        }

        var spec = YamlTree.Map(doc.GetValueOrDefault("spec"), $"{at}: spec");
        YamlTree.RejectUnknownKeys(spec, $"{at}: spec", "type", "version", "metadata", "initTimeout", "ignoreErrors");
        var type = YamlTree.Scalar(spec.GetValueOrDefault("type"), $"{at}: spec.type");
        if (string.IsNullOrWhiteSpace(type))
        {
            throw new ResourceLoadException($"{at}: spec.type is required");
        }

        return new ComponentDefinition
        {
            Name = name,
            Type = type,
            Version = YamlTree.Scalar(spec.GetValueOrDefault("version"), $"{at}: spec.version") ?? "",
            IgnoreErrors = TruthyValue.IsTruthy(YamlTree.Scalar(spec.GetValueOrDefault("ignoreErrors"), $"{at}: spec.ignoreErrors")),
            Metadata = ParseMetadata(spec.GetValueOrDefault("metadata"), at),
            Scopes = [.. YamlTree.List(doc.GetValueOrDefault("scopes"), $"{at}: scopes").Select(s => YamlTree.Scalar(s, $"{at}: scopes") ?? "")],
            Source = where,
        };
    }

    private static List<KeyValuePair<string, string>> ParseMetadata(object? value, string at)
    {
        var items = new List<KeyValuePair<string, string>>();
        foreach (var entry in YamlTree.List(value, $"{at}: spec.metadata"))
        {
            var item = YamlTree.Map(entry, $"{at}: spec.metadata item");
            YamlTree.RejectUnknownKeys(item, $"{at}: spec.metadata item", "name", "value", "secretKeyRef", "envRef");
            var name = YamlTree.Scalar(item.GetValueOrDefault("name"), $"{at}: spec.metadata name");
            if (string.IsNullOrEmpty(name))
            {
                throw new ResourceLoadException($"{at}: a spec.metadata item without name");
            }

            if (item.ContainsKey("secretKeyRef"))
            {
                throw new ResourceLoadException($"{at}: metadata '{name}' uses secretKeyRef, but secret stores are not emulated");
            }

            string? itemValue;
            if (item.TryGetValue("envRef", out var envRef) && envRef is not null)
            {
                // NameValuePair.EnvRef: daprd reads the variable from its own environment.
                itemValue = Environment.GetEnvironmentVariable(YamlTree.Scalar(envRef, $"{at}: metadata '{name}' envRef") ?? "");
            }
            else
            {
                itemValue = YamlTree.Scalar(item.GetValueOrDefault("value"), $"{at}: metadata '{name}' value");
            }

            items.Add(new(name, itemValue ?? ""));
        }

        return items;
    }
}
