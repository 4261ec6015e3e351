using LandkreisLizenz.Core.Imports;

namespace LandkreisLizenz.Core.Registry;

/// <summary>German names of the domain's coded values and of the import/form columns (glossary of the spec).</summary>
public static class Labels
{
    public static readonly IReadOnlyDictionary<string, string> OperatorKinds = new Dictionary<string, string>
    {
        ["self"] = "Eigenbetrieb", ["municipal_provider"] = "Kommunaler IT-Dienstleister", ["state_provider"] = "Landes-IT-Dienstleister", ["private_provider"] = "Privater Anbieter",
    };

    public static readonly IReadOnlyDictionary<string, string> Models = new Dictionary<string, string>
    {
        ["on_premises"] = "Eigenes Rechenzentrum", ["colocation"] = "Colocation", ["iaas"] = "IaaS", ["paas"] = "PaaS", ["saas"] = "SaaS",
    };

    public static readonly IReadOnlyDictionary<string, string> C5 = new Dictionary<string, string>
    {
        ["none"] = "kein Testat", ["type1"] = "C5 Typ 1", ["type2"] = "C5 Typ 2",
    };

    public static readonly IReadOnlyDictionary<string, string> Iso27001 = new Dictionary<string, string>
    {
        ["none"] = "keine", ["iso"] = "ISO 27001 nativ", ["grundschutz"] = "ISO 27001 auf Basis IT-Grundschutz",
    };

    public static readonly IReadOnlyDictionary<string, string> ProtectionNeeds = new Dictionary<string, string>
    {
        ["normal"] = "normal", ["high"] = "hoch", ["very_high"] = "sehr hoch",
    };

    public static readonly IReadOnlyDictionary<string, string> Lifecycles = new Dictionary<string, string>
    {
        ["tolerate"] = "Tolerieren", ["invest"] = "Investieren", ["migrate"] = "Migrieren", ["eliminate"] = "Ablösen",
    };

    public static readonly IReadOnlyDictionary<string, string> EvbTypes = new Dictionary<string, string>
    {
        ["ueberlassung_a"] = "EVB-IT Überlassung Typ A", ["ueberlassung_b"] = "EVB-IT Überlassung Typ B", ["pflege_s"] = "EVB-IT Pflege S",
        ["cloud"] = "EVB-IT Cloud", ["dienstvertrag"] = "EVB-IT Dienstvertrag", ["other"] = "Sonstiger Vertrag",
    };

    public static readonly IReadOnlyDictionary<string, string> Metrics = new Dictionary<string, string>
    {
        ["device"] = "Gerät", ["named_user"] = "Named User", ["subscription"] = "Abonnement", ["concurrent_user"] = "Gleichzeitige Nutzer",
        ["core"] = "Prozessorkern", ["instance"] = "Instanz", ["inhabitants"] = "Einwohner", ["site"] = "Standort (Site)",
    };

    public static readonly IReadOnlyDictionary<string, string> OrganisationKinds =
        Registry.OrganisationKinds.All.ToDictionary(k => k, Registry.OrganisationKinds.GermanName);

    public static readonly IReadOnlyDictionary<string, string> Columns = new Dictionary<string, string>
    {
        ["ags"] = "AGS / Schlüssel der Organisation", ["name"] = "Name", ["kind"] = "Art", ["parent_ags"] = "Gehört zu (AGS des Landkreises)",
        ["population"] = "Einwohner", ["employees"] = "Beschäftigte", ["shares_for_consolidation"] = "Freigabe für Verbund-Auswertungen",
        ["product_key"] = "Produktschlüssel", ["vendor"] = "Hersteller", ["category"] = "Kategorie", ["list_price"] = "Listenpreis (€)",
        ["hosting_key"] = "Schlüssel des Betriebs", ["operator_kind"] = "Betreiber", ["model"] = "Betriebsmodell", ["operator_ags"] = "Betreiber-Organisation (AGS/Schlüssel)",
        ["country"] = "Land des Rechenzentrums", ["city"] = "Ort des Rechenzentrums", ["c5"] = "BSI C5", ["iso27001"] = "ISO 27001",
        ["georedundant"] = "Georedundant", ["servers_physical"] = "Physische Server", ["servers_virtual"] = "Virtuelle Server", ["annual_cost"] = "Jahreskosten (€)",
        ["application_key"] = "Schlüssel der Anwendung", ["users"] = "Nutzer", ["protection_need"] = "Schutzbedarf", ["kritis"] = "KRITIS-relevant",
        ["operation_24x7"] = "Betrieb 24x7", ["lifecycle"] = "Lebenszyklus (TIME)", ["annual_operating_cost"] = "Betriebskosten pro Jahr (€)",
        ["contract_key"] = "Vertragsschlüssel", ["title"] = "Titel", ["evb_it_type"] = "Vertragstyp (EVB-IT)", ["start_date"] = "Vertragsbeginn",
        ["initial_term_months"] = "Erstlaufzeit (Monate)", ["renewal_term_months"] = "Verlängerung (Monate)", ["notice_period_months"] = "Kündigungsfrist (Monate)",
        ["end_date"] = "Festes Vertragsende", ["framework"] = "Rahmenvertrag", ["metric"] = "Lizenzmetrik", ["quantity"] = "Menge",
        ["unit_price"] = "Stückpreis (€)", ["annual_cost_per_unit"] = "Jährliche Kosten je Einheit (€)", ["valid_from"] = "Gültig ab", ["valid_to"] = "Gültig bis",
        ["covers_members"] = "Gilt auch für kreisangehörige Gemeinden", ["min_cores_per_device"] = "Mindestkerne je Server",
        ["software_pattern"] = "Software-Muster", ["publisher_pattern"] = "Hersteller-Muster",
    };

    public static string Column(string key) => Columns.TryGetValue(key, out var label) ? label : key;

    // Where one column means something else in one format: a contract's vendor is whoever it was signed with (a reseller too).
    private static readonly IReadOnlyDictionary<(ImportFormat, string), string> FormatColumns = new Dictionary<(ImportFormat, string), string>
    {
        [(ImportFormat.Contracts, "vendor")] = "Vertragspartner",
    };

    /// <summary>The label of a column of <paramref name="format"/>: the same word on the list, the detail page, the form and the calendar.</summary>
    public static string Column(ImportFormat format, string key) => FormatColumns.TryGetValue((format, key), out var label) ? label : Column(key);

    /// <summary>The coded values a column accepts, with German names, or null for free input.</summary>
    public static IReadOnlyDictionary<string, string>? Codes(string column) => column switch
    {
        "kind" => OrganisationKinds,
        "operator_kind" => OperatorKinds,
        "model" => Models,
        "c5" => C5,
        "iso27001" => Iso27001,
        "protection_need" => ProtectionNeeds,
        "lifecycle" => Lifecycles,
        "evb_it_type" => EvbTypes,
        "metric" => Metrics,
        "state" => States.All,
        _ => null,
    };
}
