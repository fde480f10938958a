using DaprEmulator.Hosting;
namespace OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

// What a test run selects through the environment:
// ORDERDAPR_RUNTIME — `emulator` (the default: in this process, nothing to install) or `daprd`
// (real daprd, placement and scheduler with PostgreSQL and Redis, in Docker through Testcontainers);
// ORDERDAPR_EMULATOR_STORAGE — where the emulator keeps state and streams: `memory` (the default)
// or `servers` (this machine's PostgreSQL and Redis, MachineServers), as `run --external` does.
public static class DaprRuntimes
{
    public const string Variable = "ORDERDAPR_RUNTIME";
    public const string Emulator = "emulator";
    public const string Daprd = "daprd";

    public const string StorageVariable = "ORDERDAPR_EMULATOR_STORAGE";
    public const string Memory = "memory";
    public const string Servers = "servers";

    public static string Selected => Parse(Environment.GetEnvironmentVariable(Variable));

    public static string SelectedStorage => ParseStorage(Environment.GetEnvironmentVariable(StorageVariable));

    public static string Parse(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or Emulator => Emulator,
        Daprd => Daprd,
        _ => throw new InvalidOperationException($"{Variable}={value}: expected `{Emulator}` (the default) or `{Daprd}`."),
    };

    public static string ParseStorage(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        null or "" or Memory => Memory,
        Servers => Servers,
        _ => throw new InvalidOperationException($"{StorageVariable}={value}: expected `{Memory}` (the default) or `{Servers}`."),
    };

    public static IDaprRuntime Create() => Selected switch
    {
        Daprd => new DaprdRuntime(),
        _ when SelectedStorage == Servers => EmulatorRuntime.OnMachineServers(),
        _ => EmulatorRuntime.With(new EmulatorStorage.Memory()),
    };
}
