using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

/// <summary>
/// A million installation rows inserted into a table with the schema's two indexes, bound through SQLitePCL's wrapper and
/// straight into e_sqlite3 without the GC transition (what Core's NativeSqlite does), alternately, twice each.
/// </summary>
internal static unsafe class BindingBenchmark
{
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_bind_int64"), SuppressGCTransition]
    private static extern int BindInt64(IntPtr stmt, int index, long value);
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_bind_null"), SuppressGCTransition]
    private static extern int BindNull(IntPtr stmt, int index);
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_bind_text"), SuppressGCTransition]
    private static extern int BindText(IntPtr stmt, int index, byte* text, int length, IntPtr destructor);
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_step")]
    private static extern int Step(IntPtr stmt);
    [DllImport("e_sqlite3", EntryPoint = "sqlite3_reset"), SuppressGCTransition]
    private static extern int Reset(IntPtr stmt);

    public static int Run(int rows)
    {
        foreach (var mode in new[] { "pcl", "direct", "pcl", "direct" })
        {
            var file = Path.Combine(Path.GetTempPath(), "bindfloor-" + Guid.NewGuid().ToString("N") + ".db");
            using var connection = new SqliteConnection("Data Source=" + file);
            connection.Open();
            using (var c = connection.CreateCommand())
            {
                c.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; CREATE TABLE installations (id INTEGER PRIMARY KEY, device_id INTEGER NOT NULL, software_title_id INTEGER NOT NULL, version TEXT, user_key TEXT, last_used TEXT); CREATE INDEX a ON installations(device_id); CREATE INDEX b ON installations(software_title_id, device_id);";
                c.ExecuteNonQuery();
            }

            using var tx = connection.BeginTransaction();
            var handle = connection.Handle!;
            raw.sqlite3_prepare_v2(handle, "INSERT INTO installations (device_id, software_title_id, version, user_key, last_used) VALUES (?, ?, ?, ?, ?)", out var stmt);
            var versions = Enumerable.Range(0, 9).Select(i => "1." + i).ToArray();
            var users = Enumerable.Range(0, 5000).Select(i => "u" + i.ToString("00000")).ToArray();
            var dates = Enumerable.Range(1, 11).Select(i => "2026-" + i.ToString("00") + "-15").ToArray();
            var sw = Stopwatch.StartNew();
            var p = stmt.DangerousGetHandle();
            var buffer = new byte[256];
            for (var i = 0; i < rows; i++)
            {
                var device = i / 40;
                var version = versions[i % 9];
                var user = users[device % 5000];
                var date = dates[i % 11];
                if (mode == "pcl")
                {
                    raw.sqlite3_bind_int64(stmt, 1, device + 1);
                    raw.sqlite3_bind_int64(stmt, 2, (i * 7 + device) % 400);
                    raw.sqlite3_bind_text(stmt, 3, version);
                    raw.sqlite3_bind_text(stmt, 4, user);
                    raw.sqlite3_bind_text(stmt, 5, date);
                    raw.sqlite3_step(stmt);
                    raw.sqlite3_reset(stmt);
                }
                else
                {
                    BindInt64(p, 1, device + 1);
                    BindInt64(p, 2, (i * 7 + device) % 400);
                    Text(p, 3, version, buffer);
                    Text(p, 4, user, buffer);
                    Text(p, 5, date, buffer);
                    Step(p);
                    Reset(p);
                }
            }

            var insert = sw.Elapsed.TotalSeconds;
            raw.sqlite3_finalize(stmt);
            tx.Commit();
            Console.WriteLine($"{mode}: insert {insert:N2} s, with commit {sw.Elapsed.TotalSeconds:N2} s");
            connection.Close();
            SqliteConnection.ClearAllPools();
            File.Delete(file);
        }

        return 0;
    }

    private static void Text(IntPtr p, int index, string text, byte[] buffer)
    {
        var n = System.Text.Encoding.UTF8.GetBytes(text, buffer);
        fixed (byte* b = buffer)
        {
            BindText(p, index, b, n, new IntPtr(-1));
        }
    }
}
