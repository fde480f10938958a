using ScottPlot;

namespace OrderDapr.Bench;

// The PNG of a run: placement throughput, projection lag and the processes' memory over the run's time.
public static class Chart
{
    public static void Save(string path, Report report)
    {
        var multiplot = new Multiplot();
        multiplot.AddPlots(3);
        Throughput(multiplot.GetPlot(0), report);
        Lag(multiplot.GetPlot(1), report);
        Memory(multiplot.GetPlot(2), report);
        multiplot.SavePng(path, 1200, 1100);
    }

    private static void Throughput(Plot plot, Report report)
    {
        foreach (var name in new[] { "place", "place-half-rate" })
        {
            if (!report.Loads.TryGetValue(name, out var load) || load.CompletedAt.Count == 0)
            {
                continue;
            }

            var perSecond = load.CompletedAt.GroupBy(t => (int)t).OrderBy(g => g.Key).ToList();
            var xs = perSecond.Select(g => g.Key + load.StartedAt.TotalSeconds + 0.5).ToArray();
            var ys = perSecond.Select(g => (double)g.Count()).ToArray();
            plot.Add.Scatter(xs, ys).LegendText = $"{name} (orders/s)";
        }

        plot.Title("Placement throughput");
        plot.YLabel("orders/s");
        plot.XLabel("seconds since the start of the run");
        plot.ShowLegend(Alignment.LowerRight);
    }

    private static void Lag(Plot plot, Report report)
    {
        foreach (var (name, probe) in new[] { ("at full load", report.LoadLag), ("at half rate", report.HalfRateLag) })
        {
            if (probe is not { Samples.Count: > 0 })
            {
                continue;
            }

            var samples = probe.Samples.OrderBy(s => s.At).ToArray();
            var markers = plot.Add.ScatterPoints(samples.Select(s => s.At).ToArray(), samples.Select(s => s.LagMs).ToArray());
            markers.LegendText = $"lag {name} (ms)";
            markers.MarkerSize = 3;
        }

        plot.Title("Projection lag: command answered → GraphQL shows the version");
        plot.YLabel("ms");
        plot.XLabel("seconds since the start of the run");
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static void Memory(Plot plot, Report report)
    {
        foreach (var (program, samples) in report.MemoryTimeline)
        {
            if (samples.Count == 0)
            {
                continue;
            }

            var line = plot.Add.Scatter(samples.Select(s => s.At).ToArray(), samples.Select(s => s.Mb).ToArray());
            line.LegendText = $"{Report.ShortName(program)} RSS (MB)";
            line.MarkerSize = 0;
        }

        plot.Title("Resident memory");
        plot.YLabel("MB");
        plot.XLabel("seconds since the start of the run");
        plot.ShowLegend(Alignment.UpperLeft);
    }
}
