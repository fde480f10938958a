using OrderDapr.Contracts;

namespace OrderDapr.Query.Rebuild;

// Every order stream with its events, page by page (NextCursor null after the last page).
public interface IStreamSource
{
    Task<StreamPage> ReadPageAsync(string? after, int limit, CancellationToken cancellationToken);
}
