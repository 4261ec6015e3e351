using LandkreisLizenz.Core.Imports;

namespace LandkreisLizenz.Web.Models;

public sealed record ImportIndexModel(IReadOnlyList<ImportBatch> Recent, string? SelectedFormat, string? Error);

public sealed record ImportBatchModel(ImportBatch Batch, IReadOnlyList<ImportError> Errors, bool CanCommit);
