using Microsoft.Extensions.Time.Testing;

namespace LandkreisLizenz.Tests.Infrastructure;

public static class TestClock
{
    public static readonly DateTimeOffset Now = new(2026, 11, 27, 8, 0, 0, TimeSpan.Zero);

    public static readonly DateOnly Today = new(2026, 11, 27);

    public static FakeTimeProvider Create() => new(Now);
}
