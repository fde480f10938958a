using DaprEmulator.Hosting;

namespace DaprEmulator.Run;

// Where `run` keeps what the components and the Scheduler hold: by default the SQLite file
// .dapr-emulator/data/emulator.db next to the run file, so that a restart finds every order,
// event, reminder and read-model document again.
public static class RunStorage
{
    public const string FileName = "emulator.db";

    public static string DefaultDataFolder(RunFile file) =>
        Path.Combine(Path.GetDirectoryName(file.FilePath)!, ".dapr-emulator", "data");

    // dataFolder: --data (null: the default); inMemory: --in-memory; external: --external.
    public static EmulatorStorage Resolve(RunFile file, string? dataFolder, bool inMemory, bool external)
    {
        if (inMemory && (external || dataFolder is not null))
        {
            throw new ArgumentException("--in-memory keeps nothing: it goes with neither --data nor --external");
        }

        var path = Path.Combine(Path.GetFullPath(dataFolder ?? DefaultDataFolder(file)), FileName);
        return inMemory ? new EmulatorStorage.Memory()
            : external ? new EmulatorStorage.External(path)
            : new EmulatorStorage.Sqlite(path);
    }

    public static string Describe(EmulatorStorage storage) => storage switch
    {
        EmulatorStorage.Sqlite file => $"state and actor reminders are kept in {file.Path} (--in-memory: nothing is kept)",
        EmulatorStorage.External { SchedulerFile: var file } =>
            $"state is kept in the PostgreSQL that the components name; actor reminders in {file ?? "memory"}",
        _ => "state and actor reminders are kept in memory: gone when the run stops",
    };
}
