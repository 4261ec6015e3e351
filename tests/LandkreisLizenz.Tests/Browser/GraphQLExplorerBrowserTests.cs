using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LandkreisLizenz.Tests.Browser;

[TestClass]
[TestCategory("Browser")]
public sealed class GraphQLExplorerBrowserTests : SharedBrowserTests<GraphQLExplorerBrowserTests>
{
    [TestMethod]
    public async Task Explorer_RunDefaultQuery_ShowsOwnOrganisationsWithSession()
    {
        var page = await Session.NewPageAsync();
        var failed = new List<string>();
        page.RequestFailed += (_, request) => failed.Add(request.Url);
        await BrowserSession.SignInAsync(page, "lm.mettmann");

        await page.GetByRole(AriaRole.Link, new() { Name = "GraphQL-Explorer" }).ClickAsync();
        await page.Locator(".graphiql-container").WaitForAsync();
        var result = page.Locator(".result-window");
        // The first click can come before GraphiQL has wired its editor; the query is then run again.
        for (var attempt = 1; ; attempt++)
        {
            await page.Locator(".graphiql-execute-button").ClickAsync();
            try
            {
                await Assertions.Expect(result).ToContainTextAsync("Mettmann", new() { Timeout = 5_000 });
                break;
            }
            catch (PlaywrightException) when (attempt < 3)
            {
            }
        }

        Assert.AreEqual("GraphQL-Explorer", await page.Locator("h1").InnerTextAsync());
        StringAssert.Contains(await result.InnerTextAsync(), "\"userName\": \"lm.mettmann\"");
        Assert.IsEmpty(failed, "every script and style loaded: " + string.Join(", ", failed));
        // GraphiQL keeps re-rendering its editors until its schema fetch has settled; axe's selector builder fails on a
        // node removed while it runs.
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.WaitForTimeoutAsync(500);
        await BrowserSession.AssertNoAxeViolationsAsync(page);
    }

    [TestMethod]
    public async Task Explorer_DocsPane_ListsTheSchemaFromTheStandardIntrospection()
    {
        var page = await Session.NewPageAsync();
        var schemaErrors = new List<string>();
        page.Response += (_, response) =>
        {
            if (response.Url.EndsWith("/graphql", StringComparison.Ordinal) && response.Status != 200)
            {
                schemaErrors.Add($"{response.Status} {response.Url}");
            }
        };
        await BrowserSession.SignInAsync(page, "lm.mettmann");
        await page.GotoAsync("/schnittstellen/explorer");
        await page.Locator(".graphiql-container").WaitForAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Show Documentation Explorer" }).ClickAsync();
        var docs = page.Locator(".graphiql-doc-explorer");
        await Assertions.Expect(docs).ToContainTextAsync("Query", new() { Timeout = 10_000 });
        await docs.GetByText("Query", new() { Exact = true }).First.ClickAsync();

        await Assertions.Expect(docs).ToContainTextAsync("organisations", new() { Timeout = 10_000 });
        Assert.IsEmpty(schemaErrors, "GraphiQL's schema fetch was refused: " + string.Join(", ", schemaErrors));
        Assert.DoesNotContain("Error fetching schema", await page.Locator(".graphiql-container").InnerTextAsync());
    }
}
