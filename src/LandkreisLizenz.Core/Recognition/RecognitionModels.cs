namespace LandkreisLizenz.Core.Recognition;

public sealed class UnrecognisedSoftware
{
    public long SoftwareTitleId { get; init; }
    public string Name { get; init; } = "";
    public string Publisher { get; init; } = "";
    public int Devices { get; init; }
    public int Installations { get; init; }

    /// <summary>Evidence kept under this name from a license server or Microsoft 365 (users, monthly peaks) until it is mapped.</summary>
    public int HeldEvidence { get; init; }
}

/// <summary>
/// A rule to be made for one unrecognised title: a product or (<paramref name="NotLicensable"/>) the class not
/// licensable, the patterns (empty: exactly this title's name and publisher) and, for a caller who writes several
/// county families, the family it is local to.
/// </summary>
public sealed record RuleDraft(
    long SoftwareTitleId,
    long? ProductId,
    bool NotLicensable = false,
    string? SoftwarePattern = null,
    string? PublisherPattern = null,
    long? FamilyId = null);

/// <summary>A county family a caller's local rule can be made for.</summary>
public sealed record FamilyChoice(long Id, string Name);

/// <summary>What the mapping form offers the caller for one title.</summary>
public sealed record MappingContext(UnrecognisedSoftware Title, bool Global, IReadOnlyList<FamilyChoice> Families);

public sealed record PreviewTitle(string Name, string Publisher, int Installations);

/// <summary>
/// What a rule will do before it is saved (spec §6.1): the titles it decides, their installations and the
/// organisations owning them, and how many of those organisations lie outside the caller's scope.
/// </summary>
public sealed class RulePreview
{
    public required string SoftwarePattern { get; init; }
    public required string PublisherPattern { get; init; }
    public long? ProductId { get; init; }
    public bool NotLicensable { get; init; }

    /// <summary>"Vendor – Product", or null for not licensable.</summary>
    public string? ProductName { get; init; }

    /// <summary>The family a local rule applies to; null for a global rule.</summary>
    public long? FamilyId { get; init; }

    /// <summary>The family a local rule applies to, or the family a promoted rule comes from.</summary>
    public string? FamilyName { get; init; }

    /// <summary>The title the rule is made for, as the caller sees it (null for a promotion).</summary>
    public UnrecognisedSoftware? Title { get; init; }

    public int Titles { get; init; }
    public int Installations { get; init; }
    public int Organisations { get; init; }
    public int OrganisationsOutsideScope { get; init; }

    /// <summary>The titles with most installations first (at most <see cref="RecognitionService.PreviewExamples"/>).</summary>
    public IReadOnlyList<PreviewTitle> Examples { get; init; } = [];
}

public sealed record MappingResult(long RuleId, int TitlesRecognised, int InstallationsReattributed, int Organisations = 0);

public sealed class RuleListItem
{
    public long Id { get; init; }
    public string SoftwarePattern { get; init; } = "";
    public string PublisherPattern { get; init; } = "";
    public long? ProductId { get; init; }
    public string? Vendor { get; init; }
    public string? Product { get; init; }
    public bool NotLicensable { get; init; }
    public long? FamilyId { get; init; }
    public string? FamilyName { get; init; }

    /// <summary>The titles the rule decided (globally, or in its family).</summary>
    public int Titles { get; init; }
    public DateTime CreatedAt { get; init; }

    public bool IsGlobal => FamilyId is null;

    public string? ProductName => Product is null ? null : RecognitionService.ProductCatalogueName(Vendor ?? "", Product);
}
