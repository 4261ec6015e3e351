namespace LandkreisLizenz.Core.Registry;

public static class OrganisationKinds
{
    public const string County = "county";
    public const string Municipality = "municipality";
    public const string MunicipalProvider = "municipal_provider";
    public const string StateProvider = "state_provider";
    public const string PrivateProvider = "private_provider";
    public const string Association = "association";

    public static readonly IReadOnlyList<string> All = [County, Municipality, MunicipalProvider, StateProvider, PrivateProvider, Association];

    public static string GermanName(string kind) => kind switch
    {
        County => "Landkreis",
        Municipality => "Kreisangehörige Gemeinde",
        MunicipalProvider => "Kommunaler IT-Dienstleister",
        StateProvider => "Landes-IT-Dienstleister",
        PrivateProvider => "Privater IT-Dienstleister",
        Association => "Zweckverband / Verbund",
        _ => kind,
    };
}

public static class States
{
    private static readonly Dictionary<string, string> Names = new()
    {
        ["01"] = "Schleswig-Holstein", ["02"] = "Hamburg", ["03"] = "Niedersachsen", ["04"] = "Bremen",
        ["05"] = "Nordrhein-Westfalen", ["06"] = "Hessen", ["07"] = "Rheinland-Pfalz", ["08"] = "Baden-Württemberg",
        ["09"] = "Bayern", ["10"] = "Saarland", ["11"] = "Berlin", ["12"] = "Brandenburg",
        ["13"] = "Mecklenburg-Vorpommern", ["14"] = "Sachsen", ["15"] = "Sachsen-Anhalt", ["16"] = "Thüringen",
    };

    public static string Name(string code) => Names.TryGetValue(code, out var name) ? name : code;

    public static IReadOnlyDictionary<string, string> All => Names;
}
