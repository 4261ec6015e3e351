using LandkreisLizenz.Tests.Browser;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>
/// One app (fresh SQLite folder, test estate) per test class. Generic over the derived class, so every class keeps
/// its own static host; MSTest runs the initializer and cleanup for each derived class.
/// </summary>
public abstract class SharedAppTests<TSelf> where TSelf : SharedAppTests<TSelf>
{
    protected static AppFactory Factory { get; private set; } = null!;

    [ClassInitialize(InheritanceBehavior.BeforeEachDerivedClass)]
    public static void StartApp(TestContext context)
    {
        Factory = new AppFactory();
        Factory.CreateClient().Dispose(); // starts the host: migrations, test estate, first reconciliation
    }

    [ClassCleanup(InheritanceBehavior.BeforeEachDerivedClass)]
    public static void StopApp() => Factory.Dispose();
}

/// <summary>The app on Kestrel and Debian's Chromium, once per derived test class.</summary>
public abstract class SharedBrowserTests<TSelf> where TSelf : SharedBrowserTests<TSelf>
{
    protected static BrowserSession Session { get; private set; } = null!;

    [ClassInitialize(InheritanceBehavior.BeforeEachDerivedClass)]
    public static async Task StartBrowser(TestContext context) => Session = await BrowserSession.StartAsync();

    [ClassCleanup(InheritanceBehavior.BeforeEachDerivedClass)]
    public static async Task StopBrowser() => await Session.DisposeAsync();
}
