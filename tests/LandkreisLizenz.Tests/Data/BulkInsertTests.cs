using Dapper;
using LandkreisLizenz.Core.Data;
using LandkreisLizenz.Tests.Infrastructure;

namespace LandkreisLizenz.Tests.Data;

/// <summary>The bulk insert of inventories: the values it binds are the values stored, whichever binding path it takes.</summary>
[TestClass]
public sealed class BulkInsertTests
{
    [TestMethod]
    public void NativeSqlite_WithTheBundledProvider_IsUsed()
    {
        // The fast path binds straight into the e_sqlite3 that Microsoft.Data.Sqlite loaded; if it were off, the import
        // would still be right but slower than docs/benchmarks.md says.
        Assert.IsTrue(NativeSqlite.Available);
    }

    [TestMethod]
    [DataRow("Jürgen Öztürk")]
    [DataRow("Ключ 🔑 𝄞")]
    [DataRow("")]
    [DataRow("a\0b")]
    public void Set_TextNumbersAndNull_StoredAsGiven(string text)
    {
        using var db = TestDatabase.CreateEmpty(sqlite: true);
        using var connection = db.Database.Open();
        connection.Execute("CREATE TABLE bulk_probe (id INTEGER PRIMARY KEY, number INTEGER NULL, text TEXT NULL, other TEXT NULL)");
        using var transaction = connection.BeginTransaction();
        long id;
        using (var insert = new BulkInsert(connection, transaction, db.Database.Dialect, "bulk_probe", ["number", "text", "other"], returnsId: true))
        {
            insert.Set(0, long.MaxValue);
            insert.Set(1, text);
            insert.SetNull(2);
            id = insert.Execute();
            insert.Set(0, 7L);
            insert.Set(1, new string('x', 5000) + text);
            insert.Set(2, (object?)new DateOnly(2026, 12, 4));
            insert.Execute();
        }

        transaction.Commit();
        var rows = connection.Query<(long Id, long? Number, string? Text, string? Other)>("SELECT id, number, text, other FROM bulk_probe ORDER BY id").ToList();
        Assert.HasCount(2, rows);
        Assert.AreEqual((id, long.MaxValue, text, (string?)null), rows[0]);
        Assert.AreEqual(new string('x', 5000) + text, rows[1].Text, "a text longer than the encoding buffer");
        Assert.AreEqual("2026-12-04", rows[1].Other);
        Assert.AreEqual(rows[0].Id + 1, rows[1].Id);
    }
}
