using System.Globalization;
using DaprEmulator.Components;

namespace DaprEmulator.Run;

// Parses a Multi-App Run template (dapr.yaml) the way the dapr CLI does (dapr/cli
// pkg/runfileconfig): `version` is required; `appDirPath` is required and relative to the file, as are
// the common paths; an app's other paths are relative to its appDirPath; env and shared settings of
// `common` apply to every app unless the app sets them; resources: the app's resourcesPaths, else
// {appDirPath}/.dapr/resources, else common's; appID defaults to the folder name of appDirPath.
// Settings the emulator cannot honour fail; settings without effect here are reported as warnings.
public static class RunFileParser
{
    private static readonly string[] Shared =
    [
        "resourcesPath", "resourcesPaths", "env", "configFilePath", "appProtocol", "apiListenAddresses", "enableProfiling", "logLevel",
        "appMaxConcurrency", "placementHostAddress", "appSSL", "maxBodySize", "readBufferSize", "enableAppHealthCheck",
        "appHealthCheckPath", "appHealthProbeInterval", "appHealthProbeTimeout", "appHealthThreshold", "enableApiLogging",
        "runtimePath", "daprdLogDestination", "appLogDestination", "schedulerHostAddress",
    ];

    private static readonly string[] AppOnly =
    [
        "appID", "appDirPath", "appPort", "daprHTTPPort", "daprGRPCPort", "command", "appChannelAddress", "profilePort", "metricsPort",
        "unixDomainSocket", "daprInternalGRPCPort", "containerImage", "containerImagePullPolicy", "createService",
    ];

    // Accepted but without effect in the emulator.
    private static readonly string[] Ignored =
    [
        "apiListenAddresses", "enableProfiling", "logLevel", "appMaxConcurrency", "placementHostAddress", "maxBodySize", "readBufferSize",
        "enableAppHealthCheck", "appHealthCheckPath", "appHealthProbeInterval", "appHealthProbeTimeout", "appHealthThreshold",
        "enableApiLogging", "runtimePath", "daprdLogDestination", "appLogDestination", "schedulerHostAddress", "profilePort",
        "metricsPort", "daprInternalGRPCPort", "appChannelAddress",
    ];

    public static RunFile Parse(string path)
    {
        var file = Path.GetFullPath(path);
        if (Directory.Exists(file))
        {
            // `dapr run -f .` reads dapr.yaml in that folder.
            file = Path.Combine(file, "dapr.yaml");
        }

        if (!File.Exists(file))
        {
            throw new ResourceLoadException($"run file '{file}' does not exist");
        }

        var baseDir = Path.GetDirectoryName(file)!;
        var documents = YamlTree.LoadDocuments(File.ReadAllText(file), file);
        var root = YamlTree.Map(documents.FirstOrDefault(), file);
        YamlTree.RejectUnknownKeys(root, file, "version", "common", "apps", "name");
        var warnings = new List<string>();

        var versionText = YamlTree.Scalar(root.GetValueOrDefault("version"), "version");
        if (!int.TryParse(versionText, NumberStyles.None, CultureInfo.InvariantCulture, out var version) || version == 0)
        {
            throw new ResourceLoadException("required field 'version' not found in the provided run template file");
        }

        var common = YamlTree.Map(root.GetValueOrDefault("common"), "common");
        YamlTree.RejectUnknownKeys(common, $"{file}: common", Shared);
        CheckSupported(common, "common", warnings);
        var commonResources = ResourcesPaths(common, baseDir, "common");
        var commonEnv = Env(common, "common");

        var apps = new List<RunApp>();
        foreach (var item in YamlTree.List(root.GetValueOrDefault("apps"), "apps"))
        {
            var app = YamlTree.Map(item, "apps item");
            var where = $"{file}: app '{YamlTree.Scalar(app.GetValueOrDefault("appID"), "appID") ?? YamlTree.Scalar(app.GetValueOrDefault("appDirPath"), "appDirPath")}'";
            YamlTree.RejectUnknownKeys(app, where, [.. Shared, .. AppOnly]);
            CheckSupported(app, where, warnings);

            var dir = YamlTree.Scalar(app.GetValueOrDefault("appDirPath"), "appDirPath");
            if (string.IsNullOrWhiteSpace(dir))
            {
                throw new ResourceLoadException($"{where}: required field 'appDirPath' not found");
            }

            var appDir = Resolve(baseDir, dir, $"{where}: appDirPath");
            var resources = ResourcesPaths(app, appDir, where);
            if (resources.Count == 0)
            {
                var local = Path.Combine(appDir, ".dapr", "resources");
                resources = Directory.Exists(local) ? [local] : commonResources;
            }

            if (resources.Count == 0)
            {
                throw new ResourceLoadException($"{where}: no resources path (set resourcesPaths in the app or in common)");
            }

            var env = new Dictionary<string, string>(Env(app, where), StringComparer.Ordinal);
            foreach (var (k, v) in commonEnv)
            {
                env.TryAdd(k, v);
            }

            apps.Add(new RunApp
            {
                AppId = YamlTree.Scalar(app.GetValueOrDefault("appID"), "appID") is { Length: > 0 } id ? id : Path.GetFileName(appDir.TrimEnd(Path.DirectorySeparatorChar)),
                AppDirPath = appDir,
                AppPort = Port(app, "appPort", where),
                DaprHttpPort = Port(app, "daprHTTPPort", where),
                DaprGrpcPort = Port(app, "daprGRPCPort", where),
                Command = [.. YamlTree.List(app.GetValueOrDefault("command"), $"{where}: command").Select(c => YamlTree.Scalar(c, "command") ?? "")],
                Env = env,
                ResourcesPaths = resources,
            });
        }

        var duplicate = apps.GroupBy(a => a.AppId, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ResourceLoadException($"{file}: appID '{duplicate.Key}' is used by more than one app");
        }

        return new RunFile(file, version, apps, warnings);
    }

