using GraphQL;
using GraphQL.DataLoader;
using LandkreisLizenz.Core.Registry;

namespace LandkreisLizenz.Web.GraphQL;

/// <summary>Batched, scoped registry lookups for resolvers: every object or list asked for on one query level is read in one or two statements.</summary>
internal static class RegistryLoaders
{
    /// <summary>The object with this id if the caller may see it, else null.</summary>
    public static IDataLoaderResult<T?> ById<T>(this IResolveFieldContext context, RegistryEntity entity, string select, long id) where T : class, IRegistryRow =>
        context.Loader<long, T>("id:" + entity.Table, async (ids, _) =>
            (await context.Service<RegistryService>().ByIdsAsync<T>(context.Scope(), entity, select, ids)).ToDictionary(r => r.Id)).Load(id);

    public static IDataLoaderResult<OrganisationRow?> Organisation(this IResolveFieldContext context, long id) =>
        context.ById<OrganisationRow>(RegistryEntities.Organisations, OrganisationRow.Select, id);

    public static IDataLoaderResult<ProductRow?> Product(this IResolveFieldContext context, long id) =>
        context.ById<ProductRow>(RegistryEntities.Products, ProductRow.Select, id);

    public static IDataLoaderResult<HostingRow?> Hosting(this IResolveFieldContext context, long id) =>
        context.ById<HostingRow>(RegistryEntities.Hostings, HostingRow.Select, id);

    public static IDataLoaderResult<ContractRow?> Contract(this IResolveFieldContext context, long id) =>
        context.ById<ContractRow>(RegistryEntities.Contracts, ContractRow.Select, id);

    /// <summary>All categories, read once per request.</summary>
    public static IDataLoaderResult<CategoryRow?> Category(this IResolveFieldContext context, long id) =>
        context.Loader<long, CategoryRow>("categories", async (_, _) =>
            (await context.Service<ProductCatalogue>().CategoriesAsync()).ToDictionary(c => c.Id)).Load(id);

    /// <summary>
    /// A page of the children of <paramref name="parentId"/> (first/after or last/before from the field's arguments): the
    /// same page of every parent on this query level comes from one statement plus one for the totals.
    /// </summary>
    public static IDataLoaderResult<Connection<T>> Children<T>(this IResolveFieldContext context, RegistryEntity entity, string select, string parentColumn,
        Func<T, long?> parentOf, long parentId) where T : class, IRegistryRow
    {
        var request = context.Paging();
        // One loader per page asked for: the cursors as given (a decoded place has no value equality).
        var page = string.Join("|", new[] { "first", "after", "last", "before" }.Select(a => context.GetArgument<object?>(a)));
        return context.Loader<long, Connection<T>>($"children:{entity.Table}.{parentColumn}:{page}", async (parents, _) =>
        {
            var pages = await Resolve.WithPlacesAsync(() => context.Service<RegistryService>().ByParentAsync(context.Scope(), entity, select, parentColumn, parentOf, parents, request));
            return pages.ToDictionary(p => p.Key, p => context.Connection(p.Value));
        }).Load(parentId).Then(c => c ?? Connection<T>.Empty);
    }

    /// <summary>A root list: the registry's own search, filter and allow-listed sort, scoped and paged by places.</summary>
    public static async Task<Connection<T>> PageAsync<T>(this IResolveFieldContext context, RegistryEntity entity, string select, string? filterArgument)
    {
        var request = context.Paging();
        var query = new ListQuery(context.GetArgument<string?>("search"), filterArgument is null ? null : context.GetArgument<string?>(filterArgument),
            context.GetArgument<string?>("orderBy"), context.GetArgument<bool?>("descending") ?? false);
        return context.Connection(await Resolve.WithPlacesAsync(() => context.Service<RegistryService>().PageAsync<T>(context.Scope(), entity, select, query, request)));
    }
}

/// <summary>Batched lookups outside the registry.</summary>
internal static class OperationLoaders
{
    public static global::GraphQL.DataLoader.IDataLoaderResult<Core.Suggestions.SuggestionDetail?> SuggestionDetail(this IResolveFieldContext context, long id) =>
        context.Loader<long, Core.Suggestions.SuggestionDetail>("suggestions", async (ids, _) =>
            (await context.Service<Core.Suggestions.SuggestionService>().GetManyAsync(context.Scope(), ids)).ToDictionary(d => d.Id)).Load(id);
}
