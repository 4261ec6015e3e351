namespace LandkreisLizenz.Core.Imports;

/// <summary>
/// A built-in way to read a tool's export (spec §7): recognised when the file's header has all of
/// <see cref="Signature"/>; its mapping names the columns read, the rest of the export is ignored. The organisation
/// comes from the upload (or <c>--organisation</c>), as these exports have no AGS.
/// </summary>
/// <param name="ProductNames">The export names products in its tool's words: recognised under this publisher (<see cref="ImportMapping.ProductNames"/>).</param>
/// <param name="Defaults">Fields the export does not have, with the value they usually take (the mapping page shows and changes them).</param>
/// <param name="ListFields">Fields whose cells list several values (<see cref="ImportMapping.ListFields"/>).</param>
public sealed record BuiltInProfile(string Key, string Name, ImportFormat Format, IReadOnlyList<string> Signature, IReadOnlyDictionary<string, string> Columns,
    string? DateFormat = null, string? ProductNames = null, string? ProductSeparator = null, bool NamesComplete = false,
    IReadOnlyDictionary<string, string>? Defaults = null, IReadOnlyList<string>? ListFields = null)
{
    public ImportMapping Mapping(IReadOnlyDictionary<string, string> constants)
    {
        var all = new Dictionary<string, string>(constants);
        foreach (var (field, value) in Defaults ?? new Dictionary<string, string>())
        {
            all.TryAdd(field, value);
        }

        return new(Columns, all, DateFormat, ProductNames: ProductNames, ProductSeparator: ProductSeparator, NamesComplete: NamesComplete, ListFields: ListFields);
    }
}

public static class BuiltInProfiles
{
    /// <summary>Microsoft Intune, Apps → Discovered apps → export "AppInvRawData" (one row per app and device).</summary>
    public static readonly BuiltInProfile Intune = new("intune-appinvrawdata", "Microsoft Intune (AppInvRawData)", ImportFormat.Installations,
        ["applicationname", "applicationpublisher", "applicationversion", "deviceid", "devicename"],
        new Dictionary<string, string>
        {
            ["devicename"] = "device", ["applicationname"] = "software", ["applicationpublisher"] = "publisher", ["applicationversion"] = "version", ["emailaddress"] = "user",
        });

    /// <summary>Configuration Manager: a query of v_R_System joined with v_GS_ADD_REMOVE_PROGRAMS(_64), column names as the views have them.</summary>
    public static readonly BuiltInProfile ConfigurationManagerQuery = new("configmgr-arp-query", "Microsoft Configuration Manager (Software – Abfrage)", ImportFormat.Installations,
        ["name0", "displayname0"],
        new Dictionary<string, string> { ["name0"] = "device", ["displayname0"] = "software", ["publisher0"] = "publisher", ["version0"] = "version" });

    /// <summary>Configuration Manager: a report of installed software with its aliased headers.</summary>
    public static readonly BuiltInProfile ConfigurationManagerReport = new("configmgr-arp-report", "Microsoft Configuration Manager (Software – Bericht)", ImportFormat.Installations,
        ["computer name", "display name"],
        new Dictionary<string, string> { ["computer name"] = "device", ["display name"] = "software", ["publisher"] = "publisher", ["version"] = "version" });

    /// <summary>i-doit: CSV export of the software assignment of objects (German headers, ';', dd.MM.yyyy).</summary>
    public static readonly BuiltInProfile IDoit = new("idoit-software", "i-doit (Softwarezuweisung, CSV-Export)", ImportFormat.Installations,
        ["objekttyp", "objektname", "software"],
        new Dictionary<string, string> { ["objektname"] = "device", ["software"] = "software", ["hersteller"] = "publisher", ["version"] = "version" });

    /// <summary>The publisher under which i-doit's license objects are recognised as products, like software titles.</summary>
    public const string IDoitLicenseNames = "i-doit";

    // A license object's tranches ("Lizenzschlüssel") are i-doit's multi-value category: one value per tranche, comma-separated.
    private static readonly string[] LicenseTranches = ["quantity", "license_key", "valid_from", "valid_to", "unit_price"];

    // i-doit assigns licenses to objects (clients, servers): counted per device unless the mapping says otherwise.
    private static readonly Dictionary<string, string> LicensesPerDevice = new() { ["metric"] = "device" };