    private static void CheckSupported(Dictionary<string, object?> map, string where, List<string> warnings)
    {
        foreach (var key in map.Keys)
        {
            var value = map[key];
            switch (key)
            {
                case "configFilePath" when value is not null:
                    throw new ResourceLoadException($"{where}: configFilePath is set, but Dapr Configuration resources are not emulated");
                case "appProtocol" when YamlTree.Scalar(value, key) is { } protocol && protocol != "http":
                    throw new ResourceLoadException($"{where}: appProtocol '{protocol}' is not emulated (only http)");
                case "appSSL" when TruthyValue.IsTruthy(YamlTree.Scalar(value, key)):
                    throw new ResourceLoadException($"{where}: appSSL is not emulated");
                case "unixDomainSocket" or "containerImage" or "containerImagePullPolicy" or "createService" when value is not null:
                    throw new ResourceLoadException($"{where}: {key} is not emulated");
                default:
                    if (Ignored.Contains(key))
                    {
                        warnings.Add($"{where}: {key} has no effect in the emulator and is ignored");
                    }

                    break;
            }
        }
    }

    private static List<string> ResourcesPaths(Dictionary<string, object?> map, string baseDir, string where)
    {
        var paths = YamlTree.List(map.GetValueOrDefault("resourcesPaths"), $"{where}: resourcesPaths")
            .Select(p => Resolve(baseDir, YamlTree.Scalar(p, "resourcesPaths") ?? "", $"{where}: resourcesPaths")).ToList();
        if (YamlTree.Scalar(map.GetValueOrDefault("resourcesPath"), "resourcesPath") is { Length: > 0 } single)
        {
            paths.Add(Resolve(baseDir, single, $"{where}: resourcesPath"));
        }

        return paths;
    }

    private static Dictionary<string, string> Env(Dictionary<string, object?> map, string where) =>
        YamlTree.Map(map.GetValueOrDefault("env"), $"{where}: env")
            .ToDictionary(e => e.Key, e => YamlTree.Scalar(e.Value, $"{where}: env {e.Key}") ?? "", StringComparer.Ordinal);

    private static int? Port(Dictionary<string, object?> map, string key, string where)
    {
        var text = YamlTree.Scalar(map.GetValueOrDefault(key), key);
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var port) && port is >= -1 and <= 65535
            ? port > 0 ? port : null
            : throw new ResourceLoadException($"{where}: {key} '{text}' is not a port number");
    }

    // utils.GetAbsPath + ValidateFilePath: "~" is the home folder; the path must exist.
    private static string Resolve(string baseDir, string path, string what)
    {
        if (path.StartsWith('~'))
        {
            path = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + path[1..];
        }

        var full = Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(baseDir, path));
        return File.Exists(full) || Directory.Exists(full)
            ? full
            : throw new ResourceLoadException($"{what}: error validating the path {full}: file does not exist");
    }
}
