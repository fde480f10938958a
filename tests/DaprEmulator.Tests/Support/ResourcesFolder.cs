namespace DaprEmulator.Tests.Support;

// A temporary resources folder of YAML files, deleted at the end of the test.
public sealed class ResourcesFolder : IDisposable
{
    public ResourcesFolder(params string[] documents)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dapr-emulator-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
        for (var i = 0; i < documents.Length; i++)
        {
            Add($"resource{i}.yaml", documents[i]);
        }
    }

    public string Path { get; }

    public ResourcesFolder Add(string fileName, string yaml)
    {
        File.WriteAllText(System.IO.Path.Combine(Path, fileName), yaml);
        return this;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
