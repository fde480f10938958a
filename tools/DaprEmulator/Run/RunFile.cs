namespace DaprEmulator.Run;

// One app of a Multi-App Run file, with paths resolved and common settings merged.
public sealed record RunApp
{
    public required string AppId { get; init; }

    public required string AppDirPath { get; init; }

    public int? AppPort { get; init; }

    public int? DaprHttpPort { get; init; }

    public int? DaprGrpcPort { get; init; }

    public IReadOnlyList<string> Command { get; init; } = [];

    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<string> ResourcesPaths { get; init; } = [];
}

public sealed record RunFile(string FilePath, int Version, IReadOnlyList<RunApp> Apps, IReadOnlyList<string> Warnings);
