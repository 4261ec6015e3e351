using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class ImportController(ImportService imports, CallerScopeAccessor caller, IImportQueue background) : Controller
{
    [HttpGet("/import")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Index() =>
        View(new ImportIndexModel(await imports.RecentBatchesAsync(caller.Current), null, null));

    [HttpPost("/import")]
    [Authorize(Policy = Policies.LicenseManager)]
    [RequestFormLimits(MultipartBodyLengthLimit = 2L * 1024 * 1024 * 1024)]
    [RequestSizeLimit(2L * 1024 * 1024 * 1024)]
    public async Task<IActionResult> Upload(string? format, IFormFile? file)
    {
        await imports.EnsureMayImportAsync(caller.Current, format);
        string? error = null;
        if (!ImportFormats.TryParse(format, out var importFormat))
        {
            error = "Bitte wählen Sie aus, was die Datei enthält.";
        }
        else if (file is null || file.Length == 0)
        {
            error = file is null ? "Bitte wählen Sie eine CSV-Datei aus." : "Die Datei ist leer.";
        }

        if (error is not null)
        {
            ModelState.AddModelError(error.StartsWith("Bitte wählen Sie aus", StringComparison.Ordinal) ? "format" : "file", error);
            return View("Index", new ImportIndexModel(await imports.RecentBatchesAsync(caller.Current), format, error));
        }

        long id;
        try
        {
            await using var stream = file!.OpenReadStream();
            id = await imports.StageAsync(caller.Current, importFormat, stream, file.FileName, file.Length);
        }
        catch (ArgumentException ex)
        {
            ModelState.AddModelError("file", ex.Message);
            return View("Index", new ImportIndexModel(await imports.RecentBatchesAsync(caller.Current), format, ex.Message));
        }

        await imports.RunOrQueueAsync(caller.Current, id, commit: false, background);
        return Redirect($"/import/{id}");
    }

    [HttpGet("/import/{id:long}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Batch(long id)
    {
        var batch = await imports.GetBatchAsync(caller.Current, id);
        if (batch is null)
        {
            return NotFound();
        }

        var errors = batch.ErrorCount > 0 ? await imports.ErrorsAsync(caller.Current, id) : [];
        return View(new ImportBatchModel(batch, errors, caller.Current.IsAdmin || batch.UserId == caller.Current.UserId));
    }

    /// <summary>Progress for the page's polling script (large files run as a job).</summary>
    [HttpGet("/import/{id:long}/status")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Status(long id)
    {
        var batch = await imports.GetBatchAsync(caller.Current, id);
        return batch is null
            ? NotFound()
            : Json(new { batch.Status, batch.ProcessedRows, batch.TotalRows, Running = batch.IsRunning, Label = ImportStatus.GermanName(batch.Status) });
    }

    [HttpPost("/import/{id:long}/uebernehmen")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Commit(long id)
    {
        try
        {
            await imports.RunOrQueueAsync(caller.Current, id, commit: true, background);
        }
        catch (InvalidOperationException ex)
        {
            TempData["Message"] = ex.Message;
        }

        return Redirect($"/import/{id}");
    }

    [HttpGet("/import/vorlagen/{format}.csv")]
    [Authorize(Policy = Policies.Authenticated)]
    public IActionResult Sample(string format)
    {
        if (!ImportFormats.TryParse(format, out var importFormat))
        {
            return NotFound();
        }

        var path = Path.Combine(AppContext.BaseDirectory, "import-samples", importFormat.Key() + ".csv");
        return System.IO.File.Exists(path) ? PhysicalFile(path, "text/csv; charset=utf-8", importFormat.Key() + "-beispiel.csv") : NotFound();
    }
}
