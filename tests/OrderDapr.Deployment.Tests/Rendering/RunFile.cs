using OrderDapr.Testing;
using YamlDotNet.RepresentationModel;

namespace OrderDapr.Deployment.Tests.Rendering;

// The apps of dapr.yaml (Multi-App Run), which local runs and the emulator use.
public static class RunFile
{
    public static IReadOnlyDictionary<string, int> AppPorts()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Repository.Root, "dapr.yaml"))));
        var apps = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["apps"];
        return apps.Cast<YamlMappingNode>().ToDictionary(
            app => ((YamlScalarNode)app["appID"]).Value!,
            app => int.Parse(((YamlScalarNode)app["appPort"]).Value!, System.Globalization.CultureInfo.InvariantCulture));
    }
}
