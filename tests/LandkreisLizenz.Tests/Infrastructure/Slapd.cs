using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>
/// A throwaway OpenLDAP server (Debian's <c>slapd</c>, installed by <c>.ci/run</c>) on a free loopback port with its own
/// database folder, filled from LDIF with <c>ldapadd</c>; stopped and removed on dispose. Never a mock.
/// </summary>
public sealed class Slapd : IDisposable
{
    public const string Suffix = "dc=kreis-mettmann,dc=example";
    public const string AdminDn = "cn=admin," + Suffix;
    public const string AdminPassword = "Verzeichnis-Test-2026";

    private readonly string _folder;
    private readonly int _pid;

    private Slapd(string folder, int port, int pid)
    {
        _folder = folder;
        Port = port;
        _pid = pid;
    }

    public int Port { get; }

    public string Url => $"ldap://127.0.0.1:{Port}";

    public static Slapd Start(string ldif)
    {
        const string binary = "/usr/sbin/slapd";
        Assert.IsTrue(File.Exists(binary), "slapd is not installed (apt-get install -y slapd ldap-utils; .ci/run does this).");
        var folder = Path.Combine(Path.GetTempPath(), "lkl-slapd-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(folder, "data"));
        File.WriteAllText(Path.Combine(folder, "slapd.conf"), $"""
            include /etc/ldap/schema/core.schema
            include /etc/ldap/schema/cosine.schema
            include /etc/ldap/schema/inetorgperson.schema
            modulepath /usr/lib/ldap
            moduleload back_mdb
            pidfile {folder}/slapd.pid
            database mdb
            maxsize 104857600
            suffix "{Suffix}"
            rootdn "{AdminDn}"
            rootpw {AdminPassword}
            directory {folder}/data
            """);
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        Run(binary, "-f", Path.Combine(folder, "slapd.conf"), "-h", $"ldap://127.0.0.1:{port}/");
        var pid = int.Parse(File.ReadAllText(Path.Combine(folder, "slapd.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        var server = new Slapd(folder, port, pid);
        File.WriteAllText(Path.Combine(folder, "data.ldif"), ldif);
        Run("ldapadd", "-x", "-H", server.Url, "-D", AdminDn, "-w", AdminPassword, "-f", Path.Combine(folder, "data.ldif"));
        return server;
    }

    /// <summary>Changes entries as an administrator would (<c>ldapmodify</c> with LDIF change records).</summary>
    public void Modify(string ldif)
    {
        var file = Path.Combine(_folder, "change-" + Guid.NewGuid().ToString("N") + ".ldif");
        File.WriteAllText(file, ldif);
        Run("ldapmodify", "-x", "-H", Url, "-D", AdminDn, "-w", AdminPassword, "-f", file);
    }

    private static void Run(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, $"{file} {string.Join(' ', args)}: {error.Result}");
    }

    public void Dispose()
    {
        try
        {
            Process.GetProcessById(_pid).Kill();
        }
        catch (ArgumentException)
        {
            // already gone
        }

        Directory.Delete(_folder, recursive: true);
    }
}
