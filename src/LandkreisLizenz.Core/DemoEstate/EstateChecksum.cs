using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Core.DemoEstate;

/// <summary>
/// Row counts and a SHA-256 per table over all rows in id order, to prove that a seed reproduces an estate.
/// Salted secrets (password hashes, security stamps) are left out: they differ by design.
/// </summary>
public static class EstateChecksum
{
    public static readonly IReadOnlyList<string> Tables =
    [
        "organisations", "categories", "products", "recognition_rules", "hostings", "applications", "contracts", "licenses",
        "devices", "software_titles", "installations", "user_assignments", "usage_peaks", "users", "role_grants",
    ];

    private static readonly HashSet<string> Excluded = new(StringComparer.OrdinalIgnoreCase) { "password_hash", "security_stamp" };

    public static IReadOnlyDictionary<string, (long Rows, string Sha256)> Compute(Database database)
    {
        var result = new SortedDictionary<string, (long, string)>(StringComparer.Ordinal);
        using var connection = database.Open();
        foreach (var table in Tables)
        {
            using var command = connection.CreateCommand();
            // Table names come from the constant list above.
            command.CommandText = $"SELECT * FROM {table} ORDER BY id";
            using var reader = command.ExecuteReader();
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long rows = 0;
            var line = new StringBuilder();
            while (reader.Read())
            {
                line.Clear();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    if (Excluded.Contains(reader.GetName(i)))
                    {
                        continue;
                    }

                    line.Append(reader.IsDBNull(i) ? "∅" : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).Append('|');
                }

                hash.AppendData(Encoding.UTF8.GetBytes(line.Append('\n').ToString()));
                rows++;
            }

            result[table] = (rows, Convert.ToHexString(hash.GetHashAndReset()));
        }

        return result;
    }
}
