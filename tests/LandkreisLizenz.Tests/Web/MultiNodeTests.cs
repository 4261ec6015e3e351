using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LandkreisLizenz.Tests.Web;

/// <summary>Two app instances that share nothing but the database, as two nodes behind a load balancer.</summary>
[TestClass]
public sealed partial class MultiNodeTests
{
    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex FormToken();

    [TestMethod]
    public async Task TwoInstances_OneDatabase_LoginCookieAndFormTokenOfTheFirstAcceptedByTheSecond()
    {
        using var first = new AppFactory();
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);
        using var firstNode = Client(first);
        var loginForm = await SendAsync(firstNode, jar, new HttpRequestMessage(HttpMethod.Get, "/anmelden"));
        var login = await SendAsync(firstNode, jar, new HttpRequestMessage(HttpMethod.Post, "/anmelden")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["UserName"] = "lm.mettmann",
                ["Password"] = DemoEstateGenerator.DemoPassword,
                ["__RequestVerificationToken"] = FormToken().Match(await loginForm.Content.ReadAsStringAsync()).Groups[1].Value,
            }),
        });
        var notifications = await SendAsync(firstNode, jar, new HttpRequestMessage(HttpMethod.Get, "/benachrichtigungen"));
        var formToken = FormToken().Match(await notifications.Content.ReadAsStringAsync()).Groups[1].Value;
        Assert.AreEqual(HttpStatusCode.Redirect, login.StatusCode, "signed in on the first node");

        using var second = new AppFactory(settings: new Dictionary<string, string>(first.Settings), sharedDataFolder: first.DataFolder);
        using var secondNode = Client(second);
        var page = await SendAsync(secondNode, jar, new HttpRequestMessage(HttpMethod.Get, "/"));
        var post = await SendAsync(secondNode, jar, new HttpRequestMessage(HttpMethod.Post, "/benachrichtigungen/gelesen")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = formToken }),
        });

        Assert.AreEqual(HttpStatusCode.OK, page.StatusCode, "the second node accepts the first node's login cookie");
        StringAssert.Contains(await page.Content.ReadAsStringAsync(), "lm.mettmann");
        Assert.AreEqual(HttpStatusCode.Redirect, post.StatusCode, "and the antiforgery token of the first node's form");
        using var connection = first.Database.Open();
        var keys = string.Concat(connection.Query<string>("SELECT xml FROM data_protection_keys"));
        Assert.Contains($"id=\"{ProtectingKey(jar["LandkreisLizenz.Auth"])}\"", keys, "the cookie is protected with a key from the shared database, not from one node's files");
    }

    [TestMethod]
    public async Task TwoInstances_UploadOnFirstCommitOnSecond_StagedFileFromTheDatabase()
    {
        using var first = new AppFactory(settings: new() { ["Imports:StageInDatabase"] = "true" });
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);
        using var firstNode = Client(first);
        await SignInAsync(firstNode, jar);
        var importToken = FormToken().Match(await (await SendAsync(firstNode, jar, new HttpRequestMessage(HttpMethod.Get, "/import"))).Content.ReadAsStringAsync()).Groups[1].Value;
        var csv = "ags;hosting_key;name;operator_kind;model\n05158;MN-1;Zweiter Knoten;self;on_premises\n"u8.ToArray();
        var upload = await SendAsync(firstNode, jar, new HttpRequestMessage(HttpMethod.Post, "/import")
        {
            Content = new MultipartFormDataContent
            {
                { new StringContent(importToken), "__RequestVerificationToken" },
                { new StringContent("hostings"), "format" },
                { new ByteArrayContent(csv), "file", "betrieb.csv" },
            },
        });
        Assert.AreEqual(HttpStatusCode.Redirect, upload.StatusCode, await upload.Content.ReadAsStringAsync());
        var batchPage = upload.Headers.Location!.OriginalString;

        // The second node has its own disk (another staging folder) and shares only the database.
        var settings = new Dictionary<string, string>(first.Settings) { ["Imports:StagingFolder"] = TestDatabase.NewFolder() };
        using var second = new AppFactory(settings: settings, sharedDataFolder: first.DataFolder);
        using var secondNode = Client(second);
        var commitToken = FormToken().Match(await (await SendAsync(secondNode, jar, new HttpRequestMessage(HttpMethod.Get, batchPage))).Content.ReadAsStringAsync()).Groups[1].Value;
        var commit = await SendAsync(secondNode, jar, new HttpRequestMessage(HttpMethod.Post, batchPage + "/uebernehmen")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = commitToken }),
        });

        Assert.AreEqual(HttpStatusCode.Redirect, commit.StatusCode);
        using var connection = first.Database.Open();
        Assert.AreEqual("Zweiter Knoten", connection.ExecuteScalar<string>("SELECT name FROM hostings WHERE hosting_key = 'MN-1'"), "committed on the second node from the file the first received");
        Assert.AreEqual("completed", connection.ExecuteScalar<string>("SELECT status FROM import_batches WHERE file_name = 'betrieb.csv'"));
    }

    private static async Task SignInAsync(HttpClient node, Dictionary<string, string> jar)
    {
        var form = await SendAsync(node, jar, new HttpRequestMessage(HttpMethod.Get, "/anmelden"));
        var login = await SendAsync(node, jar, new HttpRequestMessage(HttpMethod.Post, "/anmelden")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["UserName"] = "lm.mettmann",
                ["Password"] = DemoEstateGenerator.DemoPassword,
                ["__RequestVerificationToken"] = FormToken().Match(await form.Content.ReadAsStringAsync()).Groups[1].Value,
            }),
        });
        Assert.AreEqual(HttpStatusCode.Redirect, login.StatusCode);
    }

    /// <summary>The key id in a Data Protection payload: 4 bytes magic header, then the key's GUID.</summary>
    private static Guid ProtectingKey(string cookie)
    {
        var text = Uri.UnescapeDataString(cookie).Replace('-', '+').Replace('_', '/');
        var bytes = Convert.FromBase64String(text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '='));
        return new Guid(bytes.AsSpan(4, 16));
    }

    private static HttpClient Client(AppFactory factory) =>
        factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    /// <summary>Sends with the cookies of <paramref name="jar"/> and keeps what the node sets: one browser talking to two nodes.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Dictionary<string, string> jar, HttpRequestMessage request)
    {
        if (jar.Count > 0)
        {
            request.Headers.Add("Cookie", string.Join("; ", jar.Select(c => $"{c.Key}={c.Value}")));
        }

        var response = await client.SendAsync(request);
        foreach (var cookie in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
        {
            var pair = cookie.Split(';')[0];
            var name = pair[..pair.IndexOf('=', StringComparison.Ordinal)];
            var value = pair[(name.Length + 1)..];
            if (value.Length == 0 || cookie.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
            {
                jar.Remove(name);
            }
            else
            {
                jar[name] = value;
            }
        }

        return response;
    }
}
