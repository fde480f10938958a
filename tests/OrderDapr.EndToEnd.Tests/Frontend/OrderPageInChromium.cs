using Microsoft.Playwright;
using OrderDapr.EndToEnd.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OrderDapr.EndToEnd.Tests.Frontend;

// The order pages of order-query in real Chromium, as a person uses them: place an order in the
// page, watch it change while the order moves through its lifecycle by the command API, with no
// reload. The waits are failure deadlines (Eventually.DefaultTimeout), never speed verdicts.
[Collection(nameof(RunningSystem))]
public sealed class OrderPageInChromium(OrderSystem system, Chromium chromium) : IClassFixture<Chromium>, IAsyncLifetime
{
    private static readonly LocatorAssertionsToHaveTextOptions Shown = new() { Timeout = (float)Eventually.DefaultTimeout.TotalMilliseconds };

    private readonly List<string> consoleErrors = [];
    private IBrowserContext context = null!;

    public async ValueTask InitializeAsync()
    {
        context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = system.QueryBaseAddress.ToString() });
    }

    public async ValueTask DisposeAsync() => await context.DisposeAsync();

    [Fact]
    public async Task An_order_placed_in_the_page_shows_each_status_live_without_a_reload()
    {
        var customerId = $"page-{Guid.NewGuid():N}";
        var customerPage = await OpenAsync($"/customers/{customerId}");
        await Expect(customerPage.Locator("#count")).ToHaveTextAsync("0 orders in all", Shown);

        await customerPage.FillAsync("#place [name=productId]", "p-42");
        await customerPage.FillAsync("#place [name=quantity]", "3");
        await customerPage.FillAsync("#place [name=unitPrice]", "12.50");
        await customerPage.ClickAsync("#place button[type=submit]");

        var placed = customerPage.Locator("#placed[data-order-id]");
        await Expect(placed).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^Placed "), Shown);
        var orderId = (await placed.GetAttributeAsync("data-order-id"))!;
        var row = customerPage.Locator($"#orders tr[data-order-id='{orderId}']");
        await Expect(row.Locator(".badge")).ToHaveTextAsync("CREATED", Shown);
        await Expect(row).ToContainTextAsync("37.50", new() { Timeout = Shown.Timeout });
        await Expect(customerPage.Locator("#count")).ToHaveTextAsync("1 order in all", Shown);

        // The order as order-command stored it: the page placed exactly what was filled in.
        var stored = await system.Commands.GetAsync($"/orders/{orderId}");
        Assert.Equal(customerId, stored.Body.GetProperty("customerId").GetString());
        Assert.Equal("p-42", stored.Body.GetProperty("items")[0].GetProperty("productId").GetString());

        var orderPage = await OpenAsync($"/orders/{orderId}");
        var status = orderPage.Locator("#status[data-testid=status]");
        await Expect(status).ToHaveTextAsync("CREATED", Shown);
        var customerLoad = await MarkLoadAsync(customerPage);
        var orderLoad = await MarkLoadAsync(orderPage);

        Assert.True((await system.Commands.PayAsync(orderId, 37.50m, "pay-page")).Status is System.Net.HttpStatusCode.OK);
        await Expect(status).ToHaveTextAsync("PAID", Shown);
        await Expect(orderPage.Locator("#details")).ToContainTextAsync("pay-page", new() { Timeout = Shown.Timeout });

        Assert.True((await system.Commands.ShipAsync(orderId, "track-page")).Status is System.Net.HttpStatusCode.OK);
        await Expect(status).ToHaveTextAsync("SHIPPED", Shown);

        Assert.True((await system.Commands.DeliverAsync(orderId)).Status is System.Net.HttpStatusCode.OK);
        await Expect(status).ToHaveTextAsync("DELIVERED", Shown);
        await Expect(row.Locator(".badge")).ToHaveTextAsync("DELIVERED", Shown);

        // Neither page was reloaded: the marks set in their windows are still there.
        Assert.Equal(orderLoad, await orderPage.EvaluateAsync<string>("() => window.__load"));
        Assert.Equal(customerLoad, await customerPage.EvaluateAsync<string>("() => window.__load"));
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));

        await orderPage.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "order-page.png"), FullPage = true });
        await customerPage.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(AppContext.BaseDirectory, "customer-page.png"), FullPage = true });
    }

    [Fact]
    public async Task A_cancelled_order_shows_as_cancelled_live()
    {
        var orderId = await system.Commands.PlaceAsync($"page-{Guid.NewGuid():N}");
        var orderPage = await OpenAsync($"/orders/{orderId}");
        var status = orderPage.Locator("#status");
        await Expect(status).ToHaveTextAsync("CREATED", Shown);

        Assert.Equal(System.Net.HttpStatusCode.OK, (await system.Commands.CancelAsync(orderId, "out of stock")).Status);
        await Expect(status).ToHaveTextAsync("CANCELLED", Shown);
        await Expect(orderPage.Locator("#details")).ToContainTextAsync("out of stock", new() { Timeout = Shown.Timeout });
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }

    [Fact]
    public async Task A_customers_orders_page_through_with_the_cursor_newest_first()
    {
        var customerId = $"page-{Guid.NewGuid():N}";
        var placed = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            placed.Add(await system.Commands.PlaceAsync(customerId));
        }

        // The read model has all twelve before the page is opened.
        await system.GraphQL.OrderAtVersionAsync(placed[^1], 1);
        await Eventually.Async(async () =>
        {
            var data = await system.GraphQL.QueryAsync("query($c: String!) { orders(customerId: $c) { totalCount } }", new { c = customerId });
            return data.GetProperty("orders").GetProperty("totalCount").GetInt32() == 12;
        }, "twelve orders of the customer in the read model");

        var page = await OpenAsync($"/customers/{customerId}");
        var rows = page.Locator("#orders tbody tr");
        await Expect(rows).ToHaveCountAsync(10, new() { Timeout = Shown.Timeout });
        await Expect(page.Locator("#count")).ToHaveTextAsync("12 orders in all", Shown);

        await page.ClickAsync("#more");
        await Expect(rows).ToHaveCountAsync(12, new() { Timeout = Shown.Timeout });
        await Expect(page.Locator("#more")).ToBeHiddenAsync();

        var shown = await rows.EvaluateAllAsync<string[]>("rows => rows.map(r => r.dataset.orderId)");
        var newestFirst = await NewestFirstAsync(customerId);
        Assert.Equal(newestFirst, shown);
        Assert.Equal(placed.Order(StringComparer.Ordinal), shown.Order(StringComparer.Ordinal));
        Assert.True(consoleErrors.Count == 0, string.Join("\n", consoleErrors));
    }

    private async Task<string[]> NewestFirstAsync(string customerId)
    {
        var data = await system.GraphQL.QueryAsync("query($c: String!) { orders(customerId: $c, first: 100) { edges { node { id } } } }", new { c = customerId });
        return [.. data.GetProperty("orders").GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node").GetProperty("id").GetString()!)];
    }

    private async Task<IPage> OpenAsync(string path)
    {
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (consoleErrors)
                {
                    consoleErrors.Add($"{path}: {message.Text}");
                }
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Status >= 400)
            {
                lock (consoleErrors)
                {
                    consoleErrors.Add($"{path}: {response.Request.Method} {response.Url} answered {response.Status}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (consoleErrors)
            {
                consoleErrors.Add($"{path}: {error}");
            }
        };
        var response = await page.GotoAsync(path);
        Assert.Equal(200, response!.Status);
        return page;
    }

    // Sets a value in the page's window: a reload would lose it.
    private static async Task<string> MarkLoadAsync(IPage page)
    {
        var mark = Guid.NewGuid().ToString("N");
        await page.EvaluateAsync("mark => { window.__load = mark; }", mark);
        return mark;
    }
}
