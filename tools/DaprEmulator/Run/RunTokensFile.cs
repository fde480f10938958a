using System.Text.Json;

namespace DaprEmulator.Run;

// .dapr-emulator/run-tokens.json next to the run file: {"<appId>": {"daprApiToken": "...",
// "appApiToken": "..."}}, readable by its owner only, for a benchmark or an operator to call the
// sidecars and apps of the run; deleted when the run ends.
public sealed class RunTokensFile : IDisposable
{
    private RunTokensFile(string path) => Path = path;

    public string Path { get; }

    public static string PathFor(RunFile file) =>
        System.IO.Path.Combine(System.IO.Path.GetDirectoryName(file.FilePath)!, ".dapr-emulator", "run-tokens.json");

    public static RunTokensFile Write(RunFile file, IReadOnlyDictionary<string, AppTokens> tokens)
    {
        var path = PathFor(file);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);

        // A file left by a run that was killed keeps its mode: start from a new one, created 0600.
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach (var (appId, appTokens) in tokens)
            {
                writer.WriteStartObject(appId);
                writer.WriteString("daprApiToken", appTokens.DaprApiToken);
                writer.WriteString("appApiToken", appTokens.AppApiToken);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return new RunTokensFile(path);
    }

    public void Dispose()
    {
        File.Delete(Path);
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        if (Directory.Exists(folder) && !Directory.EnumerateFileSystemEntries(folder).Any())
        {
            Directory.Delete(folder);
        }
    }
}
