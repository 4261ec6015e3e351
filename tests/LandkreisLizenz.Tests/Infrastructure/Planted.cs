using Dapper;
using LandkreisLizenz.Core.Data;

namespace LandkreisLizenz.Tests.Infrastructure;

/// <summary>
/// Rows the seeded estate has none of, written as the product would write them, for tests that need one to aim at
/// (a measure of a county, a county's local recognition rule).
/// </summary>
public static class Planted
{
    /// <summary>A new measure of the organisation on one of its suggestions that has none yet, as an accepted suggestion would get.</summary>
    public static long Measure(Database database, long organisation, decimal planned = 100m)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long>("""
            INSERT INTO measures (suggestion_id, organisation_id, status, planned_savings, row_version, created_at, updated_at)
            VALUES ((SELECT MIN(suggestion_id) FROM suggestion_organisations
                     WHERE organisation_id = @organisation AND suggestion_id NOT IN (SELECT m.suggestion_id FROM measures m WHERE m.organisation_id = @organisation)),
                    @organisation, 'planned', @planned, 1, '2026-11-27T08:00:00Z', '2026-11-27T08:00:00Z') RETURNING id
            """, new { organisation, planned });
    }

    /// <summary>The organisation's first measure, planted when it has none.</summary>
    public static long MeasureOf(Database database, long organisation)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long?>("SELECT MIN(id) FROM measures WHERE organisation_id = @organisation", new { organisation })
               ?? Measure(database, organisation);
    }

    /// <summary>A local recognition rule of the county family (the first product, the given pattern), planted when it has none.</summary>
    public static long LocalRule(Database database, long family, string pattern)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long?>("SELECT MIN(id) FROM recognition_rules WHERE family_id = @family AND software_pattern = @pattern", new { family, pattern })
               ?? connection.ExecuteScalar<long>("""
                   INSERT INTO recognition_rules (product_id, family_id, software_pattern, publisher_pattern, created_at)
                   VALUES ((SELECT MIN(id) FROM products), @family, @pattern, '*', '2026-01-01') RETURNING id
                   """, new { family, pattern });
    }

    /// <summary>A current mapping profile of the organisation (a contract register read with one constant), planted when it has none.</summary>
    public static long Profile(Database database, long organisation)
    {
        using var connection = database.Open();
        return connection.ExecuteScalar<long?>("SELECT MIN(id) FROM import_profiles WHERE organisation_id = @organisation AND superseded_at IS NULL", new { organisation })
               ?? connection.ExecuteScalar<long>("""
                   INSERT INTO import_profiles (organisation_id, name, version, format, source_header, header_hash, mapping_json, created_at)
                   VALUES (@organisation, 'Vertragsregister', 1, 'contracts', 'vertragsnummer', 'TEST' || @organisation,
                           '{"Columns":{"vertragsnummer":"contract_key"},"Constants":{},"DateFormat":null,"NumberFormat":null}', '2026-11-27T08:00:00Z') RETURNING id
                   """, new { organisation });
    }
}
