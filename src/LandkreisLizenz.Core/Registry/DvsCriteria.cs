namespace LandkreisLizenz.Core.Registry;

/// <summary>
/// The Deutsche Verwaltungscloud criteria a hosting must meet (spec §4, hosting_compliance): data centre in Germany,
/// a BSI C5 attestation or ISO 27001 based on IT-Grundschutz, and georedundancy for applications run 24x7.
/// One rule for the suggestion engine, the GraphQL API and the pages.
/// </summary>
public static class DvsCriteria
{
    /// <returns>The failed criteria in German; empty when conformant.</returns>
    public static IReadOnlyList<string> Failed(string? country, string? c5, string? iso27001, bool operation24x7, bool georedundant)
    {
        var failed = new List<string>();
        if (country != "DE")
        {
            failed.Add($"Rechenzentrum nicht in Deutschland ({country ?? "unbekannt"})");
        }

        if (c5 is not ("type1" or "type2") && iso27001 != "grundschutz")
        {
            failed.Add("weder BSI-C5-Testat noch ISO 27001 auf Basis IT-Grundschutz");
        }

        if (operation24x7 && !georedundant)
        {
            failed.Add("24x7-Betrieb ohne Georedundanz");
        }

        return failed;
    }
}
