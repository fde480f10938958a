using OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;
using OrderDapr.Testing;
using YamlDotNet.RepresentationModel;

namespace OrderDapr.EndToEnd.Tests.Runtimes;

// The repository's components/ rewritten for a test system (no system started).
public sealed class ComponentRewriteTests
{
    private static readonly BackingServices Containers = new(
        new PostgreSqlTarget(new ServerAddress("127.0.0.1", 55432)), new RedisTarget(new ServerAddress("127.0.0.1", 56379)));

    // This machine's servers (MachineServers): a database of the system's own on each.
    private static readonly BackingServices OwnDatabases = new(
        new PostgreSqlTarget(new ServerAddress("localhost", 5432), "orderdapr_e2e_1", "ci", "secret"), new RedisTarget(new ServerAddress("localhost", 6379), 3));

    private static readonly Dictionary<string, IReadOnlyList<string>> ProbeScope = new() { ["orderpubsub"] = ["e2e-probe"] };

    [Fact]
    public void The_probe_is_added_to_the_scopes_of_the_broker_only()
    {
        var components = Rewritten(new ComponentRewrite(ProbeScope, Containers));

        Assert.Equal(["order-command", "order-query", "e2e-probe"], Scopes(components["orderpubsub"]));
        Assert.Equal(["order-command"], Scopes(components["eventstore"]));
        Assert.Equal(["order-query"], Scopes(components["orderchanges"]));
    }

    [Fact]
    public void Stores_and_brokers_point_at_the_started_servers_and_keep_every_other_setting()
    {
        var components = Rewritten(new ComponentRewrite(ProbeScope, Containers));

        foreach (var store in new[] { "eventstore", "actorstore", "readmodel" })
        {
            Assert.Equal("host=127.0.0.1 port=55432 user=postgres password=postgres database=orderdapr", Metadata(components[store])["connectionString"]);
        }

        Assert.Equal("127.0.0.1:56379", Metadata(components["orderpubsub"])["redisHost"]);
        Assert.Equal("127.0.0.1:56379", Metadata(components["orderchanges"])["redisHost"]);
        var eventstore = Metadata(components["eventstore"]);
        Assert.Equal(("eventstore_", "orderpubsub", "orders"), (eventstore["tablePrefix"], eventstore["outboxPublishPubsub"], eventstore["outboxPublishTopic"]));
        Assert.Equal(("3000", "100000", "60s"), (Metadata(components["orderpubsub"])["concurrency"], Metadata(components["orderpubsub"])["maxLenApprox"], Metadata(components["orderpubsub"])["processingTimeout"]));
    }

    [Fact]
    public void On_databases_of_their_own_stores_get_the_database_and_login_and_brokers_the_redisDB()
    {
        var components = Rewritten(new ComponentRewrite(ProbeScope, OwnDatabases));

        foreach (var store in new[] { "eventstore", "actorstore", "readmodel" })
        {
            Assert.Equal("host=localhost port=5432 user=ci password=secret database=orderdapr_e2e_1", Metadata(components[store])["connectionString"]);
            Assert.DoesNotContain("redisDB", Metadata(components[store]).Keys);
        }

        foreach (var broker in new[] { "orderpubsub", "orderchanges" })
        {
            Assert.Equal(("localhost:6379", "3"), (Metadata(components[broker])["redisHost"], Metadata(components[broker])["redisDB"]));
        }

        Assert.Equal("{uuid}", Metadata(components["orderchanges"])["consumerID"]);
    }

