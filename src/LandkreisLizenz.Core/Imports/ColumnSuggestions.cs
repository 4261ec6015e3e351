using System.Text;

namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// Which field a source column most likely is (spec §7: suggested from the header names, German and English aliases
/// included). Names are compared in a folded form — lower case, umlauts spelt out, only letters and digits — so that
/// „Kündigungsfrist (Monate)“, "kuendigungsfrist_monate" and "Kündigungsfrist Monate" are one name.
/// </summary>
public static class ColumnSuggestions
{
    private static readonly Dictionary<string, string[]> Common = new(StringComparer.Ordinal)
    {
        ["ags"] = ["ags", "amtlicher gemeindeschlüssel", "gemeindeschlüssel", "kreisschlüssel", "gemeindekennziffer", "organisation ags", "organisationsschlüssel"],
    };

    /// <summary>Aliases per format and field; the field's own name always counts.</summary>
    private static readonly Dictionary<ImportFormat, Dictionary<string, string[]>> Aliases = new()
    {
        [ImportFormat.Contracts] = new(StringComparer.Ordinal)
        {
            ["contract_key"] = ["vertragsnummer", "vertrags-nr", "vertragsnr", "vertrag nr", "vertragskennung", "vertrags-id", "aktenzeichen", "contract number", "contract id", "contract no"],
            ["vendor"] = ["vertragspartner", "lieferant", "auftragnehmer", "anbieter", "hersteller", "dienstleister", "vendor", "supplier"],
            ["title"] = ["bezeichnung", "vertragsbezeichnung", "vertragsgegenstand", "gegenstand", "titel", "leistung", "contract title", "description"],
            ["evb_it_type"] = ["evb-it typ", "evb-it-typ", "evb-it", "evb it", "vertragstyp", "vertragsart", "contract type"],
            ["start_date"] = ["vertragsbeginn", "beginn", "laufzeitbeginn", "startdatum", "gültig ab", "start", "start date"],
            ["initial_term_months"] = ["erstlaufzeit (monate)", "erstlaufzeit", "mindestlaufzeit (monate)", "mindestlaufzeit", "laufzeit (monate)", "initial term"],
            ["renewal_term_months"] = ["verlängerung (monate)", "verlängerung", "verlängerungszeitraum", "renewal term"],
            ["notice_period_months"] = ["kündigungsfrist (monate)", "kündigungsfrist", "kündigungsfrist monate", "notice period", "notice period months"],
            ["end_date"] = ["vertragsende", "laufzeitende", "ende", "enddatum", "befristet bis", "end date"],
            ["annual_cost"] = ["jahreskosten", "kosten pro jahr", "kosten jährlich", "jährliche kosten", "jahresentgelt", "jahresbetrag", "annual cost"],
            ["framework"] = ["rahmenvertrag", "rahmenvereinbarung", "framework", "framework agreement"],
        },
        [ImportFormat.Licenses] = new(StringComparer.Ordinal)
        {
            ["contract_key"] = ["vertragsnummer", "vertrag", "vertrags-nr", "contract number"],
            ["product_key"] = ["produkt", "produktschlüssel", "produkt-id", "product", "product key"],
            ["metric"] = ["lizenzmetrik", "metrik", "lizenzart", "lizenzmodell", "license metric"],
            ["license_key"] = ["tranche", "lizenzschlüssel", "lizenz-id", "lizenznummer", "license key", "license id"],
            ["quantity"] = ["anzahl", "menge", "lizenzen", "anzahl lizenzen", "quantity", "count"],
            ["unit_price"] = ["stückpreis", "einzelpreis", "preis", "unit price", "price"],
            ["annual_cost_per_unit"] = ["wartung je einheit", "jahreskosten je einheit", "kosten je einheit/jahr", "annual cost per unit"],
            ["valid_from"] = ["gültig ab", "gültig von", "beginn", "valid from"],
            ["valid_to"] = ["gültig bis", "ablauf", "ablaufdatum", "ende", "valid to", "expiry", "expiration date"],
            ["covers_members"] = ["für gemeinden", "gilt für gemeinden", "pool"],
        },
        [ImportFormat.Installations] = new(StringComparer.Ordinal)
        {
            ["device"] = ["gerät", "gerätename", "geräte-name", "computer", "computername", "computer name", "rechner", "rechnername", "client", "hostname", "host", "devicename", "device name", "name0", "netbios name", "objektname", "objekttitel", "asset"],
            ["software"] = ["softwarename", "software name", "anwendung", "programm", "programmname", "produkt", "applicationname", "application name", "displayname0", "display name", "displayname", "software title", "title"],
            ["publisher"] = ["hersteller", "herausgeber", "anbieter", "applicationpublisher", "publisher0", "publisher", "vendor", "manufacturer"],
            ["version"] = ["softwareversion", "programmversion", "applicationversion", "version0", "product version", "displayversion"],
            ["user"] = ["benutzer", "benutzername", "anmeldename", "username", "user name", "user principal name", "upn", "samaccountname"],
            ["device_kind"] = ["geräteart", "gerätetyp", "device type", "chassis type"],
            ["cores"] = ["kerne", "cpu-kerne", "prozessorkerne", "cores", "numberofcores"],
            ["last_used"] = ["zuletzt verwendet", "letzte nutzung", "zuletzt genutzt", "last used", "lastusedtime", "last used date"],
        },
        [ImportFormat.UserAssignments] = new(StringComparer.Ordinal)
        {
            ["user"] = ["benutzer", "benutzername", "anmeldename", "benutzerprinzipalname", "user principal name", "username", "upn", "samaccountname", "kennung"],
            ["product_key"] = ["produkt", "lizenz", "product", "license", "sku"],
            ["assigned_since"] = ["zugewiesen seit", "zugewiesen am", "assigned since", "assigned date"],
            ["last_login"] = ["letzte anmeldung", "zuletzt angemeldet", "last login", "last sign-in", "lastsignindatetime"],
        },
        [ImportFormat.UsagePeaks] = new(StringComparer.Ordinal)
        {
            ["product_key"] = ["produkt", "feature", "product"],
            ["month"] = ["monat", "zeitraum", "month", "period"],
            ["peak_concurrent"] = ["spitze", "höchstwert", "gleichzeitige nutzer", "max in use", "peak", "peak concurrent", "maximum"],
        },
    };

