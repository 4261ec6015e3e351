using LandkreisLizenz.Core.Imports;
using LandkreisLizenz.Core.Registry;
using LandkreisLizenz.Core.Security;
using LandkreisLizenz.Web.Models;
using LandkreisLizenz.Web.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace LandkreisLizenz.Web.Controllers;

/// <summary>Pages of every registry object (organisations, catalogue, hosting, applications, contracts, licenses).</summary>
public sealed class EntitiesController(RegistryService registry, CallerScopeAccessor caller, TimeProvider clock) : Controller
{
    [HttpGet("/register/{slug}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> List(string slug, string? suche, string? filter, string? sort, bool absteigend = false, int seite = 1)
    {
        if (RegistryEntities.BySlug(slug) is not { } entity)
        {
            return NotFound();
        }

        var page = await registry.ListAsync(caller.Current, entity, new ListQuery(suche, filter, sort, absteigend, seite));
        return View(new EntityListModel(page, await registry.FilterOptionsAsync(entity), CanWrite(entity), TempData["Message"] as string));
    }

    [HttpGet("/register/{slug}/export.{format:regex(^(csv|xlsx)$)}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Export(string slug, string format, string? suche, string? filter, string? sort, bool absteigend = false)
    {
        if (RegistryEntities.BySlug(slug) is not { } entity)
        {
            return NotFound();
        }

        var (columns, rows) = await registry.ExportAsync(caller.Current, entity, new ListQuery(suche, filter, sort, absteigend));
        return await ExportFile.CreateAsync(format, entity.Format.Key(), columns, rows);
    }

    [HttpGet("/register/{slug}/{id:long}")]
    [Authorize(Policy = Policies.Authenticated)]
    public async Task<IActionResult> Detail(string slug, long id)
    {
        if (RegistryEntities.BySlug(slug) is not { } entity || await registry.GetAsync(caller.Current, entity, id) is not { } record)
        {
            return NotFound();
        }

        return View(new EntityDetailModel(record, CanWrite(entity), TempData["Message"] as string, LandkreisLizenz.Core.Common.BusinessDate.Today(clock)));
    }

    [HttpGet("/register/{slug}/neu")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Create(string slug)
    {
        if (RegistryEntities.BySlug(slug) is not { } entity)
        {
            return NotFound();
        }

        return View("Edit", await EditModelAsync(entity, null, new Dictionary<string, string?>(), null, null));
    }

    [HttpPost("/register/{slug}/neu")]
    [Authorize(Policy = Policies.LicenseManager)]
    public Task<IActionResult> CreatePost(string slug, [FromForm] Dictionary<string, string?> fields) => Save(slug, null, fields, null);

    [HttpGet("/register/{slug}/{id:long}/bearbeiten")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Edit(string slug, long id)
    {
        if (RegistryEntities.BySlug(slug) is not { } entity || await registry.GetAsync(caller.Current, entity, id) is not { } record)
        {
            return NotFound();
        }

        return View(await EditModelAsync(entity, record, EntityFormat.FormValues(entity, record.Values), record.RowVersion, null));
    }

    [HttpPost("/register/{slug}/{id:long}/bearbeiten")]
    [Authorize(Policy = Policies.LicenseManager)]
    public Task<IActionResult> EditPost(string slug, long id, [FromForm] Dictionary<string, string?> fields, [FromForm(Name = "__rowVersion")] long rowVersion) =>
        Save(slug, id, fields, rowVersion);

    [HttpPost("/register/{slug}/{id:long}/loeschen")]
    [Authorize(Policy = Policies.LicenseManager)]
    public async Task<IActionResult> Delete(string slug, long id, [FromForm(Name = "__rowVersion")] long rowVersion)
    {
        if (RegistryEntities.BySlug(slug) is not { } entity)
        {
            return NotFound();
        }

        var problem = await registry.DeleteAsync(caller.Current, entity, id, rowVersion);
        if (problem is not null)
        {
            TempData["Message"] = problem;
            return Redirect($"/register/{slug}/{id}");
        }

        TempData["Message"] = $"{entity.Singular} wurde gelöscht.";
        return Redirect($"/register/{slug}");
    }

    private async Task<IActionResult> Save(string slug, long? id, Dictionary<string, string?> fields, long? rowVersion)
    {
        if (RegistryEntities.BySlug(slug) is not { } entity)
        {
            return NotFound();
        }

        var result = await registry.SaveAsync(caller.Current, entity, id, fields, rowVersion);

        if (result.Succeeded)
        {
            TempData["Message"] = $"{entity.Singular} wurde gespeichert.";
            return Redirect($"/register/{slug}/{result.Id}");
        }

        foreach (var (field, message) in result.FieldErrors)
        {
            ModelState.AddModelError(field, message);
        }

        var record = id is null ? null : await registry.GetAsync(caller.Current, entity, id.Value);
        Response.StatusCode = result.Conflict is null ? StatusCodes.Status422UnprocessableEntity : StatusCodes.Status409Conflict;
        return View("Edit", await EditModelAsync(entity, record, fields, rowVersion, result));
    }

    private async Task<EntityEditModel> EditModelAsync(RegistryEntity entity, RegistryRecord? record, IReadOnlyDictionary<string, string?> values, long? rowVersion, SaveResult? result) =>
        new(entity, record, values, rowVersion, result?.FieldErrors ?? new Dictionary<string, string>(), result?.Conflict,
            entity == RegistryEntities.Products ? await registry.FilterOptionsAsync(entity) : []);

    /// <summary>Whether to offer write buttons (the shared catalogue: admins only); Core decides per record and organisation.</summary>
    private bool CanWrite(RegistryEntity entity) => entity.Global ? caller.Current.CanWriteCatalogue : caller.Current.CanImport;
}
