using System.Globalization;
using Dapper;
using LandkreisLizenz.Core.Common;
using LandkreisLizenz.Core.Contracts;
using LandkreisLizenz.Core.Data;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace LandkreisLizenz.Core.Notifications;

public sealed class ReminderOptions
{
    public const string SectionName = "Reminders";

    /// <summary>Days before a notice deadline at which a reminder goes out (spec §3: 180, 90, 30).</summary>
    public int[] OffsetsDays { get; set; } = [180, 90, 30];
}

public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";

    /// <summary>Empty: no e-mail, in-app notifications only.</summary>
    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public bool UseStartTls { get; set; }
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "landkreislizenz@localhost";
    public string BaseUrl { get; set; } = "http://localhost:5080";
}

public sealed record ReminderRun(int Created, int Emailed);

/// <summary>
/// Daily reminders of notice deadlines. For each contract the offset that applies today is the smallest one not
/// below the days left; its reminder is created once per recipient (a unique key in the database makes a rerun
/// on the same day, or a retried job, create nothing). Recipients are the CIOs and license managers whose grant
/// covers the contract's organisation; each gets an in-app notification and, when SMTP is configured, an e-mail.
/// </summary>
public sealed class ReminderService(Database database, TimeProvider clock, ReminderOptions options, SmtpOptions smtp, ILogger<ReminderService>? logger = null)
{
    private const string ContractsSql = """
        SELECT k.id AS Id, k.organisation_id AS OrganisationId, o.name AS OrganisationName, o.parent_id AS ParentId, k.contract_key AS ContractKey,
               k.title AS Title, k.vendor AS Vendor, k.start_date AS StartDate, k.initial_term_months AS InitialTermMonths,
               k.renewal_term_months AS RenewalTermMonths, k.notice_period_months AS NoticePeriodMonths, k.end_date AS EndDate, k.annual_cost AS AnnualCost
        FROM contracts k JOIN organisations o ON o.id = k.organisation_id
        WHERE k.initial_term_months > 0 OR k.end_date IS NOT NULL
        """;

    private const string RecipientsSql = """
        SELECT DISTINCT g.organisation_id AS OrganisationId, u.id AS UserId
        FROM role_grants g JOIN users u ON u.id = g.user_id
        WHERE g.role IN ('cio', 'license_manager') AND u.is_active = 1
        """;

    private const string InsertSql = """
        INSERT INTO notifications (notification_key, user_id, organisation_id, kind, title, body, link, created_at)
        SELECT @Key, @UserId, @OrganisationId, 'deadline_reminder', @Title, @Body, @Link, @Now
        WHERE NOT EXISTS (SELECT 1 FROM notifications WHERE notification_key = @Key AND user_id = @UserId)
        """;

    private const string UnsentSql = """
        SELECT n.id AS Id, n.title AS Title, n.body AS Body, n.link AS Link, u.email AS Email, u.display_name AS DisplayName
        FROM notifications n JOIN users u ON u.id = n.user_id
        WHERE n.kind = 'deadline_reminder' AND n.emailed_at IS NULL AND u.email IS NOT NULL AND u.email <> ''
        ORDER BY n.id
        """;

    private const string MarkSentSql = "UPDATE notifications SET emailed_at = @Now WHERE id = @Id";

    public async Task<ReminderRun> RunAsync()
    {
        var today = BusinessDate.Today(clock);
        var now = clock.GetUtcNow().UtcDateTime;
        var offsets = options.OffsetsDays.Where(o => o >= 0).Distinct().Order().ToArray();
        var de = CultureInfo.GetCultureInfo("de-DE");
        using var connection = database.Open();
        var recipients = (await connection.QueryAsync<(long OrganisationId, long UserId)>(RecipientsSql))
            .ToLookup(r => r.OrganisationId, r => r.UserId);
        var created = 0;
        using (var transaction = connection.BeginTransaction())
        {
            foreach (var c in await connection.QueryAsync<ContractRow>(ContractsSql, transaction: transaction))
            {
                var term = ContractTerms.NextDeadline(c.Terms, today);
                if (term is null)
                {
                    continue;
                }

                var daysLeft = term.NoticeDeadline.DayNumber - today.DayNumber;
                var offset = offsets.Where(o => o >= daysLeft).DefaultIfEmpty(-1).First();
                if (offset < 0)
                {
                    continue;
                }

                var key = $"deadline:{c.Id}:{term.NoticeDeadline:yyyyMMdd}:{offset}";
                var title = string.Create(de, $"Kündigungsfrist in {daysLeft} Tagen: {c.Title}");
                var body = string.Create(de,
                    $"{c.OrganisationName}: Die Kündigung von „{c.Title}“ ({c.ContractKey}, {c.Vendor}) muss bis {term.NoticeDeadline:dd.MM.yyyy} eingegangen sein, damit der Vertrag zum {term.End:dd.MM.yyyy} endet.")
                    + (c.AnnualCost is { } cost ? string.Create(de, $" Jahreskosten: {cost:C}.") : "");
                foreach (var userId in recipients[c.OrganisationId].Concat(c.ParentId is { } parent ? recipients[parent] : []).Distinct())
                {
                    created += await connection.ExecuteAsync(InsertSql, new
                    {
                        Key = key, UserId = userId, c.OrganisationId, Title = title, Body = body, Link = $"/register/vertraege/{c.Id}", Now = now,
                    }, transaction);
                }
            }

            transaction.Commit();
        }

        var emailed = string.IsNullOrWhiteSpace(smtp.Host) ? 0 : await SendAsync(connection, now);
        logger?.LogInformation("Reminders: {Created} created, {Emailed} e-mailed", created, emailed);
        return new ReminderRun(created, emailed);
    }

    private async Task<int> SendAsync(System.Data.IDbConnection connection, DateTime now)
    {
        var unsent = (await connection.QueryAsync<UnsentRow>(UnsentSql)).ToList();
        if (unsent.Count == 0)
        {
            return 0;
        }

        using var client = new SmtpClient();
        await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.UseStartTls ? SecureSocketOptions.StartTls : SecureSocketOptions.None);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? "");
        }

        var sent = 0;
        foreach (var n in unsent)
        {
            var message = new MimeMessage();
            message.From.Add(MailboxAddress.Parse(smtp.From));
            message.To.Add(new MailboxAddress(n.DisplayName, n.Email));
            message.Subject = n.Title;
            message.Body = new TextPart("plain") { Text = $"{n.Body}\n\n{smtp.BaseUrl.TrimEnd('/')}{n.Link}\n\n– LandkreisLizenz" };
            await client.SendAsync(message);
            // Marked right after each message: a crash between send and mark repeats at most this one e-mail.
            await connection.ExecuteAsync(MarkSentSql, new { n.Id, Now = now });
            sent++;
        }

        await client.DisconnectAsync(true);
        return sent;
    }

    private sealed class ContractRow : Contracts.ContractTermColumns
    {
        public long Id { get; init; }
        public long OrganisationId { get; init; }
        public string OrganisationName { get; init; } = "";
        public long? ParentId { get; init; }
        public string ContractKey { get; init; } = "";
        public string Title { get; init; } = "";
        public string Vendor { get; init; } = "";
        public decimal? AnnualCost { get; init; }
    }

    private sealed class UnsentRow
    {
        public long Id { get; init; }
        public string Title { get; init; } = "";
        public string Body { get; init; } = "";
        public string? Link { get; init; }
        public string Email { get; init; } = "";
        public string DisplayName { get; init; } = "";
    }
}