    /// <summary>The folded form of a column name in which aliases are compared.</summary>
    public static string Fold(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            switch (c)
            {
                case 'ä': text.Append("ae"); break;
                case 'ö': text.Append("oe"); break;
                case 'ü': text.Append("ue"); break;
                case 'ß': text.Append("ss"); break;
                default:
                    if (char.IsLetterOrDigit(c))
                    {
                        text.Append(c);
                    }

                    break;
            }
        }

        return text.ToString();
    }

    /// <summary>
    /// For each source column the field of <paramref name="format"/> it most likely is (exact field names first, then
    /// aliases); a field is suggested for one column only, columns without a likely field are left out.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Suggest(ImportFormat format, IReadOnlyList<string> header)
    {
        var fields = TableSpecs.Columns(format).Select(c => c.Name).ToList();
        var byAlias = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            foreach (var alias in AliasesOf(format, field))
            {
                byAlias.TryAdd(Fold(alias), field);
            }
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        // Exact field names win over aliases ("version" is the version even when "applicationversion" is there too).
        foreach (var column in header.Where(h => fields.Contains(h)))
        {
            result[column] = column;
            taken.Add(column);
        }

        foreach (var column in header.Where(h => !result.ContainsKey(h)))
        {
            if (byAlias.TryGetValue(Fold(column), out var field) && taken.Add(field))
            {
                result[column] = field;
            }
        }

        return result;
    }

    /// <summary>The format whose fields the most source columns suggest (the mapping page's first choice).</summary>
    public static ImportFormat LikeliestFormat(IReadOnlyList<string> header) =>
        ImportFormats.All
            .Select(f => (Format: f, Suggested: Suggest(f, header).Count, Required: TableSpecs.Columns(f).Count(c => c.Required)))
            .OrderByDescending(s => s.Suggested).ThenBy(s => s.Required).First().Format;

    private static IEnumerable<string> AliasesOf(ImportFormat format, string field)
    {
        yield return field;
        if (Aliases.TryGetValue(format, out var aliases) && aliases.TryGetValue(field, out var own))
        {
            foreach (var alias in own)
            {
                yield return alias;
            }
        }

        if (Common.TryGetValue(field, out var common))
        {
            foreach (var alias in common)
            {
                yield return alias;
            }
        }
    }
}