    [Fact]
    public void A_redisDB_written_in_the_component_is_replaced_not_repeated()
    {
        const string Yaml = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: orderpubsub
            spec:
              type: pubsub.redis
              metadata:
              - name: redisHost
                value: localhost:6379
              - name: redisDB
                value: "0"
            """;

        var rewritten = new ComponentRewrite(ProbeScope, OwnDatabases).Apply(Yaml);

        var metadata = ((YamlSequenceNode)((YamlMappingNode)Load(rewritten).Children[new YamlScalarNode("spec")]).Children[new YamlScalarNode("metadata")]).Children.Cast<YamlMappingNode>();
        Assert.Equal(["redisHost", "redisDB"], metadata.Select(m => ((YamlScalarNode)m.Children[new YamlScalarNode("name")]).Value));
        Assert.Equal("3", Metadata(Load(rewritten))["redisDB"]);
    }

    [Fact]
    public void For_the_emulator_the_addresses_stay_as_written()
    {
        var components = Rewritten(new ComponentRewrite(ProbeScope, BackingServices.AsNamed));

        Assert.Equal("host=localhost user=postgres password=postgres port=5432 database=orderdapr", Metadata(components["eventstore"])["connectionString"]);
        Assert.Equal("localhost:6379", Metadata(components["orderpubsub"])["redisHost"]);
    }

    [Fact]
    public void Every_file_is_copied_and_other_resources_are_kept()
    {
        var source = Path.Combine(Repository.Root, "components");
        var folder = new ComponentRewrite(ProbeScope, Containers).WriteFolder(source);
        try
        {
            Assert.Equal(Directory.GetFiles(source).Select(Path.GetFileName).Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
            var resiliency = Load(File.ReadAllText(Path.Combine(folder, "resiliency.yaml")));
            Assert.Equal("Resiliency", ((YamlScalarNode)resiliency.Children[new YamlScalarNode("kind")]).Value);
            Assert.Contains("maxRetries: 8", File.ReadAllText(Path.Combine(folder, "resiliency.yaml")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_file_of_several_resources_keeps_them_apart_as_daprd_splits_them()
    {
        const string Yaml = """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: orderpubsub
            spec:
              type: pubsub.redis
              metadata:
              - name: redisHost
                value: localhost:6379
            scopes:
            - order-query
            ---
            apiVersion: dapr.io/v1alpha1
            kind: Resiliency
            metadata:
              name: r
            """;

        var rewritten = new ComponentRewrite(ProbeScope, Containers).Apply(Yaml);

        // daprd reads a file as documents separated by "\n---" (pkg/internal/loader/disk).
        var documents = rewritten.Split("\n---", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, documents.Length);
        Assert.DoesNotContain("\n...", "\n" + rewritten, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:56379", documents[0], StringComparison.Ordinal);
        Assert.Contains("e2e-probe", documents[0], StringComparison.Ordinal);
        Assert.Contains("kind: Resiliency", documents[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("host=localhost port=5432 user=u", "host=db port=7 user=u")]
    [InlineData("user=u password=p", "host=db port=7 user=u password=p")]
    [InlineData("user=u  host=a   port=1 database=d", "host=db port=7 user=u database=d")]
    public void A_connection_string_gets_the_servers_host_and_port_and_keeps_the_rest(string original, string expected) =>
        Assert.Equal(expected, ComponentRewrite.PointConnectionString(original, new PostgreSqlTarget(new ServerAddress("db", 7))));

    [Theory]
    [InlineData("host=a user=u password=p database=d sslmode=disable", "host=db port=7 database=own user=u password=p sslmode=disable")]
    [InlineData("host=a dbname=d user=u", "host=db port=7 database=own user=u")]
    public void A_connection_string_gets_the_database_given_under_either_name(string original, string expected) =>
        Assert.Equal(expected, ComponentRewrite.PointConnectionString(original, new PostgreSqlTarget(new ServerAddress("db", 7), "own")));

    private static Dictionary<string, YamlMappingNode> Rewritten(ComponentRewrite rewrite)
    {
        var folder = rewrite.WriteFolder(Path.Combine(Repository.Root, "components"));
        try
        {
            return Directory.GetFiles(folder)
                .Select(f => Load(File.ReadAllText(f)))
                .Where(root => ((YamlScalarNode)root.Children[new YamlScalarNode("kind")]).Value == "Component")
                .ToDictionary(root => ((YamlScalarNode)((YamlMappingNode)root.Children[new YamlScalarNode("metadata")]).Children[new YamlScalarNode("name")]).Value!);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static YamlMappingNode Load(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static List<string> Scopes(YamlMappingNode component) =>
        [.. ((YamlSequenceNode)component.Children[new YamlScalarNode("scopes")]).Children.Select(n => ((YamlScalarNode)n).Value!)];

    private static Dictionary<string, string> Metadata(YamlMappingNode component) =>
        ((YamlSequenceNode)((YamlMappingNode)component.Children[new YamlScalarNode("spec")]).Children[new YamlScalarNode("metadata")]).Children
            .Cast<YamlMappingNode>()
            .ToDictionary(m => ((YamlScalarNode)m.Children[new YamlScalarNode("name")]).Value!, m => ((YamlScalarNode)m.Children[new YamlScalarNode("value")]).Value!);
}
