namespace LandkreisLizenz.Core.Common;

public sealed record PageRequest(int Page = 1, int PageSize = 25)
{
    public const int MaxPageSize = 200;

    public int SafePage => Math.Max(1, Page);

    /// <summary>Exports ask for everything at once; pages stay small.</summary>
    public const int MaxExportSize = 100_000;

    public int SafePageSize => Math.Clamp(PageSize, 1, IsExport ? MaxExportSize : MaxPageSize);

    public bool IsExport { get; init; }

    public int Skip => (SafePage - 1) * SafePageSize;
}

public sealed record Paged<T>(IReadOnlyList<T> Items, int Page, int PageSize, int TotalCount)
{
    public int PageCount => Math.Max(1, (TotalCount + PageSize - 1) / PageSize);

    public bool HasPrevious => Page > 1;

    public bool HasNext => Page < PageCount;
}
