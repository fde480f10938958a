namespace OrderDapr.Testing;

// The repository the binaries were built in: the folder of OrderDapr.sln above them. Compiled into
// each project that needs it (tests/Shared).
public static class Repository
{
    public static string Root { get; } = FindRoot();

    public static string Components => Path.Combine(Root, "components");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrderDapr.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No OrderDapr.sln above {AppContext.BaseDirectory}: cannot find the repository.");
    }
}
