using System.Xml.Linq;
using OrderDapr.Testing;

namespace OrderDapr.Deployment.Tests.Rendering;

// The image `dotnet publish -t:PublishContainer` builds for a project: ContainerRepository and
// ContainerImageTag of its project file.
public static class ProjectImage
{
    public static string Of(string project)
    {
        var file = XDocument.Load(Path.Combine(Repository.Root, "src", project, project + ".csproj"));
        string Property(string name) => file.Descendants(name).Single().Value.Trim();
        return $"{Property("ContainerRepository")}:{Property("ContainerImageTag")}";
    }
}
