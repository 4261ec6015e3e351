using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dapper;
using LandkreisLizenz.Core.DemoEstate;
using LandkreisLizenz.Tests.GraphQL;
using LandkreisLizenz.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LandkreisLizenz.Tests.Web;

/// <summary>
/// What a data protection officer's tester did to get from Kreis Mettmann into Wartburgkreis (issue "tenancy by
/// construction"), replayed on the pages and the API: every attempt now stays outside.
/// </summary>
[TestClass]
public sealed class TenancyTests : SharedAppTests<TenancyTests>
{
    private const string Mettmann = "05158";
    private const string Wartburgkreis = "16063";

    private static long Organisation(string ags) => Scopes.OrganisationId(Factory.Database, ags);

    private static (long? ParentId, string Kind, long RowVersion) Stored(long id)
    {
        using var connection = Factory.Database.Open();
        return connection.QuerySingle<(long?, string, long)>("SELECT parent_id, kind, row_version FROM organisations WHERE id = @id", new { id });
    }

    private static Dictionary<string, string> OrganisationForm(string ags, string name, string kind, string parentAgs) => new()
    {
        ["fields[ags]"] = ags, ["fields[name]"] = name, ["fields[kind]"] = kind, ["fields[parent_ags]"] = parentAgs, ["fields[population]"] = "485684",
        ["fields[shares_for_consolidation]"] = "true",
    };

