using Microsoft.AspNetCore.DataProtection;
using System.Globalization;
using GraphQL;
using Hangfire;
using Hangfire.Storage.SQLite;
using LandkreisLizenz.Core.Audit;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Recognition;
using LandkreisLizenz.Core.Reconciliation;
using LandkreisLizenz.Web.Jobs;
using LandkreisLizenz.Core.Overview;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Localization;
using Microsoft.Extensions.FileProviders;

namespace LandkreisLizenz.Web.Hosting;

public static class LandkreisLizenzApp
{
    /// <param name="configure">Extra configuration before the services are built (benchmarks set the port and data folder).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        AddServices(builder);
        var app = builder.Build();
        DatabaseBootstrap.EnsureReady(app.Services);
        UsePipeline(app);
        return app;
    }

    private static void AddServices(WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        var databaseOptions = configuration.GetSection(DatabaseOptions.SectionName).Get<DatabaseOptions>() ?? new DatabaseOptions();
        var jobsOptions = configuration.GetSection(JobsOptions.SectionName).Get<JobsOptions>() ?? new JobsOptions();
        var contentRoot = builder.Environment.ContentRootPath;

        services.AddSingleton(databaseOptions);
        services.AddSingleton(jobsOptions);
        services.AddSingleton(configuration.GetSection(DemoOptions.SectionName).Get<DemoOptions>() ?? new DemoOptions());
        services.AddSingleton(configuration.GetSection(AccessibilityOptions.SectionName).Get<AccessibilityOptions>() ?? new AccessibilityOptions());
        var securityOptions = configuration.GetSection(SecurityOptions.SectionName).Get<SecurityOptions>() ?? new SecurityOptions();
        services.AddSingleton(securityOptions);
        services.AddHardening(securityOptions);
        // One key ring for all nodes, in the shared database.
        services.AddSingleton<KeyRingStore>();
        services.AddDataProtection().SetApplicationName("LandkreisLizenz");
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<KeyRingStore>((o, store) => o.XmlRepository = new DatabaseXmlRepository(store));
        services.AddSingleton(Database.FromOptions(databaseOptions, contentRoot));
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton<AuditLog>();
        services.AddSingleton<AccountService>();
        services.AddSingleton<ScopeService>();
        services.AddSingleton<AccountManagement>();
        services.AddSingleton<EstateSummaryService>();
        services.AddSingleton<RegistryService>();
        services.AddSingleton<AuditQueries>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, AuditingAuthorizationResultHandler>();
        services.AddSingleton<RecognitionService>();
        services.AddSingleton<ProductCatalogue>();
        services.AddSingleton(configuration.GetSection(ImportOptions.SectionName).Get<ImportOptions>() ?? new ImportOptions());
        services.AddSingleton(provider => new ImportService(
            provider.GetRequiredService<Database>(), provider.GetRequiredService<TimeProvider>(), provider.GetRequiredService<AuditLog>(),
            provider.GetRequiredService<RecognitionService>(), provider.GetRequiredService<ImportOptions>(),
            Database.ResolveDataFolder(databaseOptions, contentRoot), provider.GetRequiredService<IReconciliationTrigger>()));
        services.AddSingleton(configuration.GetSection(ReconciliationOptions.SectionName).Get<ReconciliationOptions>() ?? new ReconciliationOptions());
        services.AddSingleton<ReconciliationService>();
        services.AddSingleton<ReconciliationQueries>();
        services.AddSingleton<LandkreisLizenz.Core.Contracts.DeadlineCalendar>();
        services.AddSingleton<LandkreisLizenz.Core.Dashboards.CioDashboardService>();
        services.AddSingleton<LandkreisLizenz.Core.Dashboards.VerbundDashboardService>();
        services.AddSingleton<LandkreisLizenz.Core.Notifications.NotificationService>();
        services.AddSingleton(configuration.GetSection(LandkreisLizenz.Core.Notifications.ReminderOptions.SectionName).Get<LandkreisLizenz.Core.Notifications.ReminderOptions>() ?? new LandkreisLizenz.Core.Notifications.ReminderOptions());
        services.AddSingleton(configuration.GetSection(LandkreisLizenz.Core.Notifications.SmtpOptions.SectionName).Get<LandkreisLizenz.Core.Notifications.SmtpOptions>() ?? new LandkreisLizenz.Core.Notifications.SmtpOptions());
        services.AddSingleton<LandkreisLizenz.Core.Notifications.ReminderService>();
        services.AddTransient<ReminderJobs>();
        services.AddSingleton(configuration.GetSection(LandkreisLizenz.Core.Suggestions.SuggestionOptions.SectionName).Get<LandkreisLizenz.Core.Suggestions.SuggestionOptions>() ?? new LandkreisLizenz.Core.Suggestions.SuggestionOptions());
        services.AddSingleton<LandkreisLizenz.Core.Suggestions.SuggestionService>();
        services.AddSingleton<LandkreisLizenz.Core.Suggestions.MeasureService>();
        services.AddTransient<SuggestionJobs>();
        services.AddSingleton<IReconciliationTrigger, HangfireReconciliationTrigger>();
        services.AddSingleton<IRunFinishedListener, HangfireRunFinishedListener>();
        services.AddTransient<ReconciliationJobs>();
        services.AddTransient<ImportJobs>();
        services.AddSingleton(configuration.GetSection(ImportSourceOptions.SectionName).Get<ImportSourceOptions>() ?? new ImportSourceOptions());
        services.AddSingleton<FolderSources>();
        services.AddSingleton<ImportProfiles>();
        services.AddSingleton<LdapSources>();
        services.AddTransient<SourceJobs>();
        services.AddSingleton<IImportQueue, HangfireImportQueue>();
        services.AddHttpContextAccessor();
        services.AddScoped<CallerScopeAccessor>();

        services.AddSingleton<ApiTokenService>();
        services.AddSingleton<ExternalSignIn>();
        var oidcOptions = configuration.GetSection(OidcOptions.SectionName).Get<OidcOptions>() ?? new OidcOptions();
        services.AddSingleton(oidcOptions);
        services.AddAuthentication("cookie-or-token")
            .AddPolicyScheme("cookie-or-token", "Cookie oder API-Token", options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? BearerTokenHandler.SchemeName
                    : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null)
            .AddCookie(options =>
            {
                options.LoginPath = "/anmelden";
                options.LogoutPath = "/abmelden";
                options.AccessDeniedPath = "/fehler/403";
                options.Cookie.Name = "LandkreisLizenz.Auth";
                options.Cookie.HttpOnly = true;
                // Lax, not Strict: a link from a mail (reminders) must open the page signed in.
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = securityOptions.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
                // Idle timeout: the cookie lives this long after the last request; the absolute limit is checked in ValidatePrincipalAsync.
                options.ExpireTimeSpan = TimeSpan.FromMinutes(Math.Max(1, securityOptions.IdleTimeoutMinutes));
                options.SlidingExpiration = true;
                options.Events.OnValidatePrincipal = CallerScopeAccessor.ValidatePrincipalAsync;
                // API clients get status codes, not the login page.
                options.Events.OnRedirectToLogin = context => ApiAwareRedirect(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => ApiAwareRedirect(context, StatusCodes.Status403Forbidden);
            })
            .AddSingleSignOn(oidcOptions);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Policies.Authenticated, p => p.RequireAuthenticatedUser())
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            .AddPolicy(Policies.LicenseManager, p => p.RequireAuthenticatedUser().RequireRole(Roles.LicenseManager, Roles.Admin))
            .AddPolicy(Policies.CioOrAdmin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Cio, Roles.Admin))
            .AddPolicy(Policies.VerbundOrAdmin, p => p.RequireAuthenticatedUser().RequireRole(Roles.VerbundAnalyst, Roles.Admin));

        // Large inventory files are uploaded whole; the import checks the real size limit itself.
        services.Configure<Microsoft.AspNetCore.Http.Features.FormOptions>(o => o.MultipartBodyLengthLimit = 2L * 1024 * 1024 * 1024);
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 2L * 1024 * 1024 * 1024);
        services.AddControllersWithViews(options =>
        {
            options.Filters.Add(new Microsoft.AspNetCore.Mvc.AutoValidateAntiforgeryTokenAttribute());
            options.Filters.Add(new CoreRefusalFilter());
        });
        // Razor would otherwise write every umlaut as a numeric entity.
        services.AddWebEncoders(o => o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        var graphQLLimits = configuration.GetSection(LandkreisLizenz.Web.GraphQL.GraphQLLimits.SectionName).Get<LandkreisLizenz.Web.GraphQL.GraphQLLimits>()
            ?? new LandkreisLizenz.Web.GraphQL.GraphQLLimits();
        services.AddSingleton(graphQLLimits);
        services.AddGraphQL(graphql => graphql
            .AddSchema<LandkreisLizenz.Web.GraphQL.LandkreisLizenzSchema>()
            .AddGraphTypes(typeof(LandkreisLizenz.Web.GraphQL.QueryGraphType).Assembly)
            // German messages readable as they are ("„nam“", not "\u201Enam\u201C") for whoever reads an answer with curl.
            .AddSystemTextJson(o => o.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All))
            .AddValidationRule<LandkreisLizenz.Web.GraphQL.MutationGuardRule>()
            .AddValidationRule<LandkreisLizenz.Web.GraphQL.PageSizeRule>()
            .AddComplexityAnalyzer(o =>
            {
                // Loaders make the cost of a query grow with the objects it returns, not with statements: about 10,000 objects.
                // Introspection counts nothing (the schema sets its impact to 0); its depth is exempt below.
                o.MaxDepth = graphQLLimits.MaxDepth;
                o.MaxComplexity = graphQLLimits.MaxComplexity;
                o.ValidateComplexityDelegate = LandkreisLizenz.Web.GraphQL.IntrospectionExemption.Apply;
            }));
        static Task ApiAwareRedirect(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
        {
            if (context.Request.Path.StartsWithSegments("/graphql", StringComparison.OrdinalIgnoreCase))
            {
                return LandkreisLizenz.Web.GraphQL.GraphQLEndpoint.RefuseAsync(context.HttpContext, status, invalidToken: false);
            }

            context.Response.Redirect(context.RedirectUri);
            return Task.CompletedTask;
        }

        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database").AddCheck<ReconciliationHealthCheck>("reconciliation");

        services.AddHangfire((provider, config) =>
        {
            config.SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings();
            if (databaseOptions.Provider == DatabaseProvider.SqlServer)
            {
                config.UseSqlServerStorage(databaseOptions.ConnectionString);
            }
            else
            {
                var folder = Database.ResolveDataFolder(databaseOptions, contentRoot);
                Directory.CreateDirectory(folder);
                // Polled every half second instead of 15 s: "Jetzt abgleichen" starts at once (docs/benchmarks.md).
                config.UseSQLiteStorage(Path.Combine(folder, jobsOptions.HangfireSqliteFile), new SQLiteStorageOptions { QueuePollInterval = JobsOptions.SqliteQueuePollInterval });
            }
        });
        if (jobsOptions.RunServer)
        {
            services.AddHangfireServer(options => options.WorkerCount = Math.Max(2, Environment.ProcessorCount));
        }
    }

    private static void UsePipeline(WebApplication app)
    {
        app.UseSecurityHeaders(app.Services.GetRequiredService<SecurityOptions>());
        var german = new CultureInfo("de-DE");
        app.UseRequestLocalization(new RequestLocalizationOptions
        {
            DefaultRequestCulture = new RequestCulture(german),
            SupportedCultures = [german],
            SupportedUICultures = [german],
        });

        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/fehler/500");
        }

        app.UseStatusCodePagesWithReExecute("/fehler/{0}");

        var webRoot = WebRoot.Locate(app.Environment.ContentRootPath);
        app.Environment.WebRootPath = webRoot;
        app.Environment.WebRootFileProvider = new PhysicalFileProvider(webRoot);
        app.UseStaticFiles(new StaticFileOptions { FileProvider = app.Environment.WebRootFileProvider });

        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();

        // Plain status for load balancers (Healthy/Degraded → 200, Unhealthy → 503); the details only in the body's status word.
        app.MapHealthChecks("/health").AllowAnonymous();
        app.MapHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [new AdminDashboardAuthorization()],
            DashboardTitle = "LandkreisLizenz – Hintergrundjobs",
            AppPath = "/",
        });
        app.MapControllers();
        LandkreisLizenz.Web.GraphQL.GraphQLEndpoint.Map(app);

        // The nightly full reconciliation; registering it again on every start only updates its schedule.
        app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<ReconciliationJobs>(
            ReconciliationJobs.NightlyJobId, j => j.Nightly(), Cron.Daily(2), new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin") });
        app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<SuggestionJobs>(
            SuggestionJobs.NightlyJobId, j => j.Nightly(), Cron.Daily(4), new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin") });
        app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<ReminderJobs>(
            ReminderJobs.DailyJobId, j => j.Daily(), Cron.Daily(6), new RecurringJobOptions { TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin") });
        var sources = app.Services.GetRequiredService<ImportSourceOptions>();
        if (sources.Folders.Count > 0)
        {
            app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<SourceJobs>(
                SourceJobs.FoldersJobId, j => j.Folders(), Cron.MinuteInterval(Math.Clamp(sources.PollMinutes, 1, 59)));
        }
        else
        {
            app.Services.GetRequiredService<IRecurringJobManager>().RemoveIfExists(SourceJobs.FoldersJobId);
        }

        if (sources.Ldap.Count > 0)
        {
            app.Services.GetRequiredService<IRecurringJobManager>().AddOrUpdate<SourceJobs>(
                SourceJobs.DirectoriesJobId, j => j.Directories(), Cron.Hourly());
        }
        else
        {
            app.Services.GetRequiredService<IRecurringJobManager>().RemoveIfExists(SourceJobs.DirectoriesJobId);
        }
    }
}
