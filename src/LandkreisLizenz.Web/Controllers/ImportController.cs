using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

public sealed class ImportController(ImportService imports, ImportProfiles profiles, CallerScopeAccessor caller, IImportQueue background) : Controller
{
    [HttpGet("/import/profile")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Profiles() => View(new ImportProfilesModel(await profiles.CurrentAsync(caller.Current), TempData["Message"] as string));

    [HttpPost("/import/profile/{profileId:long}/loeschen")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> RetireProfile(long profileId)
    {
        try
        {
            await profiles.RetireAsync(caller.Current, profileId);
        }
        catch (KeyNotFoundException)
        {
            return NotFound();
        }

        TempData["Message"] = "Profil gelöscht. Dateien mit dieser Kopfzeile werden wieder zugeordnet; frühere Importe bleiben, wie sie gelesen wurden.";
        return Redirect("/import/profile");
    }

    [HttpGet("/import")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Index() => View(await IndexModelAsync(null, null, null));

    [HttpPost("/import")]
    [Authorize(Policy = Policies.LicenseManager)]
    [RequestFormLimits(MultipartBodyLengthLimit = 2L * 1024 * 1024 * 1024)]
    [RequestSizeLimit(2L * 1024 * 1024 * 1024)]
    public async Task<IActionResult> Upload(string? format, string? organisation, IFormFile? file)
    {
        await imports.EnsureMayImportAsync(caller.Current, format);
        ImportFormat? importFormat = null;
        string? error = null;
        if (!string.IsNullOrEmpty(format) && format != AutomaticFormat)
        {
            importFormat = ImportFormats.TryParse(format, out var parsed) ? parsed : null;
            error = importFormat is null ? "Bitte wählen Sie aus, was die Datei enthält." : null;
        }

        if (error is null && (file is null || file.Length == 0))
        {
            error = file is null ? "Bitte wählen Sie eine Datei aus (CSV oder Excel-Arbeitsmappe)." : "Die Datei ist leer.";
        }

        if (error is null)
        {
            try
            {
                await using var stream = file!.OpenReadStream();
                var batch = await imports.UploadAsync(caller.Current, importFormat, stream, file.FileName, file.Length,
                    string.IsNullOrWhiteSpace(organisation) ? null : organisation.Trim(), background);
                return Redirect(batch.NeedsMapping ? $"/import/{batch.Id}/zuordnung" : $"/import/{batch.Id}");
            }
            catch (ArgumentException ex)
            {
                error = ex.Message;
            }
        }

        ModelState.AddModelError(error!.StartsWith("Bitte wählen Sie aus", StringComparison.Ordinal) ? "format" : "file", error);
        return View("Index", await IndexModelAsync(format, organisation, error));
    }

    /// <summary>The value of the upload form's "recognise it" choice (the format, profile or tool from the header).</summary>
    public const string AutomaticFormat = "auto";

    private async Task<ImportIndexModel> IndexModelAsync(string? format, string? organisation, string? error) =>
        new(await imports.RecentBatchesAsync(caller.Current), format ?? AutomaticFormat, error,
            organisation ?? await imports.HomeOrganisationAgsAsync(caller.Current));

    [HttpGet("/import/{id:long}/zuordnung")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Mapping(long id, string? format, string? blatt)
    {
        ImportFormat? target = ImportFormats.TryParse(format, out var parsed) ? parsed : null;
        var draft = await imports.DraftMappingAsync(caller.Current, id, target, sheet: string.IsNullOrEmpty(blatt) ? null : blatt);
        return draft is null ? NotFound() : View(new ImportMappingModel(draft, await imports.HomeOrganisationAgsAsync(caller.Current), null, new Dictionary<string, string>()));
    }

    [HttpPost("/import/{id:long}/zuordnung")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Map(long id, ImportMappingForm form)
    {
        ImportFormat? target = ImportFormats.TryParse(form.Format, out var parsed) ? parsed : null;
        var draft = await imports.DraftMappingAsync(caller.Current, id, target, sheet: string.IsNullOrEmpty(form.Sheet) ? null : form.Sheet);
        if (draft is null || target is null)
        {
            return NotFound();
        }

        var mapping = form.ToMapping(draft.SourceHeader);
        var errors = await imports.ApplyMappingAsync(caller.Current, id, target.Value, mapping, form.Profile, background);
        if (errors.Count == 0)
        {
            return Redirect($"/import/{id}");
        }

        foreach (var (field, message) in errors)
        {
            ModelState.AddModelError(field, message);
        }

        var entered = draft with { Columns = mapping.Columns, Constants = mapping.Constants, DateFormat = mapping.DateFormat, NumberFormat = mapping.NumberFormat };
        return View("Mapping", new ImportMappingModel(entered, null, form.Profile, errors));
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
