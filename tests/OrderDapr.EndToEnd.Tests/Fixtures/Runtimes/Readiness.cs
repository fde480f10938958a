using System.Net;

namespace OrderDapr.EndToEnd.Tests.Fixtures.Runtimes;

// Waits for a server to say it is ready over HTTP. The bound is a failure deadline for a server
// that never comes up (a container that exited, a port taken), not a speed verdict.
public static class Readiness
{
    public static readonly TimeSpan Deadline = TimeSpan.FromMinutes(2);

    public static async Task WaitAsync(Uri url, string what, Func<Task<string>>? diagnostics = null, CancellationToken ct = default)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + Deadline;
        HttpStatusCode? last = null;
        while (true)
        {
            try
            {
                using var answer = await http.GetAsync(url, ct);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }

                last = answer.StatusCode;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                var details = diagnostics is null ? "" : "\n" + await diagnostics();
                throw new TimeoutException($"{what} did not answer {url} with 2xx within {Deadline} (last: {(last is { } s ? (int)s : "no answer")}).{details}");
            }

            await Task.Delay(200, ct);
        }
    }
}
