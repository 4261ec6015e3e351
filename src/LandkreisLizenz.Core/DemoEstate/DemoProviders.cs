namespace LandkreisLizenz.Core.DemoEstate;

/// <summary>IT service providers of the demo estate, by state, and the cloud offerings counties use.</summary>
internal static class DemoProviders
{
    public sealed record Provider(string Key, string Name, string Kind, string StateCode, string City, string C5, string Iso27001, string Country);

    /// <summary>Municipal providers (and Zweckverbände) serving the counties of a state.</summary>
    public static readonly IReadOnlyList<Provider> Municipal =
    [
        new("X0101", "IT-Verbund Schleswig-Holstein", "municipal_provider", "01", "Altenholz", "type1", "grundschutz", "DE"),
        new("X0301", "ITEBO", "municipal_provider", "03", "Osnabrück", "none", "grundschutz", "DE"),
        new("X0501", "regio iT", "municipal_provider", "05", "Aachen", "type1", "grundschutz", "DE"),
        new("X0502", "Südwestfalen-IT", "municipal_provider", "05", "Hemer", "none", "grundschutz", "DE"),
        new("X0601", "ekom21 – KGRZ Hessen", "municipal_provider", "06", "Gießen", "type2", "grundschutz", "DE"),
        new("X0701", "Kommunales Rechenzentrum Rheinland-Pfalz", "municipal_provider", "07", "Mainz", "none", "iso", "DE"),
        new("X0801", "Komm.ONE", "municipal_provider", "08", "Stuttgart", "type2", "grundschutz", "DE"),
        new("X0901", "AKDB", "municipal_provider", "09", "München", "type2", "grundschutz", "DE"),
        new("X1001", "eGo-Saar", "association", "10", "Saarbrücken", "none", "grundschutz", "DE"),
        new("X1201", "Kommunales Rechenzentrum Brandenburg", "municipal_provider", "12", "Potsdam", "none", "iso", "DE"),
        new("X1301", "Kommunaler IT-Dienstleister Mecklenburg-Vorpommern", "municipal_provider", "13", "Schwerin", "none", "grundschutz", "DE"),
        new("X1401", "Zweckverband KISA", "association", "14", "Leipzig", "type1", "grundschutz", "DE"),
        new("X1501", "KID Magdeburg", "municipal_provider", "15", "Magdeburg", "none", "grundschutz", "DE"),
        new("X1601", "KIV Thüringen", "municipal_provider", "16", "Erfurt", "none", "grundschutz", "DE"),
    ];

    public static readonly IReadOnlyList<Provider> State =
    [
        new("X0190", "Dataport", "state_provider", "01", "Altenholz", "type2", "grundschutz", "DE"),
        new("X0390", "IT.Niedersachsen", "state_provider", "03", "Hannover", "none", "grundschutz", "DE"),
        new("X0590", "IT.NRW", "state_provider", "05", "Düsseldorf", "type1", "grundschutz", "DE"),
        new("X0690", "Hessische Zentrale für Datenverarbeitung", "state_provider", "06", "Wiesbaden", "none", "grundschutz", "DE"),
        new("X0790", "Landesbetrieb Daten und Information Rheinland-Pfalz", "state_provider", "07", "Mainz", "none", "grundschutz", "DE"),
        new("X0890", "BITBW", "state_provider", "08", "Stuttgart", "type1", "grundschutz", "DE"),
        new("X0990", "IT-Dienstleistungszentrum des Freistaats Bayern", "state_provider", "09", "München", "type2", "grundschutz", "DE"),
        new("X1090", "IT-Dienstleistungszentrum Saarland", "state_provider", "10", "Saarbrücken", "none", "grundschutz", "DE"),
        new("X1290", "ZIT-BB", "state_provider", "12", "Potsdam", "none", "grundschutz", "DE"),
        new("X1390", "DVZ M-V", "state_provider", "13", "Schwerin", "type1", "grundschutz", "DE"),
        new("X1490", "Staatsbetrieb Sächsische Informatik Dienste", "state_provider", "14", "Dresden", "none", "grundschutz", "DE"),
        new("X1590", "Dataport Sachsen-Anhalt", "state_provider", "15", "Magdeburg", "type2", "grundschutz", "DE"),
        new("X1690", "Thüringer Landesrechenzentrum", "state_provider", "16", "Erfurt", "none", "grundschutz", "DE"),
    ];

