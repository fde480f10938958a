using Microsoft.Playwright;
using OrderDapr.EndToEnd.Tests.Fixtures;
using static Microsoft.Playwright.Assertions;

namespace OrderDapr.EndToEnd.Tests.Frontend;

// GraphiQL at /graphql in real Chromium, with nothing but order-query to load it from: the IDE
// starts, reads the schema by introspection and runs the query it opens with.
[Collection(nameof(RunningSystem))]
public sealed class GraphiQLInChromium(OrderSystem system, Chromium chromium) : IClassFixture<Chromium>
{
    private static readonly float Timeout = (float)Eventually.DefaultTimeout.TotalMilliseconds;

    [Fact]
    public async Task The_IDE_loads_the_schema_and_runs_a_query_without_the_internet()
    {
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = system.QueryBaseAddress.ToString() });
        var outside = new List<string>();
        var errors = new List<string>();

        // Anything not served by order-query would need the internet: refuse it, and note it.
        await context.RouteAsync("**/*", async route =>
        {
            var url = new Uri(route.Request.Url);
            if (url.Scheme is "http" or "https" or "ws" or "wss" && url.Authority != system.QueryBaseAddress.Authority)
            {
                lock (outside)
                {
                    outside.Add(route.Request.Url);
                }

                await route.AbortAsync();
                return;
            }

            await route.ContinueAsync();
        });
        await system.Commands.PlaceAsync("c-1");
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => errors.Add(error);

        var response = await page.GotoAsync("/graphql");

        Assert.Equal(200, response!.Status);
        await page.ClickAsync(".graphiql-execute-button", new PageClickOptions { Timeout = Timeout });

        // Two operations in the opening document: GraphiQL asks which one to run.
        await page.GetByRole(AriaRole.Menuitem, new() { Name = "Orders" }).ClickAsync(new LocatorClickOptions { Timeout = Timeout });
        await Expect(page.Locator(".result-window")).ToContainTextAsync("totalCount", new() { Timeout = Timeout });

        // The schema came by introspection: the documentation explorer lists the root types.
        await page.GetByLabel("Show Documentation Explorer").ClickAsync(new LocatorClickOptions { Timeout = Timeout });
        await Expect(page.Locator(".graphiql-doc-explorer")).ToContainTextAsync("Subscription", new() { Timeout = Timeout });

        Assert.Empty(outside);
        Assert.Empty(errors);
    }
}
