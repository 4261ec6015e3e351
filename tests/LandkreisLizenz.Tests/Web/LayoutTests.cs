using System.Net;
using System.Text.RegularExpressions;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Web;

/// <summary>What every page brings along: its icon is declared and served, so no browser asks for a /favicon.ico that is not there.</summary>
[TestClass]
public sealed partial class LayoutTests : SharedAppTests<LayoutTests>
{
    [GeneratedRegex("<link rel=\"icon\" type=\"image/svg\\+xml\" href=\"([^\"]+)\"")]
    private static partial Regex Icon();

    [TestMethod]
    [DataRow("/anmelden", null)]
    [DataRow("/", "cio.mettmann")]
    public async Task Page_Icon_DeclaredAndServed(string path, string? user)
    {
        using var client = user is null ? Factory.CreateClient() : await AppFactory.SignedInClientAsync(Factory, user);
        var html = await client.GetStringAsync(path);
        var icon = Icon().Match(html);
        Assert.IsTrue(icon.Success, $"{path} declares no icon.");
        using var response = await client.GetAsync(icon.Groups[1].Value);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
    }
}
