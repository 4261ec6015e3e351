using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace LandkreisLizenz.Web.Security;

/// <summary>Settings of the web hardening (section "Security"); the defaults suit the embedded default on http://localhost.</summary>
public sealed class SecurityOptions
{
    public const string SectionName = "Security";

    /// <summary>Behind TLS in production: cookies only over HTTPS and every http request redirected.</summary>
    public bool RequireHttps { get; set; }

    /// <summary>A session without a request for this long ends (sliding cookie lifetime).</summary>
    public int IdleTimeoutMinutes { get; set; } = 30;

    /// <summary>However active, a session ends this long after the login.</summary>
    public int AbsoluteTimeoutHours { get; set; } = 10;

    /// <summary>Login attempts (form posts) per client address and minute; the account lockout after five failures comes on top.</summary>
    public int LoginAttemptsPerMinute { get; set; } = 10;
}

/// <summary>
/// BSI-style hardening of every response: security headers with a Content-Security-Policy that allows no inline
/// script, HSTS under HTTPS, and a rate limit on the login form.
/// </summary>
public static class Hardening
{
    public const string LoginRateLimit = "login";

    private const string Csp =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";


    // The Hangfire dashboard (admins only, third-party) sets inline styles; its scripts still come only from this origin.
    private static readonly string JobDashboardCsp = Csp.Replace("style-src 'self';", "style-src 'self' 'unsafe-inline';", StringComparison.Ordinal);

    public static void AddHardening(this IServiceCollection services, SecurityOptions options)
    {
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = true;
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "LandkreisLizenz.Antiforgery";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = options.RequireHttps ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(LoginRateLimit, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unbekannt",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = Math.Max(1, options.LoginAttemptsPerMinute), Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
            o.OnRejected = async (context, cancellationToken) =>
            {
                context.HttpContext.Response.ContentType = "text/html; charset=utf-8";
                context.HttpContext.Response.Headers.RetryAfter = "60";
                await context.HttpContext.Response.WriteAsync(
                    "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Zu viele Anmeldeversuche – LandkreisLizenz</title></head>"
                    + "<body><main><h1>Zu viele Anmeldeversuche</h1><p>Von Ihrer Adresse kamen in der letzten Minute zu viele Anmeldeversuche. "
                    + "Bitte warten Sie eine Minute und versuchen Sie es dann erneut.</p><p><a href=\"/anmelden\">Zur Anmeldung</a></p></main></body></html>",
                    cancellationToken);
            };
        });
    }

    /// <summary>
    /// A URL-encoded form that ASP.NET's form reader refuses: a NUL byte, or more or longer fields than its limits allow.
    /// Small by nature; uploads (multipart) are checked cell by cell by the import.
    /// </summary>
    private static async Task<bool> IsUnreadableFormAsync(HttpRequest request)
    {
        if (!HttpMethods.IsPost(request.Method) || !request.HasFormContentType
            || request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) != true)
        {
            return false;
        }

        try
        {
            await request.ReadFormAsync();
            return false;
        }
        catch (InvalidDataException)
        {
            // ASP.NET's form decoder refuses NUL ("The path contains null characters"); left to the MVC pipeline, such a
            // request ended with a status line of "HTTP/1.1 0" (seen on the login form).
            return true;
        }
    }

    /// <summary>First in the pipeline, so error pages and static files carry the headers too.</summary>
    public static void UseSecurityHeaders(this WebApplication app, SecurityOptions options)
    {
        app.Use(async (context, next) =>
        {
            // Decided before the request goes on: mapped branches (the dashboard) move the path into PathBase.
            var csp = context.Request.Path.StartsWithSegments("/jobs") ? JobDashboardCsp : Csp;
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = csp;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                // What a signed-in caller gets (pages, exports, API answers) is a county's data: never kept by a
                // browser or proxy cache, so the next person at a shared workstation cannot open it from history.
                if (context.User.Identity?.IsAuthenticated == true)
                {
                    headers.CacheControl = "no-store";
                    headers.Pragma = "no-cache";
                }

                return Task.CompletedTask;
            });
            if (await IsUnreadableFormAsync(context.Request))
            {
                // Refused here, as what it is, a malformed request.
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(
                    "<!DOCTYPE html><html lang=\"de\"><head><meta charset=\"utf-8\"><title>Ungültige Eingabe – LandkreisLizenz</title></head>"
                    + "<body><main><h1>Ungültige Eingabe</h1><p>Das Formular konnte nicht gelesen werden: ein Feld enthält ein Steuerzeichen (z. B. NUL), oder das Formular hat mehr oder längere Felder als erlaubt. Bitte geben Sie nur Text ein.</p>"
                    + "<p><a href=\"/\">Zur Startseite</a></p></main></body></html>");
                return;
            }

            await next();
        });

        if (!app.Environment.IsDevelopment())
        {
            // Only sent on HTTPS responses (and not for localhost), as RFC 6797 requires.
            app.UseHsts();
        }

        if (options.RequireHttps)
        {
            app.UseHttpsRedirection();
        }
    }
}
