using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

// The repository's components/ as a test system needs them: the apps' own component files, with
// test-only app ids added to the scopes of the components they use, and the state stores and
// brokers pointed at the servers the runtime started. Everything else is kept as written.
public sealed record ComponentRewrite(IReadOnlyDictionary<string, IReadOnlyList<string>> ExtraScopes, BackingServices Servers)
{
    private static readonly YamlScalarNode KindKey = new("kind");
    private static readonly YamlScalarNode SpecKey = new("spec");
    private static readonly YamlScalarNode TypeKey = new("type");
    private static readonly YamlScalarNode MetadataKey = new("metadata");
    private static readonly YamlScalarNode NameKey = new("name");
    private static readonly YamlScalarNode ValueKey = new("value");
    private static readonly YamlScalarNode ScopesKey = new("scopes");

    // Copies every YAML file of `source` into a new folder under the temporary folder, rewritten.
    public string WriteFolder(string source)
    {
        var target = Path.Combine(Path.GetTempPath(), "orderdapr-e2e-resources-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source).Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal)))
        {
            File.WriteAllText(Path.Combine(target, Path.GetFileName(file)), Apply(File.ReadAllText(file)));
        }

        return target;
    }

    public string Apply(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        foreach (var document in stream.Documents)
        {
            if (document.RootNode is YamlMappingNode root && Scalar(root, KindKey) == "Component")
            {
                Rewrite(root);
            }
        }

        using var writer = new StringWriter();
        stream.Save(writer, assignAnchors: false);

        // YamlDotNet ends every document with "..."; daprd splits files on "---" only.
        return string.Join('\n', writer.ToString().Split('\n').Where(line => line != "..."));
    }

    // The settings of a PostgreSQL key/value connection string (the form components/ uses) that
    // the target gives, in front; every other setting kept as written.
    public static string PointConnectionString(string connectionString, PostgreSqlTarget target)
    {
        var given = new List<(string Key, string? Value)>
        {
            ("host", target.Server.Host),
            ("port", target.Server.Port.ToString(CultureInfo.InvariantCulture)),
            ("user", target.User),
            ("password", target.Password),
            ("database", target.Database),
        }.Where(s => s.Value is not null).ToList();
        var kept = connectionString.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(pair => !given.Any(s => s.Key == KeyOf(pair)));
        return string.Join(' ', given.Select(s => $"{s.Key}={s.Value}").Concat(kept));
    }

    // libpq's alias dbname is database.
    private static string KeyOf(string pair) => pair.Split('=')[0] is var key && key == "dbname" ? "database" : key;

    private void Rewrite(YamlMappingNode component)
    {
        var name = component.Children.TryGetValue(MetadataKey, out var m) && m is YamlMappingNode meta ? Scalar(meta, NameKey) : null;
        if (name is not null && ExtraScopes.TryGetValue(name, out var appIds)
            && component.Children.TryGetValue(ScopesKey, out var s) && s is YamlSequenceNode scopes)
        {
            // No scopes means every app may use the component already.
            foreach (var appId in appIds.Where(id => !scopes.Children.OfType<YamlScalarNode>().Any(n => n.Value == id)))
            {
                scopes.Add(new YamlScalarNode(appId));
            }
        }

        if (!component.Children.TryGetValue(SpecKey, out var sp) || sp is not YamlMappingNode spec
            || !spec.Children.TryGetValue(MetadataKey, out var md) || md is not YamlSequenceNode metadata)
        {
            return;
        }

        var type = Scalar(spec, TypeKey) ?? "";
        foreach (var item in metadata.Children.OfType<YamlMappingNode>())
        {
            var field = Scalar(item, NameKey);
            var value = Scalar(item, ValueKey);
            if (type == "state.postgresql" && field == "connectionString" && value is not null && Servers.PostgreSql is { } postgres)
            {
                item.Children[ValueKey] = new YamlScalarNode(PointConnectionString(value, postgres));
            }
            else if (type is "pubsub.redis" or "state.redis" && field == "redisHost" && Servers.Redis is { } redis)
            {
                item.Children[ValueKey] = new YamlScalarNode(redis.Server.ToString());
            }
        }

        if (type is "pubsub.redis" or "state.redis" && Servers.Redis is { Database: { } database })
        {
            SetMetadata(metadata, "redisDB", database.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void SetMetadata(YamlSequenceNode metadata, string field, string value)
    {
        var item = metadata.Children.OfType<YamlMappingNode>().FirstOrDefault(i => Scalar(i, NameKey) == field);
        if (item is null)
        {
            metadata.Add(new YamlMappingNode { { NameKey, new YamlScalarNode(field) }, { ValueKey, new YamlScalarNode(value) } });
        }
        else
        {
            item.Children[ValueKey] = new YamlScalarNode(value);
        }
    }

    private static string? Scalar(YamlMappingNode node, YamlScalarNode key) =>
        node.Children.TryGetValue(key, out var value) && value is YamlScalarNode scalar ? scalar.Value : null;
}