    /// <summary>
    /// i-doit: the license objects (object type "Lizenzen") with their category "Lizenzzuweisung: Lizenzschlüssel", in the
    /// columns of i-doit's documented CSV import/export (German dialog names, ';', dd.MM.yyyy, multi-values comma-separated).
    /// The object's name is recognised as a product like a software title; the serial number tells one tranche from the
    /// next, the activation key itself is not read (it is the county's secret, not evidence). i-doit names no contract of
    /// ours: the mapping page asks for it once, and the saved profile imports the next file without asking.
    /// </summary>
    public static readonly BuiltInProfile IDoitLicenses = new("idoit-lizenzen", "i-doit (Lizenzen, CSV-Export)", ImportFormat.Licenses,
        ["objectname", "lizenzzuweisung: lizenzschlüssel - anzahl"],
        new Dictionary<string, string>
        {
            ["objectname"] = "product_key", ["lizenzzuweisung: lizenzschlüssel - anzahl"] = "quantity",
            ["lizenzzuweisung: lizenzschlüssel - serial number"] = "license_key", ["lizenzzuweisung: lizenzschlüssel - startdatum"] = "valid_from",
            ["lizenzzuweisung: lizenzschlüssel - ablaufdatum"] = "valid_to", ["lizenzzuweisung: lizenzschlüssel - einzelpreis"] = "unit_price",
        },
        ProductNames: IDoitLicenseNames, Defaults: LicensesPerDevice, ListFields: LicenseTranches);

    /// <summary>The same from an i-doit with English dialog names (<c>Object title;Licenses: License keys &gt; Amount;…</c>, dates yyyy-MM-dd).</summary>
    public static readonly BuiltInProfile IDoitLicensesEnglish = new("idoit-licenses", "i-doit (Licenses, CSV export)", ImportFormat.Licenses,
        ["object title", "licenses: license keys > amount"],
        new Dictionary<string, string>
        {
            ["object title"] = "product_key", ["licenses: license keys > amount"] = "quantity", ["licenses: license keys > serial"] = "license_key",
            ["licenses: license keys > start date (date)"] = "valid_from", ["licenses: license keys > expiration date (date)"] = "valid_to",
            ["licenses: license keys > price per unit (money)"] = "unit_price",
        },
        ProductNames: IDoitLicenseNames, Defaults: LicensesPerDevice, ListFields: LicenseTranches);

    /// <summary>
    /// Microsoft 365 admin center, Users → Active users → Export users: one row per user, the licenses as SKU names
    /// joined by '+'. Each license becomes a user assignment of the product its SKU is recognised as (spec §7).
    /// </summary>
    public static readonly BuiltInProfile Microsoft365Users = new("m365-users", "Microsoft 365 Admin Center (Benutzerexport)", ImportFormat.UserAssignments,
        ["user principal name", "licenses"],
        new Dictionary<string, string> { ["user principal name"] = "user", ["licenses"] = "product_key" },
        ProductNames: NamedProducts.Microsoft365, ProductSeparator: "+");

    /// <summary>The same export from an admin center in German.</summary>
    public static readonly BuiltInProfile Microsoft365UsersGerman = new("m365-benutzer", "Microsoft 365 Admin Center (Benutzerexport, deutsch)", ImportFormat.UserAssignments,
        ["benutzerprinzipalname", "lizenzen"],
        new Dictionary<string, string> { ["benutzerprinzipalname"] = "user", ["lizenzen"] = "product_key" },
        ProductNames: NamedProducts.Microsoft365, ProductSeparator: "+");

    /// <summary>
    /// Active Directory group members as PowerShell exports them (<c>Get-ADGroupMember … | Select-Object
    /// @{n='Group';e={$group}}, SamAccountName, Name | Export-Csv</c>): each group stands for the product it grants,
    /// recognised like a software title, and lists all its members (spec §7).
    /// </summary>
    public static readonly BuiltInProfile DirectoryGroupMembers = new("ad-group-members", "Active Directory (Gruppenmitglieder, CSV-Export)", ImportFormat.UserAssignments,
        ["group", "samaccountname"],
        new Dictionary<string, string> { ["samaccountname"] = "user", ["group"] = "product_key" },
        ProductNames: DirectoryGroupExports.Publisher, NamesComplete: true);

    /// <summary>The same export with German column names (<c>Gruppe;Benutzername</c>), as county scripts often write it.</summary>
    public static readonly BuiltInProfile DirectoryGroupMembersGerman = new("ad-gruppenmitglieder", "Active Directory (Gruppenmitglieder, CSV-Export, deutsch)", ImportFormat.UserAssignments,
        ["gruppe", "benutzername"],
        new Dictionary<string, string> { ["benutzername"] = "user", ["gruppe"] = "product_key" },
        ProductNames: DirectoryGroupExports.Publisher, NamesComplete: true);

    public static readonly IReadOnlyList<BuiltInProfile> All =
        [Intune, ConfigurationManagerQuery, ConfigurationManagerReport, IDoit, IDoitLicenses, IDoitLicensesEnglish, Microsoft365Users, Microsoft365UsersGerman, DirectoryGroupMembers, DirectoryGroupMembersGerman];

    /// <summary>The built-in profile whose signature the header has (the most specific first), or null.</summary>
    public static BuiltInProfile? For(IReadOnlyList<string> header) =>
        All.Where(p => p.Signature.All(header.Contains)).OrderByDescending(p => p.Signature.Count).FirstOrDefault();

    public static BuiltInProfile? ByKey(string key) => All.FirstOrDefault(p => p.Key == key);
}