    [TestMethod]
    public async Task EditOrganisation_CountyGivenForeignCountyAsParent_RefusedAndForeignReaderSeesNothing()
    {
        var mettmann = Organisation(Mettmann);
        using var manager = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var form = OrganisationForm(Mettmann, "Kreis Mettmann", "county", Wartburgkreis);
        form["__rowVersion"] = Stored(mettmann).RowVersion.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var response = await AppFactory.PostFormAsync(manager, $"/register/organisationen/{mettmann}/bearbeiten", $"/register/organisationen/{mettmann}/bearbeiten", form);

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "ein Landkreis hat keine übergeordnete Organisation");
        Assert.IsNull(Stored(mettmann).ParentId);
        using var reader = await AppFactory.SignedInClientAsync(Factory, "leser.wartburgkreis");
        Assert.AreEqual(HttpStatusCode.NotFound, (await reader.GetAsync($"/register/organisationen/{mettmann}")).StatusCode);
    }

    [TestMethod]
    public async Task ImportOrganisations_CountyWithParentOrMunicipalityMoved_RejectedWithRowErrors()
    {
        using var connection = Factory.Database.Open();
        var town = connection.QueryFirst<(string Ags, string Name)>(
            "SELECT o.ags, o.name FROM organisations o JOIN organisations c ON c.id = o.parent_id WHERE c.ags = @Mettmann ORDER BY o.ags", new { Mettmann });
        using var manager = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var csv = "ags;name;kind;parent_ags\n"
                  + $"{Mettmann};Kreis Mettmann;county;{Wartburgkreis}\n"
                  + $"{town.Ags};{town.Name};municipality;{Wartburgkreis}\n"
                  + $"{town.Ags[..5]}999;Neuer Dienstleister;municipal_provider;{Mettmann}\n"
                  + "XNEU1;Eigener Dienstleister;municipal_provider;\n";

        var upload = await AppFactory.UploadAsync(manager, "organisations", "o.csv", Encoding.UTF8.GetBytes(csv));
        var page = await manager.GetStringAsync(upload.Headers.Location!.OriginalString);

        StringAssert.Contains(page, "ein Landkreis hat keine übergeordnete Organisation", page);
        StringAssert.Contains(page, "eine Gemeinde einem anderen Landkreis zuordnen kann nur die Administration");
        StringAssert.Contains(page, "neue Organisationen legt die Administration an");
        Assert.AreEqual("rejected", connection.ExecuteScalar<string>("SELECT status FROM import_batches WHERE id = @id",
            new { id = long.Parse(upload.Headers.Location!.OriginalString.Split('/').Last(), System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM organisations WHERE ags = 'XNEU1'"));
    }

    [TestMethod]
    public async Task SaveOrganisation_ManagerMovesOwnTownToAnotherCounty_Refused()
    {
        using var connection = Factory.Database.Open();
        var town = connection.QueryFirst<(long Id, string Ags, string Name, long RowVersion)>(
            "SELECT o.id, o.ags, o.name, o.row_version FROM organisations o JOIN organisations c ON c.id = o.parent_id WHERE c.ags = @Mettmann ORDER BY o.ags", new { Mettmann });
        var otherCounty = connection.ExecuteScalar<string>("SELECT MIN(ags) FROM organisations WHERE kind = 'county' AND ags <> @Mettmann", new { Mettmann })!;
        var registry = Factory.Services.GetRequiredService<LandkreisLizenz.Core.Registry.RegistryService>();
        var scope = await Scopes.ForUserNameAsync(Factory.Database, "lm.mettmann");

        var moved = await registry.SaveAsync(scope, LandkreisLizenz.Core.Registry.RegistryEntities.Organisations, town.Id,
            new Dictionary<string, string?> { ["name"] = town.Name, ["kind"] = "municipality", ["parent_ags"] = otherCounty }, town.RowVersion);
        var madeProvider = await registry.SaveAsync(scope, LandkreisLizenz.Core.Registry.RegistryEntities.Organisations, town.Id,
            new Dictionary<string, string?> { ["name"] = town.Name, ["kind"] = "association", ["parent_ags"] = Mettmann }, town.RowVersion);

        Assert.IsFalse(moved.Succeeded);
        StringAssert.Contains(moved.FieldErrors.GetValueOrDefault("parent_ags") ?? "", "einem anderen Landkreis zuordnen kann nur die Administration");
        Assert.IsFalse(madeProvider.Succeeded);
        StringAssert.Contains(madeProvider.FieldErrors.GetValueOrDefault("kind") ?? "", "die Art einer Organisation ändert nur die Administration");
        Assert.AreEqual(Organisation(Mettmann), Stored(town.Id).ParentId);
        Assert.AreEqual("municipality", Stored(town.Id).Kind);
    }

    [TestMethod]
    public async Task ScopeView_NonMunicipalityNamingGrantedCountyAsParent_GrantsNothing()
    {
        // Rows written before the hierarchy rule (or by hand) must not open a county to another one's readers.
        var mettmann = Organisation(Mettmann);
        var wartburgkreis = Organisation(Wartburgkreis);
        using (var connection = Factory.Database.Open())
        {
            connection.Execute("UPDATE organisations SET parent_id = @wartburgkreis WHERE id = @mettmann", new { wartburgkreis, mettmann });
        }

        try
        {
            using var reader = await AppFactory.SignedInClientAsync(Factory, "leser.wartburgkreis");
            Assert.AreEqual(HttpStatusCode.NotFound, (await reader.GetAsync($"/register/organisationen/{mettmann}")).StatusCode);
            Assert.AreEqual(HttpStatusCode.NotFound, (await reader.GetAsync($"/dashboard?organisation={mettmann}")).StatusCode);
            Assert.AreEqual(HttpStatusCode.NotFound, (await reader.GetAsync($"/lizenzabgleich/{mettmann}")).StatusCode);
            var export = await reader.GetStringAsync("/register/anwendungen/export.csv");
            Assert.DoesNotContain(Mettmann + ";", export);
            var scope = await Scopes.ForUserNameAsync(Factory.Database, "leser.wartburgkreis");
            Assert.IsFalse(scope.Covers(mettmann));
        }
        finally
        {
            using var connection = Factory.Database.Open();
            connection.Execute("UPDATE organisations SET parent_id = NULL WHERE id = @mettmann", new { mettmann });
        }
    }

    [TestMethod]
    public async Task Logout_CapturedSessionCookie_NoLongerAnswersOnPagesOrGraphQL()
    {
        var (cookies, token) = await SignInCapturingCookiesAsync("cio.mettmann");
        using var replay = Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        async Task<HttpStatusCode> Get(string url)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Add("Cookie", cookies);
            return (await replay.SendAsync(request)).StatusCode;
        }

        async Task<HttpStatusCode> GraphQL()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/graphql") { Content = new StringContent("{\"query\":\"{ viewer { userName } }\"}", Encoding.UTF8, "application/json") };
            request.Headers.Add("Cookie", cookies);
            return (await replay.SendAsync(request)).StatusCode;
        }

        Assert.AreEqual(HttpStatusCode.OK, await Get("/dashboard"), "The captured cookie did not work before logout.");
        Assert.AreEqual(HttpStatusCode.OK, await GraphQL());
        using (var logout = new HttpRequestMessage(HttpMethod.Post, "/abmelden") { Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }) })
        {
            logout.Headers.Add("Cookie", cookies);
            Assert.AreEqual(HttpStatusCode.Redirect, (await replay.SendAsync(logout)).StatusCode);
        }

        Assert.AreEqual(HttpStatusCode.Redirect, await Get("/dashboard"), "The session cookie still opens the dashboard after logout.");
        Assert.AreEqual(HttpStatusCode.Unauthorized, await GraphQL(), "The session cookie still answers on /graphql after logout.");
        using var connection = Factory.Database.Open();
        Assert.IsGreaterThan(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM audit_log WHERE action = 'logout' AND user_name = 'cio.mettmann'"));
    }

    /// <summary>Signs in with cookies handled by hand, returning the Cookie header and a form token that belongs to it.</summary>
    private static async Task<(string Cookies, string FormToken)> SignInCapturingCookiesAsync(string userName)
    {
        using var client = Factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var jar = new Dictionary<string, string>(StringComparer.Ordinal);
        void Take(HttpResponseMessage response)
        {
            foreach (var header in response.Headers.TryGetValues("Set-Cookie", out var values) ? values : [])
            {
                var pair = header.Split(';')[0].Split('=', 2);
                jar[pair[0]] = pair[1];
            }
        }

        string Cookie() => string.Join("; ", jar.Select(c => c.Key + "=" + c.Value));
        var form = await client.GetAsync("/anmelden");
        Take(form);
        var token = AppFactory.AntiforgeryTokenIn(await form.Content.ReadAsStringAsync());
        using var login = new HttpRequestMessage(HttpMethod.Post, "/anmelden")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["UserName"] = userName, ["Password"] = DemoEstateGenerator.DemoPassword, ["__RequestVerificationToken"] = token }),
        };
        login.Headers.Add("Cookie", Cookie());
        var signedIn = await client.SendAsync(login);
        Assert.AreEqual(HttpStatusCode.Redirect, signedIn.StatusCode);
        Take(signedIn);
        using var page = new HttpRequestMessage(HttpMethod.Get, "/import");
        page.Headers.Add("Cookie", Cookie());
        var html = await (await client.SendAsync(page)).Content.ReadAsStringAsync();
        var formToken = AppFactory.AntiforgeryTokenIn(html);
        return (Cookie(), formToken);
    }

    [TestMethod]
    public async Task RouteTable_EveryWriteRouteWithReadOnlyToken_RefusedAndNothingChanges()
    {
        using var manager = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var ownBatch = (await AppFactory.UploadAsync(manager, "hostings", "h.csv", File.ReadAllBytes(Repository.ImportSample("hostings"))))
            .Headers.Location!.OriginalString.Split('/').Last();
        var readToken = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "read", Mettmann);
        var formToken = await AppFactory.TokenFromAsync(manager, "/import");
        var mettmann = Organisation(Mettmann);
        using var connection = Factory.Database.Open();
        string Own(string table) => connection.ExecuteScalar<long>($"SELECT MIN(id) FROM {table} WHERE organisation_id = @mettmann", new { mettmann }).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var ownSuggestion = connection.ExecuteScalar<long>("SELECT MIN(suggestion_id) FROM suggestion_organisations WHERE organisation_id = @mettmann", new { mettmann });
        var ownToken = connection.ExecuteScalar<long>("SELECT MIN(id) FROM api_tokens WHERE user_id = (SELECT id FROM users WHERE user_name = 'lm.mettmann')");
        var title = connection.ExecuteScalar<long>("SELECT MIN(id) FROM software_titles WHERE product_id IS NULL");
        var product = connection.ExecuteScalar<long>("SELECT MIN(id) FROM products");
        var ownRule = Planted.LocalRule(Factory.Database, mettmann, "Nur-in-Mettmann*");
        var ownAccount = connection.QuerySingle<(long Id, long GrantId)>("SELECT u.id, g.id FROM users u JOIN role_grants g ON g.user_id = u.id WHERE u.user_name = 'lm.mettmann'");
        var before = EstateChecksum.Compute(Factory.Database);
        var batchStatus = connection.ExecuteScalar<string>("SELECT status FROM import_batches WHERE id = @ownBatch", new { ownBatch });
        var tested = new List<string>();
        var routes = Factory.ControllerRoutes()
            .Where(r => r.Method == "POST")
            .Select(r => r.Endpoint.RoutePattern.RawText!.TrimStart('/'))
            .Where(p => p is not ("anmelden" or "abmelden" or "anmelden/passwort") && !p.StartsWith("fehler/", StringComparison.Ordinal))
            .Distinct()
            .ToList();

        foreach (var pattern in routes)
        {
            var urls = pattern.Contains("{slug}", StringComparison.Ordinal)
                ? LandkreisLizenz.Core.Registry.RegistryEntities.All.Select(e => pattern.Replace("{slug}", e.Slug)
                    .Replace("{id:long}", e.Global ? product.ToString(System.Globalization.CultureInfo.InvariantCulture) : e.Table == "organisations" ? mettmann.ToString(System.Globalization.CultureInfo.InvariantCulture) : Own(e.Table))).ToList()
                : [pattern
                    .Replace("{id:long}", pattern.StartsWith("import/", StringComparison.Ordinal) ? ownBatch
                        : pattern.StartsWith("empfehlungen/", StringComparison.Ordinal) ? ownSuggestion.ToString(System.Globalization.CultureInfo.InvariantCulture)
                        : pattern.StartsWith("verwaltung/konten/", StringComparison.Ordinal) ? ownAccount.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)
                        : ownToken.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Replace("{grantId:long}", ownAccount.GrantId.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Replace("{profileId:long}", Planted.Profile(Factory.Database, mettmann).ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Replace("{organisationId:long}", mettmann.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Replace("{titleId:long}", title.ToString(System.Globalization.CultureInfo.InvariantCulture))
                    .Replace("{ruleId:long}", ownRule.ToString(System.Globalization.CultureInfo.InvariantCulture))];
            foreach (var url in urls.Select(u => "/" + u))
            {
                Assert.DoesNotContain("{", url, "A route this test cannot fill: " + url);
                using var request = new HttpRequestMessage(HttpMethod.Post, url)
                {
                    Content = new FormUrlEncodedContent(new Dictionary<string, string>
                    {
                        ["__RequestVerificationToken"] = formToken, ["__rowVersion"] = "1", ["fields[ags]"] = Mettmann, ["fields[kind]"] = "county", ["fields[product_key]"] = "gekapert", ["fields[name]"] = "gekapert",
                        ["fields[title]"] = "gekapert", ["productId"] = product.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["softwarePattern"] = "gekapert", ["status"] = "accepted", ["name"] = "gekapert", ["scope"] = "write", ["format"] = "hostings",
                    }),
                };
                // The session cookie stays on the client; the read token decides who is asking.
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", readToken);
                var response = await manager.SendAsync(request);
                // A form answered 422 counts only when it was refused for the missing write right, not for a field left empty.
                var refused = response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.NotFound
                              || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/fehler/403", StringComparison.Ordinal))
                              || (response.StatusCode == HttpStatusCode.UnprocessableEntity
                                  && await response.Content.ReadAsStringAsync() is var form
                                  && (form.Contains("keine Schreibberechtigung", StringComparison.Ordinal) || form.Contains("darf den gemeinsamen Katalog", StringComparison.Ordinal)));
                Assert.IsTrue(refused, $"POST {url} with a read-only token answered {(int)response.StatusCode} {response.Headers.Location}");
                tested.Add(url);
            }
        }

        Assert.IsGreaterThan(15, tested.Count, string.Join("\n", tested));
        CollectionAssert.AreEqual(before.ToList(), EstateChecksum.Compute(Factory.Database).ToList(), "A read-only token changed data.");
        Assert.AreEqual(batchStatus, connection.ExecuteScalar<string>("SELECT status FROM import_batches WHERE id = @ownBatch", new { ownBatch }),
            "A read-only token claimed or rejected the previewed import.");
    }

    [TestMethod]
    public async Task Upload_WithReadOnlyToken_ForbiddenNotServerError()
    {
        using var manager = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var readToken = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "read", Mettmann);
        var formToken = await AppFactory.TokenFromAsync(manager, "/import");
        using var form = new MultipartFormDataContent
        {
            { new StringContent(formToken), "__RequestVerificationToken" },
            { new StringContent("hostings"), "format" },
            { new ByteArrayContent(File.ReadAllBytes(Repository.ImportSample("hostings"))), "file", "h.csv" },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/import") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", readToken);

        var response = await manager.SendAsync(request);

        Assert.IsTrue(response.StatusCode is HttpStatusCode.Forbidden || response.Headers.Location?.OriginalString.Contains("/fehler/403", StringComparison.Ordinal) == true,
            $"Upload with a read token answered {(int)response.StatusCode}.");
    }

    [TestMethod]
    public async Task CreateHosting_OperatorMissingOrForeignCounty_SameAnswerNothingWritten()
    {
        var writeToken = await GraphQLClient.TokenAsync(Factory, "lm.mettmann", "write", Mettmann);
        using var connection = Factory.Database.Open();
        var provider = connection.ExecuteScalar<string>("SELECT MIN(ags) FROM organisations WHERE kind = 'municipal_provider'")!;
        const string Mutation = """
            mutation($input: HostingInput!) { createHosting(input: $input) { succeeded errors { field message } hosting { operatorKind } } }
            """;
        object Input(string key, string op) => new
        {
            input = new { ags = Mettmann, hostingKey = key, name = "Probe", operatorKind = "municipal_provider", model = "on_premises", operatorAgs = op },
        };

        var missing = await GraphQLClient.PostAsync(Factory, writeToken, Mutation, Input("PROBE-1", "X99999999"));
        var foreign = await GraphQLClient.PostAsync(Factory, writeToken, Mutation, Input("PROBE-2", Wartburgkreis));
        var allowed = await GraphQLClient.PostAsync(Factory, writeToken, Mutation, Input("PROBE-3", provider));

        var missingErrors = missing.Body.GetProperty("data").GetProperty("createHosting").GetProperty("errors").ToString();
        var foreignErrors = foreign.Body.GetProperty("data").GetProperty("createHosting").GetProperty("errors").ToString();
        StringAssert.Contains(missingErrors, "existiert nicht");
        Assert.AreEqual(missingErrors, foreignErrors, "The answer tells a foreign county's key from a missing one.");
        Assert.IsTrue(allowed.Body.GetProperty("data").GetProperty("createHosting").GetProperty("succeeded").GetBoolean(), allowed.Body.ToString());
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM hostings WHERE hosting_key IN ('PROBE-1','PROBE-2')"));
    }

    [TestMethod]
    public async Task ErrorPage_StatusOutsideErrorRange_AnswersValid404()
    {
        using var client = Factory.CreateBrowserClient();

        var response = await client.GetAsync("/fehler/999");
        var zero = await client.GetAsync("/fehler/0");

        Assert.AreEqual(HttpStatusCode.NotFound, response.StatusCode);
        Assert.AreEqual(HttpStatusCode.NotFound, zero.StatusCode);
    }

    [TestMethod]
    public async Task Login_NulByteInUserName_AnswersBadRequestWithAValidStatus()
    {
        using var client = Factory.CreateBrowserClient();

        var response = await AppFactory.LoginAsync(client, "admin\0", "falsch");
        var control = await AppFactory.LoginAsync(client, "admin\u0001", "falsch");

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "Steuerzeichen");
        Assert.AreEqual(HttpStatusCode.OK, control.StatusCode);
        StringAssert.Contains(await control.Content.ReadAsStringAsync(), "Benutzername oder Passwort ist falsch.");
        // More fields than the form reader allows: refused the same way, with a message that does not blame a NUL byte alone.
        var flood = await client.PostAsync("/anmelden", new FormUrlEncodedContent(Enumerable.Range(0, 1100).Select(i => KeyValuePair.Create("f" + i, "x"))));
        Assert.AreEqual(HttpStatusCode.BadRequest, flood.StatusCode);
        StringAssert.Contains(await flood.Content.ReadAsStringAsync(), "mehr oder längere Felder als erlaubt");
    }

    [TestMethod]
    public async Task Export_SignedIn_NotStoredByCaches()
    {
        using var client = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");

        foreach (var url in new[] { "/register/anwendungen/export.csv", "/register/vertraege/export.xlsx", "/fristen/kuendigungsfristen.ics", "/dashboard" })
        {
            var response = await client.GetAsync(url);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, url);
            Assert.IsTrue(response.Headers.CacheControl?.NoStore == true, $"{url} may be cached: {response.Headers.CacheControl}");
        }
    }

    [TestMethod]
    public async Task Import_NulByteInsideCell_RefusedWithRowAndColumn()
    {
        using var manager = await AppFactory.SignedInClientAsync(Factory, "lm.mettmann");
        var csv = "ags;hosting_key;name;operator_kind;model\n" + $"{Mettmann};NUL-1;Server\0raum;self;on_premises\n";

        var upload = await AppFactory.UploadAsync(manager, "hostings", "h.csv", Encoding.UTF8.GetBytes(csv));
        var page = await manager.GetStringAsync(upload.Headers.Location!.OriginalString);

        StringAssert.Contains(page, "<td>name</td>", page);
        StringAssert.Contains(page, "ein Steuerzeichen (U", page);
        using var connection = Factory.Database.Open();
        Assert.AreEqual(0, connection.ExecuteScalar<int>("SELECT COUNT(*) FROM hostings WHERE hosting_key = 'NUL-1'"));
    }
}
