using System.Globalization;

namespace OrderDapr.EndToEnd.Tests.Observability;

// A scrape of GET /metrics in the Prometheus text format: the sum of a metric's samples whose
// labels include the given ones.
public sealed class PrometheusText(string text)
{
    public string Text => text;

    public double Sum(string metric, params (string Name, string Value)[] labels) =>
        text.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) || line.StartsWith(metric + " ", StringComparison.Ordinal))
            .Where(line => labels.All(l => line.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture));

    public static async Task<PrometheusText> ScrapeAsync(Uri service)
    {
        using var http = new HttpClient { BaseAddress = service };
        using var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        return new PrometheusText(await response.Content.ReadAsStringAsync());
    }
}