    /// <summary>Private clouds: some DVS-conformant, some outside Germany, some without C5.</summary>
    public static readonly IReadOnlyList<Provider> Private =
    [
        new("X9001", "STACKIT", "private_provider", "08", "Neckarsulm", "type2", "iso", "DE"),
        new("X9002", "IONOS Cloud", "private_provider", "07", "Frankfurt am Main", "type2", "iso", "DE"),
        new("X9003", "Open Telekom Cloud", "private_provider", "15", "Biere", "type2", "iso", "DE"),
        new("X9004", "Microsoft Azure (West Europe)", "private_provider", "05", "Amsterdam", "type2", "iso", "NL"),
        new("X9005", "Amazon Web Services (eu-west-1)", "private_provider", "05", "Dublin", "type2", "iso", "IE"),
        new("X9006", "Hetzner Online", "private_provider", "14", "Falkenstein", "none", "iso", "DE"),
    ];

    public static Provider MunicipalFor(string stateCode, Random rng)
    {
        var candidates = Municipal.Where(p => p.StateCode == stateCode).ToList();
        if (candidates.Count == 0)
        {
            candidates = Municipal.Where(p => p.StateCode == "01").ToList();
        }

        return candidates[rng.Next(candidates.Count)];
    }

    public static Provider StateFor(string stateCode) =>
        State.FirstOrDefault(p => p.StateCode == stateCode) ?? State[0];

    /// <summary>Inventory titles that no recognition rule knows (listed for mapping later).</summary>
    public static readonly IReadOnlyList<(string Name, string Publisher)> UnrecognisedSoftware =
    [
        ("7-Zip", "Igor Pavlov"), ("Mozilla Firefox ESR", "Mozilla"), ("Notepad++", "Notepad++ Team"),
        ("VLC media player", "VideoLAN"), ("Zoom Workplace", "Zoom Video Communications, Inc."),
        ("Google Chrome", "Google LLC"), ("PDF24 Creator", "geek software GmbH"), ("KeePass Password Safe", "Dominik Reichl"),
        ("GIMP", "The GIMP Team"), ("WinSCP", "Martin Prikryl"), ("TeamViewer", "TeamViewer Germany GmbH"),
        ("Paint.NET", "dotPDN LLC"), ("Greenshot", "Greenshot"), ("FileZilla Client", "Tim Kosse"), ("Audacity", "Audacity Team"),
    ];

    /// <summary>Towns of the Kreis Mettmann, the county of the demo CIO (AGS as in the Gemeindeverzeichnis).</summary>
    public static readonly IReadOnlyList<(string Ags, string Name, long Population)> MettmannTowns =
    [
        ("05158004", "Erkrath, Stadt", 44384), ("05158008", "Haan, Stadt", 30484), ("05158012", "Heiligenhaus, Stadt", 26294),
        ("05158016", "Hilden, Stadt", 55764), ("05158020", "Langenfeld (Rhld.), Stadt", 59178), ("05158024", "Mettmann, Stadt", 38829),
        ("05158026", "Monheim am Rhein, Stadt", 40645), ("05158028", "Ratingen, Stadt", 87297), ("05158032", "Velbert, Stadt", 81842),
        ("05158036", "Wülfrath, Stadt", 21067),
    ];

    private static readonly string[] NamePrefixes = ["Ober", "Nieder", "Alt", "Neu", "Groß", "Klein", "Bad ", "Hohen", "Wald", "Sankt "];
    private static readonly string[] NameRoots = ["bach", "feld", "hausen", "heim", "dorf", "stadt", "berg", "au", "weiler", "brück", "hofen", "kirchen"];
    private static readonly string[] NameStems = ["Linden", "Eichen", "Buchen", "Mühl", "Stein", "Rosen", "Birken", "Wiesen", "Sonnen", "Tann", "Erlen", "Fichten"];

    /// <summary>A synthetic but German-sounding municipality name (the demo estate does not claim real towns outside Mettmann).</summary>
    public static string MunicipalityName(Random rng)
    {
        var stem = NameStems[rng.Next(NameStems.Length)] + NameRoots[rng.Next(NameRoots.Length)];
        var name = rng.NextDouble() < 0.35 ? NamePrefixes[rng.Next(NamePrefixes.Length)] + stem.ToLowerInvariant() : stem;
        if (name.StartsWith("Bad ", StringComparison.Ordinal) || name.StartsWith("Sankt ", StringComparison.Ordinal))
        {
            name = name[..name.IndexOf(' ', StringComparison.Ordinal)] + " " + char.ToUpperInvariant(name[(name.IndexOf(' ', StringComparison.Ordinal) + 1)]) + name[(name.IndexOf(' ', StringComparison.Ordinal) + 2)..];
        }

        return name + (rng.NextDouble() < 0.4 ? ", Stadt" : "");
    }
}
