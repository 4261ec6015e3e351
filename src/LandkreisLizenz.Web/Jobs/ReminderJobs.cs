using Hangfire;
using LandkreisLizenz.Core.Notifications;

namespace LandkreisLizenz.Web.Jobs;

/// <summary>The daily reminder job; reruns and retries create nothing twice (see <see cref="ReminderService"/>).</summary>
public sealed class ReminderJobs(ReminderService reminders)
{
    public const string DailyJobId = "reminders-daily";

    [AutomaticRetry(Attempts = 5)]
    public Task Daily() => reminders.RunAsync();
}
