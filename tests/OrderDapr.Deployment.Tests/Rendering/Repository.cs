namespace OrderDapr.Deployment.Tests.Rendering;

public static class Repository
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OrderDapr.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("OrderDapr.sln not found.");
    }
}
