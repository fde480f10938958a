using DaprEmulator.Components;
using DaprEmulator.Run;
using DaprEmulator.Tests.Support;

namespace DaprEmulator.Tests.Run;

public sealed class RunFileParserTests : IDisposable
{
    private readonly ResourcesFolder _root = new();

    public RunFileParserTests()
    {
        Directory.CreateDirectory(Path.Combine(_root.Path, "components"));
        Directory.CreateDirectory(Path.Combine(_root.Path, "src", "Command"));
        Directory.CreateDirectory(Path.Combine(_root.Path, "src", "Query", ".dapr", "resources"));
    }

    [Fact]
    public void Paths_are_resolved_and_common_settings_merged_like_the_dapr_cli()
    {
        _root.Add("dapr.yaml", """
            version: 1
            common:
              resourcesPath: ./components
              env:
                ASPNETCORE_ENVIRONMENT: Development
                SHARED: common
            apps:
              - appID: order-command
                appDirPath: ./src/Command
                appPort: 5001
                daprHTTPPort: 3501
                daprGRPCPort: 50001
                env:
                  SHARED: app
                command: ["dotnet", "run", "--no-launch-profile"]
              - appDirPath: ./src/Query
            """);

        var file = RunFileParser.Parse(Path.Combine(_root.Path, "dapr.yaml"));

        var command = file.Apps[0];
        Assert.Equal(("order-command", Path.Combine(_root.Path, "src", "Command")), (command.AppId, command.AppDirPath));
        Assert.Equal((5001, 3501, 50001), (command.AppPort, command.DaprHttpPort, command.DaprGrpcPort));
        Assert.Equal(["dotnet", "run", "--no-launch-profile"], command.Command);
        Assert.Equal([Path.Combine(_root.Path, "components")], command.ResourcesPaths);
        Assert.Equal("app", command.Env["SHARED"]);
        Assert.Equal("Development", command.Env["ASPNETCORE_ENVIRONMENT"]);

        // No appID: the folder name; a .dapr/resources folder in the app wins over common's.
        var query = file.Apps[1];
        Assert.Equal("Query", query.AppId);
        Assert.Equal([Path.Combine(_root.Path, "src", "Query", ".dapr", "resources")], query.ResourcesPaths);
        Assert.Null(query.AppPort);
    }

    [Fact]
    public void A_folder_means_its_dapr_yaml()
    {
        _root.Add("dapr.yaml", "version: 1\ncommon:\n  resourcesPath: ./components\napps:\n  - appDirPath: ./src/Command\n");

        Assert.Equal(Path.Combine(_root.Path, "dapr.yaml"), RunFileParser.Parse(_root.Path).FilePath);
    }

    [Theory]
    [InlineData("common:\n  resourcesPath: ./components\napps: []\n", "required field 'version'")]
    [InlineData("version: 1\napps:\n  - appID: x\n", "required field 'appDirPath'")]
    [InlineData("version: 1\ncommon:\n  resourcesPath: ./components\napps:\n  - appDirPath: ./missing\n", "file does not exist")]
    [InlineData("version: 1\ncommon:\n  resourcesPath: ./components\napps:\n  - appDirPath: ./src/Command\n    appPorts: 5\n", "'appPorts' not supported")]
    [InlineData("version: 1\ncommon:\n  resourcesPath: ./components\napps:\n  - appDirPath: ./src/Command\n    appProtocol: grpc\n", "appProtocol 'grpc' is not emulated")]
    public void Invalid_run_files_fail_clearly(string yaml, string expected)
    {
        _root.Add("dapr.yaml", yaml);

        var error = Assert.Throws<ResourceLoadException>(() => RunFileParser.Parse(Path.Combine(_root.Path, "dapr.yaml")));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_repository_run_file_parses()
    {
        var repoRoot = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(repoRoot, "dapr.yaml")))
        {
            repoRoot = Path.GetDirectoryName(repoRoot)!;
        }

        var file = RunFileParser.Parse(Path.Combine(repoRoot, "dapr.yaml"));

        Assert.Equal(["order-command", "order-query"], file.Apps.Select(a => a.AppId));
    }

    public void Dispose() => _root.Dispose();
}
