using DaprEmulator.Hosting;
namespace OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

// ORDERDAPR_RUNTIME picks the runtime: `emulator` (the default: in this process, nothing to
// install) or `daprd` (real daprd, placement and scheduler with PostgreSQL and Redis, in Docker
// through Testcontainers).
public static class DaprRuntimes
{
    public const string Variable = "ORDERDAPR_RUNTIME";
    public const string Emulator = "emulator";
    public const string Daprd = "daprd";

    public static string Selected => Parse(Environment.GetEnvironmentVariable(Variable));

    public static string Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or Emulator => Emulator,
        Daprd => Daprd,
        _ => throw new InvalidOperationException($"{Variable}={value}: expected `{Emulator}` (the default) or `{Daprd}`."),
    };

    public static IDaprRuntime Create(string name, EmulatorStorage emulatorStorage) => name switch
    {
        Daprd => new DaprdRuntime(),
        _ => new EmulatorRuntime(emulatorStorage),
    };
}
